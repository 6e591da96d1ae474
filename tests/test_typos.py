"""Nothing silently ignored: a variable that is almost azenvcloud's, another tool's cloud selector
naming another cloud, and an expired metadata copy used during an outage are warnings in
``show``, ``check`` and ``show --json``, and logged once at resolution; other tools' names stay
quiet."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import azenvcloud
from azenvcloud import Settings
from azenvcloud import _metadata_source as source
from azenvcloud._cli import main
from azenvcloud._provenance import IDENTITY_VARIABLES
from azenvcloud.testing import FakeCloud


def show_and_check(capsys: pytest.CaptureFixture[str]) -> tuple[str, list[str], str, list[str]]:
    """``show``, ``show --json``'s warnings, ``check`` and ``check --json``'s warnings."""
    outputs: list[str] = []
    for argv in (["show"], ["show", "--json"], ["check"], ["check", "--json"]):
        azenvcloud.reset()
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    return outputs[0], json.loads(outputs[1])["warnings"], outputs[2], json.loads(outputs[3])["warnings"]


def assert_warned(capsys: pytest.CaptureFixture[str], expected: str) -> None:
    show, show_json, check, check_json = show_and_check(capsys)
    for text in (show, check):
        assert any(line.startswith("warning: ") and expected in line for line in text.splitlines())
    assert any(expected in warning for warning in show_json)
    assert any(expected in warning for warning in check_json)


SLIPS = [
    pytest.param("AZURE_CLUOD", "china", "AZURE_CLOUD", id="transposed"),
    pytest.param(
        "AZURE_AUTHORITYHOST",
        "https://login.chinacloudapi.cn",
        "AZURE_AUTHORITY_HOST",
        id="missing-underscore",
    ),
    pytest.param(
        "AZURE_SUBSCRIPTON_ID",
        "00000000-0000-0000-0000-000000000001",
        "AZURE_SUBSCRIPTION_ID",
        id="missing-letter",
    ),
    pytest.param("AZENVCLOUD_CACHEDIR", "cache", "AZENVCLOUD_CACHE_DIR", id="azenvcloud-variable"),
    pytest.param(
        "AZURE_SERVICE_KEYVAULT_SUFIX",
        "vault.example",
        "AZURE_SERVICE_KEYVAULT_SUFFIX",
        id="service-variable",
    ),
    pytest.param("azure_cloud", "china", "AZURE_CLOUD", id="lower-case"),
    pytest.param("Azure_Subscription_Id", "x", "AZURE_SUBSCRIPTION_ID", id="mixed-case"),
    pytest.param("azure_client_id", "x", "AZURE_CLIENT_ID", id="identity-variable-lower-case"),
]


@pytest.mark.parametrize(("name", "value", "meant"), SLIPS)
def test_a_slip_in_the_dotenv_file_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str, meant: str
) -> None:
    Path(".env").write_text(f"{name}={value}\n", encoding="utf-8")
    assert_warned(
        capsys, f"{name} in the .env file {Path('.env').resolve()} is not read: did you mean {meant}?"
    )


@pytest.mark.skipif(os.name == "nt", reason="the environment's names are case-insensitive on Windows")
@pytest.mark.parametrize(("name", "value", "meant"), SLIPS)
def test_a_slip_in_the_environment_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str, meant: str
) -> None:
    azenvcloud_env.setenv(name, value)
    assert_warned(capsys, f"{name} in the environment is not read: did you mean {meant}?")


def test_a_cloud_name_that_picks_nothing_from_a_document_of_one_cloud_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = Path(__file__).parent / "data" / "metadata-2022-09-01-public.json"  # one cloud: AzureCloud
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    azenvcloud_env.setenv("AZURE_CLOUD", "chnia")
    assert_warned(
        capsys,
        "AZURE_CLOUD='chnia' names no cloud of the metadata, which describes one cloud only ('AzureCloud'): "
        "that cloud is used, and the name picks nothing",
    )


def test_a_slip_is_logged_once_at_resolution(
    azenvcloud_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    azenvcloud_env.setenv("AZURE_CLUOD", "china")
    azenvcloud.get_settings()
    azenvcloud.get_settings()
    azenvcloud.get_credential()
    logged = [
        record
        for record in caplog.records
        if record.levelno == logging.WARNING and "AZURE_CLUOD" in record.getMessage()
    ]
    assert len(logged) == 1
    assert logged[0].name == "azenvcloud"


@pytest.mark.parametrize(
    ("selector", "value", "named"),
    [
        pytest.param("ARM_ENVIRONMENT", "china", "AzureChinaCloud", id="terraform"),
        pytest.param("ARM_ENVIRONMENT", "usgovernment", "AzureUSGovernment", id="terraform-usgovernment"),
        pytest.param("AZURE_ENVIRONMENT", "AzureChinaCloud", "AzureChinaCloud", id="go-autorest"),
    ],
)
def test_another_tools_cloud_selector_naming_another_cloud_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    selector: str,
    value: str,
    named: str,
) -> None:
    azenvcloud_env.setenv(selector, value)
    assert_warned(
        capsys, f"{selector}='{value}' in the environment names {named}, but azenvcloud resolved AzureCloud"
    )


@pytest.mark.parametrize(
    ("selector", "value", "cloud"),
    [
        pytest.param("ARM_ENVIRONMENT", "public", None, id="terraform-public"),
        pytest.param("ARM_ENVIRONMENT", "china", "china", id="terraform-same-cloud"),
        pytest.param("AZURE_ENVIRONMENT", "AzureUSGovernmentCloud", "usgov", id="go-autorest-same-cloud"),
        pytest.param("ARM_ENVIRONMENT", "not-a-cloud", None, id="unknown-name"),
    ],
)
def test_a_cloud_selector_naming_the_resolved_cloud_is_quiet(
    azenvcloud_env: pytest.MonkeyPatch, selector: str, value: str, cloud: str | None
) -> None:
    azenvcloud_env.setenv(selector, value)
    if cloud:
        azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    assert Settings().warnings == ()


QUIET = [
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_API_VERSION",
    "AZURE_FUNCTIONS_ENVIRONMENT",
    "AZURE_FUNCTIONS_WORKER_RUNTIME",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_ACCOUNT",
    "AZURE_STORAGE_KEY",
    "AZURE_SERVICE_PRINCIPAL_ID",
    "AZURE_SERVICE_BUS_CONNECTION_STRING",
    "AZURE_CONFIG_DIR",
    "AZURE_CORE_OUTPUT",
    "AZURE_EXTENSION_DIR",
    "AZURE_HTTP_USER_AGENT",
    "AZURE_DEVOPS_EXT_PAT",
    "AZURE_LOG_LEVEL",
    "AZURE_SDK_TRACING_IMPLEMENTATION",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "AZURE_REGIONAL_AUTHORITY_NAME",
    "AZURE_LOCATION",
    "AZURE_RESOURCE_GROUP",
    "AZURE_SUBSCRIPTION",
    "AZURE_ENV_NAME",
    "AZURE_PRINCIPAL_ID",
    "AZURE_AUTH_LOCATION",
    "AZURE_AD_RESOURCE",
    "AZURE_CERTIFICATE_PATH",
    "AZURE_CLOUD_ENVIRONMENT",
    "AZURE_KEYVAULT_URL",
    "AZURE_SEARCH_ENDPOINT",
    "ARM_SUBSCRIPTION_ID",
    "ARM_TENANT_ID",
    "ARM_CLIENT_ID",
    "ARM_USE_MSI",
    "ARM_METADATA_HOSTNAME",
    "ARM_CLOUD_METADATA_URL",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
]


def test_other_tools_names_stay_quiet(azenvcloud_env: pytest.MonkeyPatch) -> None:
    names = [*QUIET, *(name for name in IDENTITY_VARIABLES if name != "AZURE_CLIENT_CERTIFICATE_PATH")]
    lines = []
    for name in names:
        value = "https://example.invalid/" if name == "ARM_CLOUD_METADATA_URL" else "x"
        if name not in IDENTITY_VARIABLES and name != "ARM_CLOUD_METADATA_URL":
            azenvcloud_env.setenv(name, value)
        lines.append(f"{name}={value}")
    Path(".env").write_text("\n".join(line for line in lines if not line.startswith("ARM_CLOUD")) + "\n")
    # Named: an implicit ./.env may not name the federated token file (the trust rule).
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(Path(".env").resolve()))
    assert Settings().warnings == ()


# -- an expired copy during an outage -------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        pytest.param(5 * 60, "5 minutes", id="minutes"),
        pytest.param(2 * 3600 + 60, "2 hours", id="hours"),
        pytest.param(3 * 86400, "3 days", id="days"),
    ],
)
def test_an_expired_copy_used_during_an_outage_is_a_warning_with_its_age(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    age: int,
    shown: str,
) -> None:
    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", fake.url)
    azenvcloud_env.setenv("AZENVCLOUD_METADATA_TTL", "60")
    azenvcloud_env.setattr(source, "TOTAL_TIMEOUT", 2.0)
    azenvcloud_env.setattr(source, "RETRY_BACKOFF_FACTOR", 0.01)
    assert Settings().warnings == ()  # fetched and cached
    (entry,) = (tmp_path / "azenvcloud-cache").glob("*.json")
    document = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**document, "fetched_at": time.time() - age}), encoding="utf-8")
    fake.fail("/metadata/endpoints", 503, times=1000)  # the outage
    assert_warned(capsys, f"using the expired copy cached {shown} ago")


# -- a bounded check: a huge file of near misses cannot stall resolution ---------------------

NEAR = "AZURE_SERVICE_KEYVAULT_SUFFIX"


def near_misses(count: int) -> list[str]:
    """The first ``count`` of the benchmark's names a letter or two from NEAR (never in the
    service's name: ``AZURE_SERVICE_KEYVAULX_SUFFIX`` names an unknown service, which is refused)."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        from env_file import near_miss_names  # benchmarks/env_file.py: the file figure 11a measures
    finally:
        sys.path.pop(0)
    names: list[str] = near_miss_names(count)
    return names


