"""A token goes only where a trusted source sends it (azenvcloud._trust, SECURITY.md).

The attacker can write ``./.env`` in the working directory (a cloned repository) but not the
process environment. Each attack runs the real azure-identity and SDK code against the loopback
fake, whose certificate also covers the "attacker" hosts (``*.blob.core.fake.azenvcloud.test``,
``*.vault.fake.azenvcloud.test``): had a token been sent there, the fake would have recorded it.
Then the set-ups that must keep working, each as it is used.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    ATTACKER_HOST,
    CANARY_SECRET,
    DATA,
    assert_nothing_sent,
    assert_refused_by_the_rule,
    dotenv,
    list_graph_users,
)

import azenvcloud
from azenvcloud import ConfigurationError, get_client, get_resource_client, get_settings, service_scope
from azenvcloud._cli import main
from azenvcloud.testing import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, FakeCloud

ATTACKER_BLOB = "blob.core.fake.azenvcloud.test"  # a suffix the attacker's host ends with


def run(call: Callable[[], Any]) -> None:
    call()


# -- 1. data-plane destinations from ./.env -------------------------------------------------


def list_blobs() -> None:
    from azure.storage.blob import BlobServiceClient

    list(get_client(BlobServiceClient, account="st1").list_containers())


def query_logs() -> None:
    from azure.monitor.query import LogsQueryClient

    get_client(LogsQueryClient).query_workspace("ws-1", "print 1", timespan=None)


def read_cosmos() -> None:
    from azure.cosmos import CosmosClient

    get_client(CosmosClient, account="db1")  # it reads its account at once


@pytest.mark.parametrize(
    ("variable", "value", "hosts", "call"),
    [
        pytest.param(
            "AZURE_SERVICE_BLOB_SUFFIX",
            ATTACKER_BLOB,
            (f"st1.{ATTACKER_BLOB}",),
            list_blobs,
            id="blob-suffix",
        ),
        pytest.param(
            "AZURE_SERVICE_LOG_ANALYTICS_ENDPOINT",
            f"https://{ATTACKER_HOST}",
            (ATTACKER_HOST,),
            query_logs,
            id="log-analytics-endpoint",
        ),
        pytest.param(
            "AZURE_SERVICE_COSMOS_SUFFIX",
            "vault.fake.azenvcloud.test",
            ("db1.vault.fake.azenvcloud.test",),
            read_cosmos,
            id="cosmos-suffix",
        ),
        pytest.param(
            "AZURE_SERVICE_GRAPH_ENDPOINT",
            f"https://{ATTACKER_HOST}",
            (ATTACKER_HOST,),
            list_graph_users,
            id="graph-endpoint",
        ),
    ],
)
def test_a_data_plane_destination_from_the_implicit_env_file_is_refused_before_any_token(
    azenvcloud_fake_cloud: FakeCloud,
    tmp_path: Path,
    variable: str,
    value: str,
    hosts: tuple[str, ...],
    call: Callable[[], None],
) -> None:
    fake = azenvcloud_fake_cloud  # a service principal in the environment
    env_file = dotenv(tmp_path / ".env", **{variable: value})
    with fake.as_cloud("public"), fake.route_hosts(*hosts), pytest.raises(ConfigurationError) as caught:
        run(call)
    assert_refused_by_the_rule(caught.value, variable, env_file)
    assert_nothing_sent(fake)


def test_a_key_vault_suffix_from_the_implicit_env_file_is_refused_on_an_adfs_stamp(
    azure_stack_adfs: FakeCloud, tmp_path: Path
) -> None:
    from azure.keyvault.secrets import SecretClient

    fake = azure_stack_adfs  # the Key Vault resource check is off there
    env_file = dotenv(tmp_path / ".env", AZURE_SERVICE_KEYVAULT_SUFFIX=ATTACKER_BLOB)
    with fake.route_hosts(f"kv1.{ATTACKER_BLOB}"), pytest.raises(ConfigurationError) as caught:
        get_client(SecretClient, vault="kv1").get_secret("s")
    assert_refused_by_the_rule(caught.value, "AZURE_SERVICE_KEYVAULT_SUFFIX", env_file)
    assert_nothing_sent(fake)


# -- 2. the Resource Manager destination ----------------------------------------------------


def test_a_resource_manager_from_the_implicit_env_file_is_refused_before_its_metadata_is_read(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    for name in fake.environment():  # a developer signed in with `az login`: nothing set
        azenvcloud_env.delenv(name)
    env_file = dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=fake.url)
    with pytest.raises(ConfigurationError) as caught:
        get_resource_client()
    assert_refused_by_the_rule(caught.value, "AZURE_RESOURCE_MANAGER", env_file)
    assert fake.requests == []  # not even the metadata


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        pytest.param(
            {
                "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
                "AZURE_AUDIENCE": "https://management.core.windows.net/",
            },
            "AZURE_RESOURCE_MANAGER",
            id="public-authority-and-audience",
        ),
        pytest.param(
            {"AZURE_AUDIENCE": "https://vault.azure.net/.default"},
            "AZURE_RESOURCE_MANAGER",
            id="key-vault-audience",
        ),
    ],
)
def test_a_built_in_audience_with_a_resource_manager_of_no_built_in_cloud_is_the_mixed_cloud_error(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    variables: dict[str, str],
    named: str,
) -> None:
    for name, value in variables.items():  # from the environment: trusted, and still refused
        azenvcloud_env.setenv(name, value)
    with pytest.raises(ConfigurationError, match="a host of no built-in cloud") as caught:
        get_resource_client()
    assert caught.value.variables[0] == named
    assert azenvcloud_fake_cloud.requests == []


def test_a_built_in_audience_with_a_service_host_of_no_built_in_cloud_is_refused_from_any_source(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", ATTACKER_BLOB)
    with pytest.raises(ConfigurationError, match="is an audience of AzureCloud") as caught:
        get_settings()
    assert caught.value.variables == ("AZURE_SERVICE_BLOB_SUFFIX", "AZURE_SERVICE_BLOB_AUDIENCE")


def test_an_audience_from_the_implicit_env_file_must_be_the_clouds_own(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = dotenv(tmp_path / ".env", AZURE_AUDIENCE="https://vault.azure.net/.default")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert_refused_by_the_rule(caught.value, "AZURE_AUDIENCE", env_file)


# -- 3. the metadata cache ------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"AZENVCLOUD_CACHE_DIR": "{tmp}/.azcache"}, id="cache-folder"),
        pytest.param({"AZENVCLOUD_METADATA_TTL": "999999999999"}, id="cache-lifetime"),
        pytest.param({"AZURE_CLOUD_METADATA_URL": "{tmp}/cloud.json"}, id="snapshot"),
    ],
)
def test_the_cache_and_metadata_location_never_come_from_the_implicit_env_file(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    values: dict[str, str],
) -> None:
    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZENVCLOUD_CACHE_DIR"):
        azenvcloud_env.delenv(name)  # the environment names a private cloud by its metadata
    (tmp_path / "cloud.json").write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    ((variable, value),) = values.items()
    env_file = dotenv(tmp_path / ".env", **{variable: value.format(tmp=tmp_path)})
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert_refused_by_the_rule(caught.value, variable, env_file)
    assert fake.requests == []


def test_a_cache_entry_is_used_only_for_the_location_it_was_written_for(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from azenvcloud._metadata_cache import Cache

    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    folder = tmp_path / "azenvcloud-cache"
    forged = {
        "url": "https://attacker.example/metadata/endpoints",
        "fetched_at": time.time(),
        "body": json.dumps(fake.metadata_2022("https://attacker.example")),
    }
    folder.mkdir(mode=0o700, exist_ok=True)
    Cache(folder).path(fake.url).write_text(json.dumps(forged), encoding="utf-8")  # a planted entry
    Cache(folder).path(fake.url).chmod(0o600)
    assert get_settings().authority_host == fake.url
    assert len(fake.requests_of("metadata")) == 1


def test_a_relative_cache_folder_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", ".azcache")
    with pytest.raises(ConfigurationError, match="relative path") as caught:
        get_settings()
    assert caught.value.variables == ("AZENVCLOUD_CACHE_DIR",)


# -- 4. a path to a secret ------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH"])
def test_a_path_to_a_secret_from_the_implicit_env_file_is_refused_before_it_is_read(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    secret_file = tmp_path / "mounted-secret"
    secret_file.write_text("not read\n", encoding="utf-8")
    secret_file.chmod(0o000)  # a read would fail differently: the rule answers first
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    env_file = dotenv(tmp_path / ".env", **{variable: str(secret_file)})
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert_refused_by_the_rule(caught.value, variable, env_file)
    assert_nothing_sent(azenvcloud_fake_cloud)
    # The environment's own value wins and is used: the file's line is then harmless.
    azenvcloud.reset()
    azenvcloud_env.setenv(variable, str(secret_file))
    assert get_settings().authority_host == azenvcloud_fake_cloud.url


# -- smaller leaks --------------------------------------------------------------------------


def test_a_public_search_url_is_refused_under_china(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.search.documents import SearchClient

    with (
        azenvcloud_fake_cloud.as_cloud("china"),
        pytest.raises(ConfigurationError, match="belongs to AzureCloud"),
    ):
        get_client(SearchClient, endpoint="https://s1.search.windows.net", index_name="i1")
    assert azenvcloud_fake_cloud.requests == []


def test_an_endpoint_override_brings_its_own_audience(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv("AZURE_SERVICE_GRAPH_ENDPOINT", "https://dod-graph.microsoft.us")
    assert service_scope("graph") == "https://dod-graph.microsoft.us/.default"
    assert get_settings().source_of("services.graph.audience").detail == "from AZURE_SERVICE_GRAPH_ENDPOINT"


def test_an_endpoint_override_whose_audience_is_not_its_endpoint_needs_its_audience(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_ENDPOINT", "https://st1.blob.core.windows.net")
    with pytest.raises(ConfigurationError, match="set AZURE_SERVICE_BLOB_AUDIENCE") as caught:
        get_settings()
    assert caught.value.variables[0] == "AZURE_SERVICE_BLOB_AUDIENCE"


def test_a_secret_expanded_into_another_value_is_never_printed(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    # What Flask's CLI leaves after expanding ${AZURE_CLIENT_SECRET} in .env before we run.
    dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{CANARY_SECRET}.attacker.example/{'x' * 200}")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert CANARY_SECRET not in str(caught.value)
    assert "<redacted>" in str(caught.value)
    assert main(["show"]) == 2
    assert CANARY_SECRET not in capsys.readouterr().err


def test_a_secret_is_redacted_from_warnings_and_show_lines(
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    logging.getLogger("azenvcloud").warning("azenvcloud: cannot use %s", f"{tmp_path}/{CANARY_SECRET}/cache")
    assert CANARY_SECRET not in caplog.text
    snapshot = tmp_path / CANARY_SECRET / "cloud.json"
    snapshot.parent.mkdir()
    snapshot.write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    for argv in (["show"], ["show", "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "USSec" in out
        assert CANARY_SECRET not in out


def test_the_secret_variables_are_the_ones_provenance_marks_secret() -> None:
    from azenvcloud._provenance import IDENTITY_VARIABLES
    from azenvcloud._secret_values import SECRET_VARIABLES

    assert set(SECRET_VARIABLES) == {name for name, secret in IDENTITY_VARIABLES.items() if secret}


# -- azure-core's own switch ----------------------------------------------------------------


def test_the_sdk_cloud_variable_alone_selects_the_cloud(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", "AZURE_CHINA_CLOUD")
    settings = get_settings()
    assert settings.cloud_name == "AzureChinaCloud"
    assert str(settings.source_of("cloud")) == "environment AZURE_SDK_CLOUD_CONF"
    assert main(["show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["values"]["sdk_cloud_conf"]
    assert shown == {"value": "AZURE_CHINA_CLOUD", "source": "environment AZURE_SDK_CLOUD_CONF"}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("AZURE_US_GOVERNMENT", "one process would talk to two clouds", id="another-cloud"),
        pytest.param(
            "AzureChinaCloud", "azure-core accepts only the exact names", id="refused-by-azure-core"
        ),
        pytest.param("azure_public_cloud", "azure-core accepts only the exact names", id="case-sensitive"),
    ],
)
def test_the_sdk_cloud_variable_must_name_the_resolved_cloud(
    azenvcloud_env: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", value)
    with pytest.raises(ConfigurationError, match=problem) as caught:
        get_settings()
    assert caught.value.variables[0] == "AZURE_SDK_CLOUD_CONF"


def test_the_sdk_cloud_variable_is_read_from_the_environment_only(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv(tmp_path / ".env", AZURE_SDK_CLOUD_CONF="AZURE_CHINA_CLOUD")  # azure-core never sees it
    assert get_settings().cloud_name == "AzureCloud"


# -- what keeps working ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("china", "AzureChinaCloud", id="china"),
        pytest.param("usgov", "AzureUSGovernment", id="usgov"),
        pytest.param("dod", "AzureUSGovernment", id="dod"),
        pytest.param("bleu", "AzureBleuCloud", id="bleu"),
    ],
)
def test_an_implicit_env_file_selects_a_built_in_cloud_for_az_login(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, name: str, expected: str
) -> None:
    cloud = azenvcloud.cloud_from_name(name)
    # It may also repeat the cloud's own values.
    dotenv(tmp_path / ".env", AZURE_CLOUD=name, AZURE_AUTHORITY_HOST=cloud.authority_host)
    settings = get_settings()
    assert settings.cloud_name == expected
    assert settings.source_of("cloud").implicit
    azenvcloud.get_credential()  # `az login`'s credential is in the chain; nothing is asked yet


def test_an_implicit_env_file_holds_the_service_principal_of_a_built_in_cloud(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("china"):
        for name in ("AZURE_CLOUD", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
            azenvcloud_env.delenv(name)
        dotenv(
            tmp_path / ".env",
            AZURE_CLOUD="china",
            AZURE_TENANT_ID=DEFAULT_TENANT_ID,
            AZURE_CLIENT_ID=DEFAULT_CLIENT_ID,
            AZURE_CLIENT_SECRET=fake.client_secret,
        )
        azenvcloud.reset()
        assert [group.name for group in get_resource_client().resource_groups.list()] == [
            "rg-alpha",
            "rg-beta",
        ]
    (token,) = fake.requests_of("token")
    assert (token.host, token.scope) == (
        "login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
    )


def test_an_azure_stack_hub_stamp_in_the_environment_or_a_named_file_still_works(
    azure_stack_adfs: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = ["rg-alpha", "rg-beta"]
    assert [group.name for group in get_resource_client().resource_groups.list()] == names
    named = dotenv(tmp_path / "stamp.env", AZURE_RESOURCE_MANAGER=azure_stack_adfs.url)
    azenvcloud_env.delenv("AZURE_RESOURCE_MANAGER")
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(named))
    azenvcloud.reset()
    assert [group.name for group in get_resource_client().resource_groups.list()] == names
    assert get_settings().source_of("resource_manager").implicit is False


def test_an_air_gapped_cloud_in_a_named_file_still_works(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = dotenv(
        tmp_path / "ussec.env",
        AZURE_CLOUD="USSec",
        AZURE_CLOUD_METADATA_URL=str(DATA / "az-cloud-show-ussec.json"),
    )
    settings = azenvcloud.Settings(_env_file=named)
    assert settings.cloud_name == "USSec"
    assert settings.suffixes.keyvault_dns == ".vault.cloudapi.microsoft.scloud"


def test_dod_selects_the_dod_graph(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "dod")
    assert service_scope("graph") == "https://dod-graph.microsoft.us/.default"


def test_storage_dns_zone_endpoints_are_hosts_of_the_public_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.storage.blob import BlobServiceClient

    client = get_client(BlobServiceClient, account_url="https://st1.z42.blob.storage.azure.net")
    assert client.url.startswith("https://st1.z42.blob.storage.azure.net")
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud.reset()
    with pytest.raises(ConfigurationError, match="belongs to AzureCloud"):
        get_client(BlobServiceClient, account_url="https://st1.z42.blob.storage.azure.net")


def test_every_test_security_md_names_exists() -> None:
    import re

    text = (Path(__file__).parent.parent / "SECURITY.md").read_text(encoding="utf-8")
    named: list[tuple[str, str]] = []
    for cell in re.findall(r"\| (`tests/.*`) \|", text):
        module = ""
        for reference in re.findall(r"`([^`]+)`", cell):
            path, _, name = reference.partition("::")
            module = path or module
            if name:
                named.append((module, name))
    assert len(named) >= 20
    missing = [
        (module, name)
        for module, name in named
        if f"def {name}(" not in (Path(__file__).parent.parent / module).read_text(encoding="utf-8")
    ]
    assert missing == []


def test_a_trusted_source_may_add_an_accepted_host(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from azure.storage.blob import BlobServiceClient

    custom = "https://files.contoso.example"  # a custom domain in front of a storage account
    with pytest.raises(ConfigurationError, match="is not a Storage blobs host of AzureCloud"):
        get_client(BlobServiceClient, account_url=custom)
    azenvcloud.reset()
    azenvcloud_env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", "files.contoso.example, *.cdn.contoso.example")
    assert get_client(BlobServiceClient, account_url=custom).url.startswith(custom)
    assert get_client(BlobServiceClient, account_url="https://st1.cdn.contoso.example").url
    # Never a host of another built-in cloud: that is the mixed-cloud error, whatever is listed.
    azenvcloud.reset()
    azenvcloud_env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", "st1.blob.core.chinacloudapi.cn")
    with pytest.raises(ConfigurationError, match="belongs to AzureChinaCloud"):
        get_client(BlobServiceClient, account_url="https://st1.blob.core.chinacloudapi.cn")
    # And never from the ./.env found in the working directory.
    azenvcloud.reset()
    azenvcloud_env.delenv("AZENVCLOUD_ACCEPTED_HOSTS")
    env_file = dotenv(tmp_path / ".env", AZENVCLOUD_ACCEPTED_HOSTS="files.contoso.example")
    with pytest.raises(ConfigurationError) as caught:
        get_client(BlobServiceClient, account_url=custom)
    assert_refused_by_the_rule(caught.value, "AZENVCLOUD_ACCEPTED_HOSTS", env_file)


@pytest.mark.parametrize(
    "value", ["contoso", "files.contoso.example/path", "*.", "https://files.contoso.example"]
)
def test_an_accepted_host_that_is_no_host_name_is_refused(
    azenvcloud_env: pytest.MonkeyPatch, value: str
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", value)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert caught.value.variables == ("AZENVCLOUD_ACCEPTED_HOSTS",)
