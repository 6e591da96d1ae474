"""Data-plane clients built for the resolved cloud by ``get_client``: the real SDKs, on the wire
against the fake cloud where it serves the service, and their constructed URL and scope where
it does not yet."""

from __future__ import annotations

import asyncio
import gc
import uuid

import pytest

import azenvcloud
from azenvcloud import ConfigurationError, aio, get_client
from azenvcloud._parsers import host_of
from azenvcloud.testing import FakeCloud

VAULT_SUFFIX = {
    "public": "vault.azure.net",
    "china": "vault.azure.cn",
    "usgov": "vault.usgovcloudapi.net",
    "bleu": "vault.sovcloud-api.fr",
}


@pytest.mark.parametrize("cloud", sorted(VAULT_SUFFIX))
def test_a_secret_client_reads_the_clouds_vault_with_the_scope_its_challenge_named(
    azenvcloud_fake_cloud: FakeCloud, cloud: str
) -> None:
    from azure.keyvault.secrets import SecretClient

    fake, suffix = azenvcloud_fake_cloud, VAULT_SUFFIX[cloud]
    # azure-keyvault keeps each vault's challenge for the whole process (its ChallengeCache): a
    # vault no client of this process has asked before, so that its challenge is asked here.
    name = f"kv-{uuid.uuid4().hex[:12]}"
    with fake.as_cloud(cloud) as expected, fake.route_hosts(f"{name}.{suffix}"):
        assert get_client(SecretClient, vault=name).get_secret("s").value == "fake-value-of-s"
    (token,) = fake.requests_of("token")
    assert token.host == host_of(expected.authority_host)
    assert token.scope == f"https://{suffix}/.default"
    vault = fake.requests_of("keyvault")
    assert [(request.host, request.bearer is not None) for request in vault] == [
        (f"{name}.{suffix}", False),  # the challenge
        (f"{name}.{suffix}", True),
    ]
    assert vault[-1].scope == f"https://{suffix}/.default"


