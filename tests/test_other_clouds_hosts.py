"""No token and no secret reaches a host another built-in cloud owns, from any source.

Every case selects one cloud and names a destination another built-in cloud owns (by a sourced
host or suffix, or by its DNS zone): a data collection endpoint under ``monitor.azure.com`` for
US Government's Monitor token, a public Key Vault suffix under US Government, a custom cloud's
values. Each source is tried (the environment, a ``.env`` file you name, code, and the ``./.env``
merely found in the working directory) against the real SDK clients on the loopback fake; the
fake records every request, so "nothing sent" is checked, not assumed. Then ``check`` and
``show`` must say what ``get_client`` does, and App Configuration's two host forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import STAMP_ARM, STAMP_AUDIENCE, assert_nothing_sent, list_graph_users, stamp_metadata

import azenvcloud
from azenvcloud import ConfigurationError, get_client, get_settings
from azenvcloud._cli import main
from azenvcloud._clouds import BUILTIN_CLOUDS
from azenvcloud._metadata import cloud_to_snapshot
from azenvcloud.testing import FakeCloud

DCE = "https://dce-1.eastus-1.ingest.monitor.azure.com"  # a public data collection endpoint
DCE_HOST = "dce-1.eastus-1.ingest.monitor.azure.com"


def assert_mixed_cloud_error(error: ConfigurationError, variable: str, *clouds: str) -> None:
    """The mixed-cloud error: naming the variable first, both clouds, and suggesting nothing that
    would mix them (no host of a cloud other than the resolved one after "Accepted:")."""
    message = str(error)
    assert error.variables[0] == variable, message
    assert re.search("values of two clouds", message, re.IGNORECASE), message
    for cloud in clouds:
        assert cloud in message, message
    assert_suggests_no_other_clouds_host(message, resolved=clouds[-1])


def assert_suggests_no_other_clouds_host(message: str, *, resolved: str) -> None:
    from azenvcloud._host_owner import owner_of_host

    accepted = message.partition("Accepted:")[2]
    assert accepted, message
    for word in re.findall(r"[a-z0-9*][a-z0-9.*-]+\.[a-z]{2,}", accepted.lower()):
        owner = owner_of_host(word.lstrip("*."))
        assert owner is None or owner.clouds <= {resolved}, (word, message)


def write(path: Path, **values: str) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()), encoding="utf-8")
    return path


# -- the attempts: the real clients, each making its first request ----------------------------


def read_a_secret() -> None:
    from azure.keyvault.secrets import SecretClient

    get_client(SecretClient, vault="kv1").get_secret("s")


def upload_logs() -> None:
    from azure.monitor.ingestion import LogsIngestionClient

    get_client(LogsIngestionClient).upload("dcr-1", "Custom-Stream", [{"a": 1}])


def upload_logs_to_the_public_endpoint() -> None:
    from azure.monitor.ingestion import LogsIngestionClient

    get_client(LogsIngestionClient, endpoint=DCE).upload("dcr-1", "Custom-Stream", [{"a": 1}])


def list_resource_groups() -> None:
    list(azenvcloud.get_resource_client().resource_groups.list())


# (variables a source sets, the variable the error names, the attempt); all under US Government.
CASES = [
    pytest.param(
        {"AZURE_SERVICE_KEYVAULT_SUFFIX": "vault.azure.net"},
        "AZURE_SERVICE_KEYVAULT_SUFFIX",
        read_a_secret,
        id="key-vault-suffix",
    ),
    pytest.param(
        {
            "AZURE_SERVICE_MONITOR_INGESTION_ENDPOINT": DCE,
            "AZURE_SERVICE_MONITOR_INGESTION_AUDIENCE": "https://monitor.azure.us",
        },
        "AZURE_SERVICE_MONITOR_INGESTION_ENDPOINT",
        upload_logs,
        id="data-collection-endpoint",
    ),
    pytest.param(
        {"AZURE_SERVICE_GRAPH_ENDPOINT": "https://graph.microsoft.com"},
        "AZURE_SERVICE_GRAPH_ENDPOINT",
        list_graph_users,
        id="graph-endpoint",
    ),
    pytest.param(
        {"AZURE_AUTHORITY_HOST": "https://sts.contoso.azure.com"},
        "AZURE_AUTHORITY_HOST",
        list_resource_groups,
        id="authority-in-a-public-zone",
    ),
    pytest.param(
        {"AZENVCLOUD_ACCEPTED_HOSTS": DCE_HOST},
        "AZENVCLOUD_ACCEPTED_HOSTS",
        upload_logs_to_the_public_endpoint,
        id="accepted-host",
    ),
]


@pytest.mark.parametrize(("variables", "named", "attempt"), CASES)
@pytest.mark.parametrize("source", ["environment", "named-env-file"])
def test_a_host_of_another_cloud_from_the_environment_or_a_named_env_file_is_the_mixed_cloud_error(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    source: str,
    variables: dict[str, str],
    named: str,
    attempt: Callable[[], None],
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("usgovernment"):
        if source == "environment":
            for name, value in variables.items():
                azenvcloud_env.setenv(name, value)
        else:
            azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(write(tmp_path / "app.env", **variables)))
        with pytest.raises(ConfigurationError) as caught:
            attempt()
    assert_mixed_cloud_error(caught.value, named, "AzureCloud", "AzureUSGovernment")
    assert_nothing_sent(fake)


@pytest.mark.parametrize(("variables", "named", "attempt"), CASES)
def test_a_host_of_another_cloud_from_the_implicit_env_file_is_refused(
    azenvcloud_fake_cloud: FakeCloud,
    tmp_path: Path,
    variables: dict[str, str],
    named: str,
    attempt: Callable[[], None],
) -> None:
    fake = azenvcloud_fake_cloud
    write(tmp_path / ".env", **variables)
    with fake.as_cloud("usgovernment"), pytest.raises(ConfigurationError) as caught:
        attempt()
    message = str(caught.value)
    assert caught.value.variables[0] == named
    assert "found in the working directory" in message  # the trust rule, before anything
    # Naming the file or moving the value to the environment would be the mixed-cloud error:
    # neither is offered; removing it is.
    assert f"Accepted: remove {named} from that file: a value of AzureCloud would be" in message
    assert "AZENVCLOUD_ENV_FILE=" not in message
    assert "in the environment." not in message
    assert_nothing_sent(fake)


@pytest.mark.parametrize(
    ("arguments", "named", "attempt"),
    [
        pytest.param({}, "endpoint", upload_logs_to_the_public_endpoint, id="endpoint-argument"),
        pytest.param(
            {"accepted_hosts": DCE_HOST},
            "AZENVCLOUD_ACCEPTED_HOSTS",
            upload_logs_to_the_public_endpoint,
            id="accepted-hosts-argument",
        ),
        pytest.param(
            {"authority_host": "https://sts.contoso.azure.com"},
            "AZURE_AUTHORITY_HOST",
            list_resource_groups,
            id="authority-argument",
        ),
    ],
)
def test_a_host_of_another_cloud_from_code_is_the_mixed_cloud_error(
    azenvcloud_fake_cloud: FakeCloud, arguments: dict[str, str], named: str, attempt: Callable[[], None]
) -> None:
    fake = azenvcloud_fake_cloud

    def configured_and_attempted() -> None:
        azenvcloud.configure(cloud="usgovernment", **arguments)
        attempt()

    with fake.as_cloud("usgovernment"), pytest.raises(ConfigurationError) as caught:
        configured_and_attempted()
    assert_mixed_cloud_error(caught.value, named, "AzureCloud", "AzureUSGovernment")
    assert_nothing_sent(fake)


def test_the_reported_case_a_public_data_collection_endpoint_gets_no_us_government_token(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("usgovernment"), pytest.raises(ConfigurationError) as caught:
        upload_logs_to_the_public_endpoint()
    message = str(caught.value)
    assert message.startswith(f"endpoint='{DCE}' belongs to AzureCloud (it is in azure.com, a DNS zone of")
    assert "AZENVCLOUD_ACCEPTED_HOSTS" not in message  # listing it would not help: never suggested
    assert_nothing_sent(fake)


def test_a_host_of_no_built_in_zone_is_still_taken_as_given(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.monitor.ingestion import LogsIngestionClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    client = get_client(LogsIngestionClient, endpoint="https://my-dce.example.org")
    assert client._config.credential_scopes == ["https://monitor.azure.us/.default"]


def test_a_zone_never_makes_a_host_acceptable_for_its_own_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.storage.blob import BlobServiceClient

    with pytest.raises(ConfigurationError) as caught:  # a virtual machine anyone can rent
        get_client(BlobServiceClient, account_url="https://vm1.eastus.cloudapp.azure.com")
    message = str(caught.value)
    assert "is not a Storage blobs host of AzureCloud" in message
    assert "two clouds" not in message  # it is of no other cloud: no such claim


# -- custom clouds: anchored to a built-in authority, or with their own -----------------------


def entra_id_stamp(**changes: Any) -> Callable[[str], dict[str, Any]]:
    """An Azure Stack Hub stamp with Microsoft Entra ID (the public authority), as the fake serves it."""
    return lambda base: stamp_metadata(resourceManager=f"{base}/", **changes)


def as_entra_id_stamp(fake: FakeCloud, env: pytest.MonkeyPatch, **changes: Any) -> None:
    fake.serve_metadata({"2022-09-01": entra_id_stamp(**changes)})
    env.delenv("AZURE_AUDIENCE")
    env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com")


def test_an_entra_id_stamp_keeps_its_authority_and_that_clouds_graph(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    as_entra_id_stamp(
        azenvcloud_fake_cloud,
        azenvcloud_env,
        graphEndpoint="https://graph.windows.net/",  # as a stamp's metadata says
        microsoftGraphResourceId="https://graph.microsoft.com/",
    )
    settings = get_settings()
    assert settings.cloud_name == "AzureStackCloud"
    assert settings.cloud.services["graph"].endpoint == "https://graph.microsoft.com"


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        pytest.param(
            {"suffixes": {"keyVaultDns": "vault.azure.net"}},
            "'vault.azure.net'",
            id="public-key-vault-suffix",
        ),
        pytest.param(
            {"suffixes": {"storage": "core.windows.net"}}, "'blob.core.windows.net'", id="public-storage"
        ),
        pytest.param(
            {"microsoftGraphResourceId": "https://graph.microsoft.us/"},
            "'https://graph.microsoft.us'",
            id="another-clouds-graph",
        ),
        pytest.param(
            {"logAnalyticsResourceId": "https://api.loganalytics.io"},
            "'https://api.loganalytics.io'",
            id="public-log-analytics",
        ),
    ],
)
def test_an_entra_id_stamp_may_use_no_other_host_in_a_built_in_zone(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, changes: dict[str, Any], shown: str
) -> None:
    as_entra_id_stamp(azenvcloud_fake_cloud, azenvcloud_env, **changes)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    message = str(caught.value)
    assert shown in message
    assert "(from the metadata at" in message
    assert "AzureStackCloud" in message
    assert azenvcloud_fake_cloud.requests_of("token") == []


def test_an_adfs_stamp_may_use_no_built_in_zone(
    azure_stack_adfs: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azure_stack_adfs

    def document(base: str) -> list[dict[str, Any]]:
        (stamp,) = fake.metadata_azure_stack_adfs(base)
        return [{**stamp, "suffixes": {"keyVaultDns": "vault.contoso.azure.com"}}]

    fake.serve_metadata({"2022-09-01": document})
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    message = str(caught.value)
    assert "'vault.contoso.azure.com'" in message
    assert "in azure.com, a DNS zone of AzureCloud" in message
    assert fake.requests_of("token") == []


def test_a_custom_cloud_of_three_values_may_use_no_built_in_zone(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://adfs.contoso.example")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://arm.contoso.usgovcloudapi.net")
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://arm.contoso.example")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert caught.value.variables[0] == "AZURE_RESOURCE_MANAGER"
    assert "in usgovcloudapi.net, a DNS zone of AzureUSGovernment" in str(caught.value)


def test_an_authority_in_a_built_in_zone_that_is_no_authority_host_anchors_nothing(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.contoso.chinacloudapi.cn")  # no exact host
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", STAMP_ARM)
    azenvcloud_env.setenv("AZURE_AUDIENCE", STAMP_AUDIENCE)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert caught.value.variables[0] == "AZURE_AUTHORITY_HOST"
    assert "in chinacloudapi.cn, a DNS zone of AzureChinaCloud" in str(caught.value)


def test_metadata_of_a_built_in_cloud_with_another_clouds_suffix_is_refused(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = cloud_to_snapshot(BUILTIN_CLOUDS["AzureUSGovernment"])
    document["suffixes"]["keyvaultDns"] = ".vault.azure.net"
    snapshot = tmp_path / "cloud.json"
    snapshot.write_text(json.dumps(document), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    message = str(caught.value)
    assert "'vault.azure.net'" in message
    assert "(from the metadata at" in message
    assert_suggests_no_other_clouds_host(message, resolved="AzureUSGovernment")


# -- 2. service overrides of another cloud; check and show agree ------------------------------


@pytest.mark.parametrize(("variables", "named", "attempt"), CASES)
@pytest.mark.parametrize("command", ["check", "show"])
def test_check_and_show_refuse_what_get_client_refuses(
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    variables: dict[str, str],
    named: str,
    attempt: Callable[[], None],
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    azenvcloud.reset()
    assert main([command]) == 2
    error = capsys.readouterr().err
    assert error == f"azenvcloud: configuration error: {caught.value}\n"
    assert named in error


def test_a_public_key_vault_suffix_under_us_government_fails_check(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    azenvcloud_env.setenv("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.azure.net")
    assert main(["check"]) == 2
    error = capsys.readouterr().err
    assert "AZURE_SERVICE_KEYVAULT_SUFFIX='vault.azure.net' (environment)" in error
    assert "vault.usgovcloudapi.net" in error  # the cloud's own value, to go back to


def test_the_refusal_of_a_public_vault_url_suggests_no_variable_that_would_mix_clouds(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azure.keyvault.secrets import SecretClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    with pytest.raises(ConfigurationError) as caught:
        get_client(SecretClient, vault_url="https://kv1.vault.azure.net")
    message = str(caught.value)
    assert "AZURE_SERVICE_KEYVAULT_SUFFIX" not in message
    assert "AZENVCLOUD_ACCEPTED_HOSTS" not in message
    assert_mixed_cloud_error(caught.value, "vault_url", "AzureCloud", "AzureUSGovernment")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("AZURE_SERVICE_COSMOS_AUDIENCE", "https://cosmos.azure.com", id="cosmos"),
        pytest.param("AZURE_SERVICE_KEYVAULT_AUDIENCE", "https://vault.azure.net", id="key-vault"),
        pytest.param(
            "AZURE_SERVICE_LOG_ANALYTICS_AUDIENCE", "https://api.loganalytics.io", id="log-analytics"
        ),
    ],
)
def test_an_audience_of_another_cloud_is_the_mixed_cloud_error_suggesting_the_clouds_own(
    azenvcloud_env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    azenvcloud_env.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert variable in caught.value.variables
    message = str(caught.value)
    assert re.search("values of two clouds", message, re.IGNORECASE), message
    assert f"unset {variable}" in message
    assert_suggests_no_other_clouds_host(message, resolved="AzureUSGovernment")


def test_an_audience_is_never_judged_by_zone(azenvcloud_env: pytest.MonkeyPatch) -> None:
    # No source names https://storage.azure.us as an audience: it is in US Government's zone,
    # but audiences are judged only against the sourced audiences, never by zone.
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_AUDIENCE", "https://storage.azure.us")
    assert get_settings().cloud.services["blob"].audience == "https://storage.azure.us"


# -- 3. App Configuration's two host forms ------------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "host", "scope"),
    [
        pytest.param(
            "usgovernment", "mystore.appconfig.azure.us", "https://appconfig.azure.us/.default", id="us-new"
        ),
        pytest.param(
            "usgovernment", "mystore.azconfig.azure.us", "https://appconfig.azure.us/.default", id="us-old"
        ),
        pytest.param(
            "china", "mystore.appconfig.azure.cn", "https://appconfig.azure.cn/.default", id="china-new"
        ),
        pytest.param(
            "china", "mystore.azconfig.azure.cn", "https://appconfig.azure.cn/.default", id="china-old"
        ),
    ],
)
def test_app_configuration_takes_both_host_forms_with_the_sourced_audience_on_the_wire(
    azenvcloud_fake_cloud: FakeCloud, cloud: str, host: str, scope: str
) -> None:
    from azure.appconfiguration import AzureAppConfigurationClient
    from azure.core.exceptions import ResourceNotFoundError

    fake = azenvcloud_fake_cloud
    with fake.as_cloud(cloud), fake.route_hosts(host):
        client = get_client(AzureAppConfigurationClient, base_url=f"https://{host}")
        with pytest.raises(ResourceNotFoundError):  # the fake serves no such data: its honest 404
            client.get_configuration_setting("k")
    assert [request.scope for request in fake.requests_of("token")] == [scope]
    assert fake.requests[-1].host == host
    assert fake.requests[-1].scope == scope  # the token the store received was issued for it


@pytest.mark.parametrize(
    ("cloud", "suffix", "alternatives"),
    [
        ("public", "azconfig.io", ()),
        ("usgovernment", "azconfig.azure.us", ("appconfig.azure.us",)),
        ("china", "azconfig.azure.cn", ("appconfig.azure.cn",)),
    ],
)
def test_app_configuration_has_its_sourced_host_forms_and_short_names_keep_the_first(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, suffix: str, alternatives: tuple[str, ...]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    service = get_settings().cloud.services["appconfig"]
    assert (service.suffix, service.alternative_suffixes) == (suffix, alternatives)
    assert azenvcloud.service_url("appconfig", "mystore") == f"https://mystore.{suffix}"


def test_a_suffix_override_replaces_every_app_configuration_host_form(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azure.appconfiguration import AzureAppConfigurationClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_SUFFIX", "config.contoso.example")  # a private
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_AUDIENCE", "https://config.contoso.example")  # deployment
    service = get_settings().cloud.services["appconfig"]
    assert (service.suffix, service.alternative_suffixes) == ("config.contoso.example", ())
    with pytest.raises(ConfigurationError) as caught:
        get_client(AzureAppConfigurationClient, base_url="https://mystore.appconfig.azure.us")
    message = str(caught.value)
    assert "is not an App Configuration host of AzureUSGovernment" in message
    assert "two clouds" not in message


@pytest.mark.parametrize(
    ("cloud", "url", "expected"),
    [
        pytest.param(
            "public",
            "https://mystore.appconfig.azure.us",
            "belongs to AzureUSGovernment",
            id="us-store-under-public",
        ),
        pytest.param(
            "usgovernment", "https://mystore.azconfig.io", "belongs to AzureCloud", id="public-store-under-us"
        ),
        pytest.param(
            "china",
            "https://mystore.appconfig.azure.us",
            "belongs to AzureUSGovernment",
            id="us-store-under-china",
        ),
    ],
)
def test_another_clouds_app_configuration_host_is_the_mixed_cloud_error(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, url: str, expected: str
) -> None:
    from azure.appconfiguration import AzureAppConfigurationClient

    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    with pytest.raises(ConfigurationError, match=expected) as caught:
        get_client(AzureAppConfigurationClient, base_url=url)
    resolved = get_settings().cloud_name
    assert_suggests_no_other_clouds_host(str(caught.value), resolved=resolved)


def test_a_host_of_no_cloud_is_described_in_english_not_as_two_clouds(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azure.appconfiguration import AzureAppConfigurationClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    with pytest.raises(ConfigurationError) as caught:
        get_client(AzureAppConfigurationClient, base_url="https://mystore.example.org")
    message = str(caught.value)
    assert message.startswith(
        "base_url='https://mystore.example.org' is not an App Configuration host of AzureUSGovernment, whose "
        "App Configuration hosts are *.azconfig.azure.us and *.appconfig.azure.us"
    )
    assert "two clouds" not in message
