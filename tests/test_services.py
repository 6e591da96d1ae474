"""Data-plane services per cloud: sourced values only, never a public fallback, overrides with
their source (an ``_ENDPOINT`` brings its audience), private clouds from their metadata, and a
full URL checked against the cloud: another cloud's host refused, the cloud's own forms (Storage's
DNS-zone endpoints) accepted, and more hosts only from a trusted ``AZENVCLOUD_ACCEPTED_HOSTS``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import (
    DATA,
    assert_refused_by_the_rule,
    dotenv,
)

import azenvcloud
from azenvcloud import (
    SERVICE_NAMES,
    ConfigurationError,
    Settings,
    check_service_url,
    get_client,
    get_settings,
    service_scope,
    service_url,
)
from azenvcloud import _builtin_services as data
from azenvcloud._cli import main
from azenvcloud._clouds import BUILTIN_CLOUDS
from azenvcloud.testing import FakeCloud


@pytest.mark.parametrize(
    ("cloud", "expected"),
    [
        pytest.param(
            "public",
            {
                ("keyvault", "kv1"): "https://kv1.vault.azure.net",
                ("blob", "st1"): "https://st1.blob.core.windows.net",
                ("graph", None): "https://graph.microsoft.com",
                ("log_analytics", None): "https://api.loganalytics.io",
            },
            id="public",
        ),
        pytest.param(
            "china",
            {
                ("keyvault", "kv1"): "https://kv1.vault.azure.cn",
                ("blob", "st1"): "https://st1.blob.core.chinacloudapi.cn",
                ("graph", None): "https://microsoftgraph.chinacloudapi.cn",
                ("log_analytics", None): "https://api.loganalytics.azure.cn",
            },
            id="china",
        ),
        pytest.param(
            "usgov",
            {
                ("keyvault", "kv1"): "https://kv1.vault.usgovcloudapi.net",
                ("dfs", "st1"): "https://st1.dfs.core.usgovcloudapi.net",
                ("graph", None): "https://graph.microsoft.us",  # the CLI's trailing slash, normalised once
                ("servicebus", "sb1"): "https://sb1.servicebus.usgovcloudapi.net",
            },
            id="usgov",
        ),
    ],
)
def test_service_urls_are_built_from_the_clouds_suffixes(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, expected: dict[tuple[str, str | None], str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    assert {key: service_url(*key) for key in expected} == expected


@pytest.mark.parametrize(
    ("cloud", "service", "scope"),
    [
        ("china", "blob", "https://storage.azure.com/.default"),  # the same in every cloud
        ("china", "cosmos", "https://cosmos.azure.cn/.default"),
        ("usgov", "graph", "https://graph.microsoft.us/.default"),  # not //.default
        ("usgov", "monitor_ingestion", "https://monitor.azure.us/.default"),
        ("public", "acr", "https://containerregistry.azure.net/.default"),
    ],
)
def test_service_scopes_are_the_clouds(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, service: str, scope: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    assert service_scope(service) == scope


@pytest.mark.parametrize(
    ("cloud", "ask", "variable"),
    [
        pytest.param(
            "bleu", lambda: service_scope("blob"), "AZURE_SERVICE_BLOB_AUDIENCE", id="bleu-storage-audience"
        ),
        pytest.param(
            "bleu",
            lambda: service_url("log_analytics"),
            "AZURE_SERVICE_LOG_ANALYTICS_ENDPOINT",
            id="bleu-logs",
        ),
        pytest.param(
            "china", lambda: service_url("search", "s1"), "AZURE_SERVICE_SEARCH_SUFFIX", id="china-search"
        ),
        pytest.param(
            "usgov", lambda: service_scope("servicebus"), "AZURE_SERVICE_SERVICEBUS_AUDIENCE", id="usgov-sb"
        ),
    ],
)
def test_an_unknown_value_is_an_error_naming_its_variable_never_the_public_value(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, ask: object, variable: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    with pytest.raises(ConfigurationError) as caught:
        ask()  # type: ignore[operator]
    assert caught.value.variables == (variable,)
    assert "never uses another cloud's" in str(caught.value)


def test_the_builtin_values_beyond_the_cli_are_for_sourced_clouds_only() -> None:
    assert set(data.SERVICES) == {"AzureCloud", "AzureChinaCloud", "AzureUSGovernment", "AzureBleuCloud"}
    assert data.SERVICES["AzureBleuCloud"] == {  # Bleu: Application Insights' ingestion suffix alone [AI2]
        "appinsights": {"suffix": "applicationinsights.sovcloud-api.fr"}
    }
    for cloud, services in data.SERVICES.items():
        assert set(services) <= {*SERVICE_NAMES, "storage"}, cloud
        for service, fields in services.items():
            assert set(fields) <= {"suffix", "audience"}, (cloud, service)
            assert all(not value.startswith(".") and not value.endswith("/") for value in fields.values())
    # Where China and US Government have a value, it is theirs, not the public cloud's.
    public = data.SERVICES["AzureCloud"]
    for cloud in ("AzureChinaCloud", "AzureUSGovernment"):
        for service, fields in data.SERVICES[cloud].items():
            same = {k for k, v in fields.items() if public[service].get(k) == v}
            assert same <= ({"audience"} if service in {"storage", "acr"} else set()), (cloud, service, same)


def test_a_service_value_is_overridden_from_the_environment_or_env_file_with_its_source(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv("AZURE_SERVICE_SEARCH_SUFFIX", ".search.azure.cn")
    (tmp_path / "china.env").write_text(
        "AZURE_SERVICE_SERVICEBUS_AUDIENCE=https://servicebus.chinacloudapi.cn/\n"
    )
    azenvcloud_env.setenv(
        "AZENVCLOUD_ENV_FILE", str(tmp_path / "china.env")
    )  # named: trusted with a destination
    settings = azenvcloud.get_settings()
    assert service_url("search", "s1") == "https://s1.search.azure.cn"
    assert service_scope("servicebus") == "https://servicebus.chinacloudapi.cn/.default"
    assert settings.source_of("services.search.suffix").kind == "environment"
    assert settings.source_of("services.servicebus.audience").kind == "dotenv"
    assert settings.cloud.services["search"].suffix == "search.azure.cn"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("AZURE_SERVICE_KEYVALT_SUFFIX", "vault.example", "names no service"),
        ("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.example/evil", "not a valid DNS name"),
        ("AZURE_SERVICE_GRAPH_ENDPOINT", "http://graph.example", "only https:// is allowed"),
        ("AZURE_SERVICE_BLOB_AUDIENCE", "https://admin:pw@storage.example", "user-info"),
    ],
)
def test_a_bad_service_override_names_its_variable(
    azenvcloud_env: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    azenvcloud_env.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=problem) as caught:
        Settings()
    assert caught.value.variables == (variable,)
    assert "pw@" not in str(caught.value)


def test_a_private_cloud_has_the_services_its_description_gives(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(DATA / "az-cloud-show-ussec.json"))
    assert service_url("keyvault", "kv1") == "https://kv1.vault.cloudapi.microsoft.scloud"
    assert service_url("blob", "st1") == "https://st1.blob.core.microsoft.scloud"
    assert service_url("graph") == "https://graph.microsoft.scloud"
    with pytest.raises(ConfigurationError, match="AZURE_SERVICE_BLOB_AUDIENCE"):
        service_scope("blob")  # no source says USSec's storage audience: not the public one


def test_a_full_url_of_another_cloud_is_refused_before_any_request(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    assert check_service_url("keyvault", "https://KV1.vault.azure.cn/", argument="vault_url") == (
        "https://kv1.vault.azure.cn"
    )
    with pytest.raises(ConfigurationError) as caught:
        check_service_url("keyvault", "https://kv1.vault.azure.net", argument="vault_url")
    message = str(caught.value)
    assert "belongs to AzureCloud" in message
    assert "resolves AzureChinaCloud" in message
    assert caught.value.variables == ("vault_url", "AZURE_CLOUD")


def test_a_resource_name_is_one_dns_label(azenvcloud_env: pytest.MonkeyPatch) -> None:
    for bad in ("kv1.evil.example", "kv1/../x", "", "-kv"):
        with pytest.raises(ConfigurationError, match="one DNS label"):
            service_url("keyvault", bad)


def test_show_and_clouds_list_the_services(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv("AZURE_SERVICE_GRAPH_ENDPOINT", "https://dod-graph.microsoft.us")
    assert main(["show", "--json"]) == 0
    services = json.loads(capsys.readouterr().out)["services"]
    assert services["keyvault"]["suffix"] == "vault.usgovcloudapi.net"
    assert services["graph"]["endpoint"] == "https://dod-graph.microsoft.us"
    assert services["graph"]["endpoint_source"] == "AZURE_SERVICE_GRAPH_ENDPOINT <- environment"
    assert main(["clouds", "--json"]) == 0
    listed = {c["name"]: c["services"] for c in json.loads(capsys.readouterr().out) if c["kind"] == "builtin"}
    assert listed["AzureBleuCloud"]["blob"]["audience"] is None
    assert listed["AzureChinaCloud"]["blob"]["suffix"] == "blob.core.chinacloudapi.cn"
    assert set(listed) == set(BUILTIN_CLOUDS)


@pytest.mark.parametrize("name", ["usgovernmentl5", "dod", "DoD", "USGovernmentL5"])
def test_dod_is_us_government_with_the_dod_graph(azenvcloud_env: pytest.MonkeyPatch, name: str) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", name)
    settings = azenvcloud.get_settings()
    assert settings.cloud_name == "AzureUSGovernment"
    assert settings.authority_host == "https://login.microsoftonline.us"
    assert service_url("graph") == "https://dod-graph.microsoft.us"
    assert service_scope("graph") == "https://dod-graph.microsoft.us/.default"
    assert str(settings.source_of("services.graph.endpoint")) == f"derived from AZURE_CLOUD={name}"
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernmentl4")  # GCC High: the government Graph
    assert service_url("graph") == "https://graph.microsoft.us"


def test_other_tools_variables_under_the_prefix_are_left_alone(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_PRINCIPAL_ID", "00000000-0000-0000-0000-000000000000")
    azenvcloud_env.setenv("AZURE_SERVICE_CONNECTION", "my-connection")
    assert Settings().cloud_name == "AzureCloud"


def test_service_scope_of_key_vault_says_it_comes_from_the_challenge(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(azenvcloud.ConfigurationError) as raised:
        azenvcloud.service_scope("keyvault")
    message = str(raised.value)
    assert "challenge" in message
    assert 'azenvcloud.get_client(SecretClient, vault="<name>")' in message
    assert raised.value.variables == ("AZURE_SERVICE_KEYVAULT_AUDIENCE",)


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


def test_storage_dns_zone_endpoints_are_hosts_of_the_public_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.storage.blob import BlobServiceClient

    client = get_client(BlobServiceClient, account_url="https://st1.z42.blob.storage.azure.net")
    assert client.url.startswith("https://st1.z42.blob.storage.azure.net")
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud.reset()
    with pytest.raises(ConfigurationError, match="belongs to AzureCloud"):
        get_client(BlobServiceClient, account_url="https://st1.z42.blob.storage.azure.net")


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
