"""A token goes only where a trusted source sends it (azenvcloud._trust, SECURITY.md).

The attacker can write ``./.env`` in the working directory (a cloned repository) but not the
process environment. Each attack runs the real azure-identity and SDK code against the loopback
fake, whose certificate also covers the "attacker" hosts (``*.blob.core.fake.azenvcloud.test``,
``*.vault.fake.azenvcloud.test``): had a token been sent there, the fake would have recorded it.
Metadata is read only from a trusted location, a Resource Manager from ``./.env`` never stands in
for one the metadata lacks, and a built-in name there must agree with it. Then the set-ups that
must keep working, each as it is used."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    ATTACKER_HOST,
    DATA,
    assert_nothing_sent,
    assert_refused_by_the_rule,
    dotenv,
    list_graph_users,
)

import azenvcloud
from azenvcloud import ConfigurationError, get_client, get_resource_client, get_settings, service_scope
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


# -- azure-core's own switch ----------------------------------------------------------------


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


def test_a_relative_snapshot_path_is_refused(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The repository ships cloud.json; the environment names it relatively.
    (tmp_path / "cloud.json").write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "cloud.json")
    with pytest.raises(ConfigurationError, match="relative path") as caught:
        get_settings()
    assert caught.value.variables == ("AZURE_CLOUD_METADATA_URL",)


def test_instance_discovery_is_not_turned_on_by_the_implicit_env_file(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path
) -> None:
    env_file = dotenv(tmp_path / ".env", AZURE_DISABLE_INSTANCE_DISCOVERY="false")
    with (
        azenvcloud_fake_cloud.route_hosts("login.microsoftonline.com"),
        pytest.raises(ConfigurationError) as caught,
    ):
        get_resource_client()
    assert_refused_by_the_rule(caught.value, "AZURE_DISABLE_INSTANCE_DISCOVERY", env_file)
    assert azenvcloud_fake_cloud.requests == []


@pytest.mark.parametrize("location", ["AZURE_CLOUD_METADATA_URL", "ARM_CLOUD_METADATA_URL"])
@pytest.mark.parametrize("document", ["metadata_azure_stack_adfs", "metadata_2015"])
def test_a_resource_manager_from_the_implicit_env_file_never_stands_in_for_one_the_metadata_lacks(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str,
    location: str,
) -> None:
    fake = azenvcloud_fake_cloud
    fake.serve_metadata({"2022-09-01": getattr(fake, document)})  # no resourceManager in it
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    if document == "metadata_azure_stack_adfs":
        azenvcloud_env.delenv("AZURE_TENANT_ID")  # ADFS: tenant adfs
    azenvcloud_env.setenv(location, fake.url)  # the stamp, named in the environment
    env_file = dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{ATTACKER_HOST}")
    with fake.route_hosts(ATTACKER_HOST), pytest.raises(ConfigurationError) as caught:
        list(get_resource_client().resource_groups.list())
    assert_refused_by_the_rule(caught.value, "AZURE_RESOURCE_MANAGER", env_file)
    assert_nothing_sent(fake)


@pytest.mark.parametrize("name", ["AzureCloud", "dod"])
def test_a_built_in_name_from_the_implicit_env_file_must_agree_with_the_metadata(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    for variable in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(variable)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", azenvcloud_fake_cloud.url)
    dotenv(tmp_path / ".env", AZURE_CLOUD=name)
    with pytest.raises(ConfigurationError):
        get_settings()


@pytest.mark.parametrize("document", ["metadata_azure_stack_adfs", "metadata_2015"])
def test_the_stamps_own_resource_manager_from_the_implicit_env_file_is_still_accepted(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, document: str
) -> None:
    fake = azenvcloud_fake_cloud  # the metadata lacks resourceManager: the location's is the stamp's
    fake.serve_metadata({"2022-09-01": getattr(fake, document)})
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", fake.url)
    dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=fake.url)
    assert get_settings().resource_manager == fake.url


def test_a_relative_file_url_snapshot_is_refused_and_an_absolute_path_works(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "cloud.json").write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "./cloud.json")
    with pytest.raises(ConfigurationError, match="give an absolute path"):
        get_settings()
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(tmp_path / "cloud.json"))
    assert get_settings().cloud_name == "USSec"


def test_instance_discovery_from_the_implicit_env_file_may_repeat_the_derived_value(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv(tmp_path / ".env", AZURE_CLOUD="china", AZURE_DISABLE_INSTANCE_DISCOVERY="false")
    assert get_settings().disable_instance_discovery is False


def test_a_resource_manager_from_the_implicit_env_file_never_completes_a_snapshot_that_lacks_one(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    snapshot = tmp_path / "stamp" / "cloud.json"  # a 2015-01-01 document: no resourceManager
    snapshot.parent.mkdir()
    snapshot.write_text(json.dumps(fake.metadata_2015(fake.url)), encoding="utf-8")
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    env_file = dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{ATTACKER_HOST}")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert_refused_by_the_rule(caught.value, "AZURE_RESOURCE_MANAGER", env_file)
    assert_nothing_sent(fake)
