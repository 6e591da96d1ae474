"""A mistaken cloud name gets the cloud it was meant for: by the words in it first (``us``,
``gcchigh``, ``mooncake``), then by its spelling; and a misspelling in the implicit ``./.env`` is
reported as the misspelling it is, not as the trust rule's refusal.

The table below is the specification, not a copy of the code's: every spelling either
already selects its cloud (a sourced name) or gets exactly that cloud as the suggestion. No
spelling here becomes an accepted name without a source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError
from azenvcloud import _builtin_clouds as data
from azenvcloud._clouds import canonical_cloud_name
from azenvcloud._parsers import InvalidValue
from azenvcloud.testing import FakeCloud

US_GOV, CHINA, GOVSG, BLEU, DELOS, PUBLIC = (
    "AzureUSGovernment",
    "AzureChinaCloud",
    "GovSGCloud",
    "AzureBleuCloud",
    "AzureDelosCloud",
    "AzureCloud",
)
GERMAN_NOTE = "Microsoft Cloud Deutschland (AzureGermanCloud) closed on 2021-10-29"
GCC_NOTE = "GCC Moderate runs in the public cloud"

MEANT = [
    *((word, US_GOV, "") for word in ("us", "usgov", "azuregov", "azuregovernment", "fairfax", "gcchigh")),
    *((word, US_GOV, "") for word in ("il4", "il5", "dod")),
    *((word, CHINA, "") for word in ("cn", "china", "mooncake", "21v", "21vianet")),
    *((word, GOVSG, "") for word in ("sg", "singapore", "govsg")),
    *((word, BLEU, "") for word in ("fr", "france", "bleu")),
    *((word, DELOS, GERMAN_NOTE) for word in ("de", "germany", "delos")),
    *((word, PUBLIC, GCC_NOTE) for word in ("gcc", "gccmoderate")),
]

# Every spelling azenvcloud accepts has a source (_builtin_clouds.NAMES, VARIANTS).
SOURCED = {re.sub(r"[-_. ]+", "", name).casefold() for names in data.NAMES.values() for name in names} | set(
    data.VARIANTS
)


@pytest.mark.parametrize(("word", "cloud", "note"), [pytest.param(*case, id=case[0]) for case in MEANT])
def test_every_word_of_the_table_selects_its_cloud_or_suggests_exactly_it(
    word: str, cloud: str, note: str
) -> None:
    if word in SOURCED:
        assert canonical_cloud_name(word) == cloud
        return
    with pytest.raises(InvalidValue) as caught:  # accepted without a source: "DID NOT RAISE"
        canonical_cloud_name(word)
    problem = caught.value.problem
    assert getattr(caught.value, "suggestion", None) == cloud  # clouds.UnknownCloudName's
    assert f"did you mean {cloud}?" in problem or (cloud == DELOS and "AZURE_CLOUD=delos" in problem)
    assert note in problem


@pytest.mark.parametrize(
    ("name", "cloud"),
    [
        pytest.param("AzureUSGov", US_GOV, id="AzureUSGov"),
        pytest.param("AzureGov", US_GOV, id="AzureGov"),
        pytest.param("USGovCloud", US_GOV, id="USGovCloud"),
        pytest.param("usgovt", US_GOV, id="usgovt"),
        pytest.param("GCC High", US_GOV, id="gcc-high-longest-word-wins"),
        pytest.param("AzureChinaClod", CHINA, id="by-spelling-when-no-word-matches"),
        pytest.param("chnia", CHINA, id="chnia"),
        pytest.param("china;", CHINA, id="a-stray-character"),
    ],
)
def test_a_near_miss_gets_the_cloud_it_was_meant_for(
    azenvcloud_env: pytest.MonkeyPatch, name: str, cloud: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", name)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert f"did you mean {cloud}?" in str(caught.value)
    assert "GovSGCloud?" not in str(caught.value) or cloud == GOVSG


def test_gcc_is_the_public_cloud_with_its_note(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "gcc")
    with pytest.raises(
        ConfigurationError, match=r"did you mean AzureCloud\? GCC Moderate runs in the public cloud"
    ):
        azenvcloud.get_settings()


def test_a_variable_reference_is_said_to_be_one_and_gets_no_guess(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "${CLOUD}")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert "variable reference, which azenvcloud never expands" in str(caught.value)
    assert "did you mean" not in str(caught.value)


def test_the_accepted_list_is_short_and_every_name_in_it_is_accepted(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "nowhere")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    accepted = str(caught.value).split("Accepted: ", 1)[1]
    assert len(accepted) < 300, accepted
    listed = re.findall(r"(\w+) \(([^)]*)\)", accepted.split(";")[0])
    assert [canonical for canonical, _ in listed] == [PUBLIC, CHINA, US_GOV, BLEU, DELOS, GOVSG]
    for canonical, short in listed:
        for name in short.split(", "):
            assert canonical_cloud_name(name) == canonical
    assert "`azenvcloud clouds` lists every name" in accepted


# -- a misspelling in the implicit ./.env ------------------------------------------------------

IMPLICIT_ONLY_SELECTS = (
    "found in the working directory without being named, so it can only select a built-in cloud"
)
TRUST_RULE_FIX = "name the file if you trust it"


@pytest.mark.parametrize(
    ("value", "suggested"),
    [
        pytest.param("usgovt", US_GOV, id="usgovt"),
        pytest.param("chnia", CHINA, id="chnia"),
        pytest.param("china;", CHINA, id="china-semicolon"),
        pytest.param("${CLOUD}", None, id="variable-reference"),
    ],
)
def test_a_misspelled_cloud_in_the_implicit_env_file_gets_the_misspelling_error(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, value: str, suggested: str | None
) -> None:
    (tmp_path / ".env").write_text(f"AZURE_CLOUD={value}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert message.startswith(f"AZURE_CLOUD (from .env file {tmp_path / '.env'})=")
    assert "is not usable" in message
    if suggested:
        assert f"did you mean {suggested}?" in message
    assert IMPLICIT_ONLY_SELECTS in message
    assert TRUST_RULE_FIX not in message
    assert caught.value.variables == ("AZURE_CLOUD",)


def test_a_misspelled_cloud_in_a_named_env_file_gets_no_word_about_implicit_files(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = tmp_path / "prod.env"
    named.write_text("AZURE_CLOUD=usgovt\n", encoding="utf-8")
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(named))
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert "did you mean AzureUSGovernment?" in str(caught.value)
    assert IMPLICIT_ONLY_SELECTS not in str(caught.value)


def test_with_trusted_metadata_in_play_an_unknown_name_from_the_env_file_is_refused_with_a_suggestion(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The environment points at a cloud's metadata: a name of no built-in cloud may be that
    # cloud's own, which only a trusted source may pick. Nothing is read before the refusal.
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    (tmp_path / ".env").write_text("AZURE_CLOUD=chnia\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert TRUST_RULE_FIX in str(caught.value)
    assert "it names no built-in cloud (did you mean AzureChinaCloud?)" in str(caught.value)
    assert azenvcloud_fake_cloud.requests == []


def test_a_built_in_cloud_from_the_implicit_env_file_still_selects_it(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("AZURE_CLOUD=usgov\n", encoding="utf-8")
    assert azenvcloud.get_settings().cloud_name == US_GOV


@pytest.mark.parametrize("name", ["AzureStackCloud", "AzureStack", "USSec", "USNat"])
def test_a_private_cloud_name_points_to_its_variables_not_to_a_builtin(
    azenvcloud_env: pytest.MonkeyPatch, name: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", name)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert "AZURE_RESOURCE_MANAGER" in message
    assert "AZURE_CLOUD_METADATA_URL" in message
    assert "did you mean" not in message