def test_the_async_secret_client_does_the_same(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.keyvault.secrets.aio import SecretClient

    fake = azenvcloud_fake_cloud

    async def read() -> str | None:
        try:
            return (await aio.get_client(SecretClient, vault="kv1").get_secret("s")).value
        finally:
            await aio.close()

    with fake.as_cloud("china"), fake.route_hosts("kv1.vault.azure.cn"):
        assert asyncio.run(read()) == "fake-value-of-s"
    assert fake.requests_of("token")[0].scope == "https://vault.azure.cn/.default"


def test_a_vault_url_of_another_cloud_is_refused_before_any_request(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.keyvault.secrets import SecretClient

    with (
        azenvcloud_fake_cloud.as_cloud("china"),
        pytest.raises(ConfigurationError, match="belongs to AzureCloud"),
    ):
        get_client(SecretClient, vault_url="https://kv1.vault.azure.net")
    assert azenvcloud_fake_cloud.requests == []


STORAGE_SUFFIX = {
    "public": "core.windows.net",
    "china": "core.chinacloudapi.cn",
    "usgov": "core.usgovcloudapi.net",
}
LOGS_HOST = {
    "public": "api.loganalytics.io",
    "china": "api.loganalytics.azure.cn",
    "usgov": "api.loganalytics.us",
}


@pytest.mark.parametrize("cloud", sorted(STORAGE_SUFFIX))
def test_a_blob_service_client_lists_and_round_trips_on_the_clouds_account_host(
    azenvcloud_fake_cloud: FakeCloud, cloud: str
) -> None:
    from azure.storage.blob import BlobServiceClient

    fake, host = azenvcloud_fake_cloud, f"st1.blob.{STORAGE_SUFFIX[cloud]}"
    with fake.as_cloud(cloud), fake.route_hosts(host):
        service = get_client(BlobServiceClient, account="st1")
        assert [container.name for container in service.list_containers()] == ["c1", "c2"]
        blob = service.get_blob_client("c1", "hello.txt")
        blob.upload_blob(b"hello from azenvcloud", overwrite=True)
        assert blob.download_blob().readall() == b"hello from azenvcloud"
    requests = fake.requests_of("blob")
    assert {request.host for request in requests} == {host}
    assert {request.scope for request in requests} == {"https://storage.azure.com/.default"}
    (token,) = fake.requests_of("token")
    assert token.scope == "https://storage.azure.com/.default"


@pytest.mark.parametrize("cloud", sorted(LOGS_HOST))
def test_a_logs_query_posts_to_the_clouds_log_analytics_with_its_scope(
    azenvcloud_fake_cloud: FakeCloud, cloud: str
) -> None:
    from azure.monitor.query import LogsQueryClient

    fake, host = azenvcloud_fake_cloud, LOGS_HOST[cloud]
    with fake.as_cloud(cloud) as expected, fake.route_hosts(host):
        result = get_client(LogsQueryClient).query_workspace("ws-1", "print 1", timespan=None)
    (table,) = result.tables  # type: ignore[union-attr]
    assert [list(row) for row in table.rows] == [["ws-1", f"https://{host}/.default"]]
    (query,) = fake.requests_of("log_analytics")
    assert (query.method, query.host, query.path) == ("POST", host, "/v1/workspaces/ws-1/query")
    assert fake.requests_of("token")[0].host == host_of(expected.authority_host)


@pytest.mark.parametrize(
    ("cloud", "url", "scope"),
    [
        ("china", "https://st1.blob.core.chinacloudapi.cn/", "https://storage.azure.com/.default"),
        ("usgov", "https://st1.blob.core.usgovcloudapi.net/", "https://storage.azure.com/.default"),
    ],
)
def test_a_blob_service_client_gets_the_clouds_account_url_and_storage_scope(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, url: str, scope: str
) -> None:
    from azure.storage.blob import BlobServiceClient

    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    client = get_client(BlobServiceClient, account="st1")
    assert client.url == url
    assert client._credential_policy._scopes == (scope,)


def test_a_logs_query_client_gets_the_clouds_endpoint_and_scope(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.monitor.query import LogsQueryClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    client = get_client(LogsQueryClient)
    assert client._endpoint == "https://api.loganalytics.us"
    assert client._config.credential_scopes == ["https://api.loganalytics.us/.default"]


def test_a_service_the_cloud_has_no_value_for_names_the_variable(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.monitor.query import LogsQueryClient
    from azure.storage.blob import BlobServiceClient

    azenvcloud_env.setenv("AZURE_CLOUD", "bleu")
    with pytest.raises(ConfigurationError) as caught:
        get_client(LogsQueryClient)
    assert caught.value.variables == ("AZURE_SERVICE_LOG_ANALYTICS_ENDPOINT",)
    with pytest.raises(ConfigurationError) as caught:
        get_client(BlobServiceClient, account="st1")
    assert caught.value.variables == ("AZURE_SERVICE_BLOB_AUDIENCE",)


def test_data_plane_clients_are_cached_per_name(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.keyvault.secrets import SecretClient

    first = get_client(SecretClient, vault="kv1")
    assert get_client(SecretClient, vault="kv1") is first
    assert get_client(SecretClient, vault="kv2") is not first
    assert get_client(SecretClient, vault="kv1").vault_url == "https://kv1.vault.azure.net"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "needs vault='<name>'"),
        ({"vault": "kv1", "vault_url": "https://kv1.vault.azure.net"}, "not both"),
        ({"vault": "kv1", "credential": object()}, "credential is set by azenvcloud"),
        (
            {"vault": "kv1", "subscription_id": "00000000-0000-0000-0000-000000000000"},
            "takes no subscription_id",
        ),
    ],
)
def test_data_plane_arguments_are_checked(
    azenvcloud_env: pytest.MonkeyPatch, arguments: dict[str, object], message: str
) -> None:
    from azure.keyvault.secrets import SecretClient

    with pytest.raises(TypeError, match=message):
        get_client(SecretClient, **arguments)  # type: ignore[arg-type]


def test_importing_azenvcloud_loads_no_data_plane_sdk() -> None:
    import subprocess
    import sys

    families = (
        "azure.keyvault",
        "azure.storage",
        "azure.monitor",
        "azure.cosmos",
        "azure.servicebus",
        "msgraph",
    )
    code = (
        "import sys, azenvcloud, azenvcloud._dataplane; "
        f"print(sorted(m for m in sys.modules if m.startswith({families!r})))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        == "[]\n"
    )
    from azenvcloud._dataplane import RECIPES

    assert len(RECIPES) >= 15  # every recipe was found, and no SDK was imported for it


GRAPH_HOST = {
    "public": "graph.microsoft.com",
    "china": "microsoftgraph.chinacloudapi.cn",
    "usgov": "graph.microsoft.us",
}


@pytest.mark.parametrize("cloud", sorted(GRAPH_HOST))
def test_the_graph_client_lists_users_from_the_clouds_graph_with_its_scope(
    azenvcloud_fake_cloud: FakeCloud, cloud: str
) -> None:
    fake, host = azenvcloud_fake_cloud, GRAPH_HOST[cloud]

    async def users() -> list[str | None]:
        try:
            result = await aio.get_graph_client().users.get()
            assert result is not None
            return [user.display_name for user in result.value or []]
        finally:
            await aio.close()

    with fake.as_cloud(cloud) as expected, fake.route_hosts(host):
        assert asyncio.run(users()) == ["Fake User 1", "Fake User 2"]
    gc.collect()  # aio.close() closed every connection: none is left for the collector to warn about
    (call,) = fake.requests_of("graph")
    assert (call.host, call.path) == (host, "/v1.0/users")
    assert call.scope == f"https://{host}/.default"
    assert fake.requests_of("token")[0].host == host_of(expected.authority_host)


# -- recipes whose services the fake does not serve yet: the real client as built ------------


def test_container_registry_app_configuration_and_search_get_the_clouds_hosts_and_audiences(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azure.appconfiguration import AzureAppConfigurationClient
    from azure.containerregistry import ContainerRegistryClient
    from azure.search.documents import SearchClient

    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    registry = get_client(ContainerRegistryClient, registry="cr1")
    assert registry._endpoint == "https://cr1.azurecr.us"
    store = get_client(AzureAppConfigurationClient, store="ac1")
    assert store._impl._config.endpoint == "https://ac1.azconfig.azure.us"
    assert store._impl._config.credential_scopes == ["https://appconfig.azure.us/.default"]
    search = get_client(SearchClient, service="s1", index_name="i1")
    assert search._config.endpoint == "https://s1.search.azure.us"
    assert search._config.credential_scopes == ["https://search.azure.us/.default"]


def test_cosmos_gets_the_clouds_scope_not_the_public_fallback(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.cosmos import CosmosClient
    from azure.cosmos.exceptions import CosmosHttpResponseError

    fake = azenvcloud_fake_cloud
    with (
        fake.as_cloud("china"),
        fake.route_hosts("db1.documents.azure.cn"),
        pytest.raises(CosmosHttpResponseError),
    ):
        get_client(CosmosClient, account="db1")  # it reads its account at once: on the fake's host
    (token,) = fake.requests_of("token")
    assert token.scope == "https://cosmos.azure.cn/.default"  # not the account URL's, not the public one
    assert {r.host for r in fake.requests if r.kind == "arm"} == {"db1.documents.azure.cn"}  # it retried


def test_service_bus_and_event_hubs_get_the_namespace_host_and_refuse_an_unknown_audience(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    from azure.eventhub import EventHubProducerClient
    from azure.servicebus import ServiceBusClient

    bus = get_client(ServiceBusClient, namespace="sb1")
    assert bus.fully_qualified_namespace == "sb1.servicebus.windows.net"
    assert bus._credential.scope == "https://servicebus.azure.net/.default"
    hub = get_client(EventHubProducerClient, namespace="eh1", eventhub_name="hub")
    assert hub._address.hostname == "eh1.servicebus.windows.net"
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    with pytest.raises(ConfigurationError) as caught:
        get_client(ServiceBusClient, namespace="sb1")
    assert caught.value.variables == ("AZURE_SERVICE_SERVICEBUS_AUDIENCE",)
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_SERVICE_SERVICEBUS_AUDIENCE", "https://servicebus.chinacloudapi.cn")
    bus = get_client(ServiceBusClient, fully_qualified_namespace="sb1.servicebus.chinacloudapi.cn")
    assert bus._credential.scope == "https://servicebus.chinacloudapi.cn/.default"
    with pytest.raises(ConfigurationError, match="belongs to AzureCloud"):
        get_client(ServiceBusClient, fully_qualified_namespace="sb1.servicebus.windows.net")


def test_an_unknown_client_class_is_a_type_error_that_shows_the_way(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    class TextAnalyticsClient:  # an SDK without a recipe
        __module__ = "azure.ai.textanalytics"

    with pytest.raises(TypeError) as caught:
        get_client(TextAnalyticsClient)
    message = str(caught.value)
    assert "SecretClient" in message
    assert "BlobServiceClient" in message
    assert "azenvcloud.service_url(service, name)" in message
    assert "azenvcloud.service_scope(service)" in message


def test_an_adfs_stamps_vault_comes_from_its_metadata_and_skips_the_resource_check(
    azure_stack_adfs: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.keyvault.secrets import SecretClient

    azenvcloud_env.setenv("AZURE_API_PROFILE", "2020-09-01-hybrid")
    client = get_client(SecretClient, vault="kv1")
    assert client.vault_url == "https://kv1.vault.local.azurestack.external"
    policy = client._client._config.authentication_policy
    assert policy._verify_challenge_resource is False  # ADFS names vault.adfs.<fqdn>/<guid> (#28081)
    assert client.api_version == "2016-10-01"  # the profile's Key Vault data plane (azure-common)
    assert get_client(SecretClient, vault="kv1", api_version="7.1").api_version == "7.1"  # explicit wins


def test_a_private_clouds_vault_and_accounts_come_from_its_metadata_on_the_wire(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.keyvault.secrets import SecretClient

    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)  # the Resource Manager alone: the rest from its metadata
    assert azenvcloud.service_url("blob", "st1") == "https://st1.blob.core.fake.azenvcloud.test"
    with pytest.raises(ConfigurationError, match="AZURE_SERVICE_BLOB_AUDIENCE"):
        azenvcloud.service_scope("blob")  # a private cloud's storage audience: not assumed
    with fake.route_hosts("kv1.vault.fake.azenvcloud.test"):
        assert get_client(SecretClient, vault="kv1").get_secret("s").value == "fake-value-of-s"
    (token,) = fake.requests_of("token")
    assert token.scope == "https://vault.fake.azenvcloud.test/.default"


def test_the_async_blob_and_logs_clients_do_the_same(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.monitor.query.aio import LogsQueryClient
    from azure.storage.blob.aio import BlobServiceClient

    fake = azenvcloud_fake_cloud

    async def run() -> tuple[list[str], list[list[object]]]:
        try:
            names = [c.name async for c in aio.get_client(BlobServiceClient, account="st1").list_containers()]
            result = await aio.get_client(LogsQueryClient).query_workspace("ws-1", "print 1", timespan=None)
            return names, [list(row) for row in result.tables[0].rows]  # type: ignore[union-attr]
        finally:
            await aio.close()

    with (
        fake.as_cloud("china"),
        fake.route_hosts("st1.blob.core.chinacloudapi.cn", "api.loganalytics.azure.cn"),
    ):
        names, rows = asyncio.run(run())
    assert names == ["c1", "c2"]
    assert rows == [["ws-1", "https://api.loganalytics.azure.cn/.default"]]
    assert {r.scope for r in fake.requests_of("blob")} == {"https://storage.azure.com/.default"}