def test_a_file_of_near_misses_lists_five_slips_and_counts_the_rest(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    names = near_misses(20_000)
    Path(".env").write_text("".join(f"{name}=x\n" for name in names), encoding="utf-8")
    where = f"the .env file {Path('.env').resolve()}"
    warnings = Settings().warnings
    assert len(warnings) == 6
    for name, warning in zip(names, warnings[:5], strict=False):
        assert warning.startswith(f"{name} in {where} is not read: did you mean {NEAR}?")
    pattern = (
        r"azenvcloud stopped looking for slips after ([\d,]+) of the ([\d,]+) names in the environment and "
        f"{re.escape(where)}"
        r" \(it looks at no more than 4,096 names and 1,024 candidates, so that a large environment or \.env "
        r"file cannot slow resolution down\); of the names it looked at, [\d,]+ more look like "
        r"azenvcloud's variables but are not read"
    )
    looked_at, total = re.fullmatch(pattern, warnings[5]).groups()  # type: ignore[union-attr]
    assert int(total.replace(",", "")) == 20_000 + len(os.environ)
    assert 5 < int(looked_at.replace(",", "")) < 1000


def test_a_few_more_slips_than_listed_are_counted(azenvcloud_env: pytest.MonkeyPatch) -> None:
    names = near_misses(8)
    Path(".env").write_text("".join(f"{name}=x\n" for name in names), encoding="utf-8")
    warnings = Settings().warnings
    assert len(warnings) == 6
    assert (
        warnings[5]
        == "3 more names look like azenvcloud's variables but are not read; the first 5 are listed above"
    )


def test_the_check_does_a_bounded_amount_of_work_whatever_the_number_of_names(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azenvcloud import _typos

    compared = []
    edits = _typos._edits
    azenvcloud_env.setattr(_typos, "_edits", lambda a, b: compared.append(a) or edits(a, b))
    looked_at: list[str] = []
    upper = str.upper

    class Counted(str):
        def upper(self) -> str:
            looked_at.append(self)
            return upper(self)

    near = near_misses(20_000)
    unrelated = [f"MYAPP_SETTING_NUMBER_{index:06d}" for index in range(60_000)]
    for names in (near, unrelated):
        compared.clear()
        looked_at.clear()
        _typos.find_typos({}, {Counted(name): "x" for name in names}, "/app/.env", "AzureCloud")
        assert len(compared) <= _typos.COMPARISONS
        assert len(looked_at) <= _typos.NAMES_CHECKED


def osa_distance(a: str, b: str) -> int:
    """The optimal string alignment distance, by the textbook table: the oracle below."""
    table = [[max(i, j) if min(i, j) == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[len(a)][len(b)]


@st.composite
def slipped(draw: st.DrawFn) -> tuple[str, str]:
    """One of azenvcloud's names, and that name after up to three random edits."""
    from azenvcloud._typos import _TARGETS

    target = draw(st.sampled_from(_TARGETS))
    name = target
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(name)))
        letter = draw(st.sampled_from("AZURE_SVICD019"))
        edit = draw(st.sampled_from(["substitute", "insert", "delete", "transpose"]))
        if edit == "insert":
            name = name[:at] + letter + name[at:]
        elif edit == "substitute" and at < len(name):
            name = name[:at] + letter + name[at + 1 :]
        elif edit == "delete" and at < len(name):
            name = name[:at] + name[at + 1 :]
        elif edit == "transpose" and at + 1 < len(name):
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    return target, name


@given(slipped())
def test_the_index_finds_every_name_within_two_edits_and_the_distance_is_exact(pair: tuple[str, str]) -> None:
    from azenvcloud._typos import _edits, _index

    target, name = pair
    distance = osa_distance(name, target)
    assert _edits(name, target) == (distance if distance <= 2 else None)
    if distance <= 2:
        assert target in _index().candidates(name)


# -- named configurations: their prefixes ---------------------------------------------------

PREFIXED_SLIPS = [
    pytest.param("GOV_AZURE_CLUOD", "gov", "did you mean GOV_AZURE_CLOUD?", id="slip-after-the-prefix"),
    pytest.param(
        "GOV_AZURE_CLIENT_SECRT",
        "gov",
        "did you mean GOV_AZURE_CLIENT_SECRET?",
        id="identity-after-the-prefix",
    ),
    pytest.param(
        "GOV_AZENVCLOUD_MANAGED_IDENTTY",
        "gov",
        "did you mean GOV_AZENVCLOUD_MANAGED_IDENTITY?",
        id="named-identity-after-the-prefix",
    ),
    pytest.param(
        "GOV_AZURE_TOKEN_CREDENTIALS",
        "gov",
        "AZURE_TOKEN_CREDENTIALS is not read per configuration",
        id="the-defaults-own-under-a-prefix",
    ),
    pytest.param(
        "gov_AZURE_CLOUD",
        "gov",
        "did you mean GOV_AZURE_CLOUD? (variable names are case-sensitive)",
        id="prefix-in-lower-case",
    ),
    pytest.param(
        "GOV_AZURE_CLOUD",
        "",
        "gov is no declared configuration; declare it to have GOV_ variables read: "
        "AZENVCLOUD_CONFIGURATIONS=gov",
        id="undeclared",
    ),
    pytest.param(
        "GOV_AZURE_CLIENT_ID",
        "backup",
        "gov is no declared configuration; declare it to have GOV_ variables read: "
        "AZENVCLOUD_CONFIGURATIONS=backup,gov",
        id="undeclared-among-others",
    ),
    pytest.param(
        "GOB_AZURE_CLOUD",
        "gov,backup",
        "did you mean GOV_AZURE_CLOUD? (gob is no declared configuration: "
        "AZENVCLOUD_CONFIGURATIONS=gov,backup)",
        id="slip-in-the-prefix",
    ),
    pytest.param(
        "GOV_AZENVCLOUD_ENV_FILE",
        "gov",
        "AZENVCLOUD_ENV_FILE is one for the whole process, never read per configuration: "
        "set AZENVCLOUD_ENV_FILE",
        id="process-wide-under-a-prefix",
    ),
    pytest.param(
        "AZENVCLOUD_CONFIGURATION", "", "did you mean AZENVCLOUD_CONFIGURATIONS?", id="the-declaration-itself"
    ),
]


@pytest.mark.skipif(os.name == "nt", reason="the environment's names are case-insensitive on Windows")
@pytest.mark.parametrize(("name", "declared", "expected"), PREFIXED_SLIPS)
def test_a_slip_of_a_named_configurations_variable_in_the_environment_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    declared: str,
    expected: str,
) -> None:
    if declared:
        azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", declared)
    azenvcloud_env.setenv(name, "usgovernment")
    assert_warned(capsys, f"{name} in the environment is not read: {expected}")


@pytest.mark.parametrize(("name", "declared", "expected"), PREFIXED_SLIPS)
def test_a_slip_of_a_named_configurations_variable_in_the_dotenv_file_is_a_warning(
    azenvcloud_env: pytest.MonkeyPatch, name: str, declared: str, expected: str
) -> None:
    """The declaration is read from the .env file too, as the named configurations read it."""
    declaration = f"AZENVCLOUD_CONFIGURATIONS={declared}\n" if declared else ""
    Path(".env").write_text(f"{declaration}{name}=usgovernment\n", encoding="utf-8")
    line = f"{name} in the .env file {Path('.env').resolve()} is not read: {expected}"
    assert [warning for warning in Settings().warnings if warning.startswith(line)] != []


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["GOV_AZURE_CLOUD", "GOV_AZURE_CLIENT_ID", "GOV_AZURE_CLIENT_SECRET"], id="declared"),
        pytest.param(["GOV_AZURE_SERVICE_BLOB_SUFFIX", "GOV_AZENVCLOUD_TOKEN_CACHE"], id="declared-more"),
        pytest.param(
            ["GOV_AZENVCLOUD_MANAGED_IDENTITY", "GOV_AZURE_FEDERATED_TOKEN_FILE"], id="named-identity"
        ),
        pytest.param(["GOV_MYAPP_SETTING_NUMBER_1"], id="declared-prefix-of-another-name"),
        pytest.param(
            [
                "VITE_AZURE_CLIENT_ID",
                "NEXT_AZURE_CLIENT_ID",
                "INPUT_AZURE_CLIENT_ID",
                "APPSETTING_AZURE_CLIENT_ID",
                "TF_AZURE_CLIENT_ID",
                "ARM_AZURE_CLIENT_ID",
            ],
            id="other-tools-prefixes",
        ),
        pytest.param(["MY_APP_AZURE_CLOUD", "GOV_EU_AZURE_CLOUD"], id="no-configuration-name"),
    ],
)
def test_a_named_configurations_own_names_and_other_tools_prefixes_stay_quiet(
    azenvcloud_env: pytest.MonkeyPatch, names: list[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov, Backup")
    for name in names:
        azenvcloud_env.setenv(name, "x")
    assert Settings().warnings == ()


def test_the_declared_names_are_read_from_the_environment_before_the_dotenv_file() -> None:
    from azenvcloud._configuration_names import declared_names

    assert declared_names({"AZENVCLOUD_CONFIGURATIONS": " Gov,backup,,gov "}, {}) == ("gov", "backup")
    assert declared_names({}, {"AZENVCLOUD_CONFIGURATIONS": "gov"}) == ("gov",)
    assert declared_names({"AZENVCLOUD_CONFIGURATIONS": "backup"}, {"AZENVCLOUD_CONFIGURATIONS": "gov"}) == (
        "backup",
    )
    # A blank value is no value, as for every setting: the .env file's declares.
    blank = {"AZENVCLOUD_CONFIGURATIONS": " "}
    assert declared_names(blank, {"AZENVCLOUD_CONFIGURATIONS": "gov"}) == ("gov",)
    # Words that can name no configuration are the named configurations' error, not a prefix here.
    assert declared_names({"AZENVCLOUD_CONFIGURATIONS": "gov_eu,default,vite,9x,ok"}, {}) == ("ok",)


EIGHT = ("gov", "backup", "china", "bleu", "delos", "tenant1", "tenant2", "tenant3")


def prefixed_near_misses(count: int) -> list[str]:
    """``count`` near misses of NEAR, each under one of :data:`EIGHT`'s prefixes in turn."""
    return [f"{EIGHT[index % 8].upper()}_{name}" for index, name in enumerate(near_misses(count))]


def test_with_eight_configurations_the_check_does_the_same_bounded_work(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    """Prefixes are cut off before the lookup: each prefixed near miss has as many candidates as
    the same name unprefixed, and the check's two limits hold."""
    from azenvcloud import _typos

    compared: list[str] = []
    edits = _typos._edits
    azenvcloud_env.setattr(_typos, "_edits", lambda a, b: compared.append(a) or edits(a, b))
    plain = _typos.find_typos({}, {near_misses(1)[0]: "x"}, "/app/.env", "AzureCloud")
    compared_plain = len(compared)
    compared.clear()
    prefixed = _typos.find_typos(
        {}, {prefixed_near_misses(1)[0]: "x"}, "/app/.env", "AzureCloud", configurations=EIGHT
    )
    assert len(plain) == len(prefixed) == 1
    assert prefixed[0].startswith(
        f"GOV_{near_misses(1)[0]} in the .env file /app/.env is not read: did you mean GOV_{NEAR}?"
    )
    assert len(compared) == compared_plain
    compared.clear()
    warnings = _typos.find_typos(
        {}, dict.fromkeys(prefixed_near_misses(20_000), "x"), "/app/.env", "AzureCloud", configurations=EIGHT
    )
    assert len(compared) <= _typos.COMPARISONS
    assert len(warnings) == _typos.LISTED + 1
    assert warnings[-1].startswith("azenvcloud stopped looking for slips after ")
