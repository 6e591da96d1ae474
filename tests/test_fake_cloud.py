"""The fake cloud, as a test uses it, as strict as the suite: the loopback fence matches loopback
exactly; host routing (``route_hosts``, ``as_cloud``: a whole cloud's hosts in one call, with or
without selecting it) holds with aiohttp and aiodns, survives contexts closed out of order and
fails at once, naming the host, for a name nobody routed; a certificate for every host the routes
accept; honest answers (404 for what it does not serve, 401 for a wrong secret or scope), what a
user serves, and metadata documents checked when given; nothing written into the user's cache."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import time
import urllib.request
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from helpers import run

import azenvcloud
from azenvcloud import aio, get_client, get_resource_client
from azenvcloud._clouds import cloud_from_name
from azenvcloud.testing import (
    FakeCloud,
    UnroutedHostError,
    cloud_hosts,
    isolated_environment,
    refuse_non_loopback_dns,
)


@pytest.mark.parametrize(
    "name",
    ["127.attacker.example", "127.0.0.1.nip.io", "localhost.", "localhost.attacker.example", "::1.example"],
)
def test_the_dns_fence_refuses_names_that_only_look_like_loopback(name: str) -> None:
    with refuse_non_loopback_dns(), pytest.raises(socket.gaierror, match="refusing to resolve"):
        socket.getaddrinfo(name, 443)


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "127.1.2.3", "::1"])
def test_the_dns_fence_lets_loopback_through(name: str) -> None:
    with refuse_non_loopback_dns():
        assert socket.getaddrinfo(name, 443)


def test_route_hosts_closed_out_of_order_restores_name_resolution(
    azenvcloud_fake_cloud_server: FakeCloud,
) -> None:
    fake = azenvcloud_fake_cloud_server
    before = socket.getaddrinfo
    first = fake.route_hosts("login.chinacloudapi.cn")
    second = fake.route_hosts("management.chinacloudapi.cn")
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer one closes first
    assert socket.getaddrinfo("management.chinacloudapi.cn", 443)[0][4] == ("127.0.0.1", fake.port)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("login.chinacloudapi.cn", 443)  # its route went with its context
    second.__exit__(None, None, None)
    assert socket.getaddrinfo is before


def test_an_unserved_path_is_an_honest_404(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.compute import ComputeManagementClient

    with pytest.raises(ResourceNotFoundError) as caught:
        list(get_client(ComputeManagementClient).virtual_machines.list_all())
    assert caught.value.error is not None
    assert caught.value.error.code == "NotFound"
    assert "FakeCloud.serve()" in str(caught.value)


def test_a_user_serves_their_own_provider_path_behind_the_same_token_check(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    fake = azenvcloud_fake_cloud
    subscription = fake.subscriptions[0]
    fake.serve(
        f"/subscriptions/{subscription}/providers/Microsoft.Compute/virtualMachines",
        {"value": [{"name": "vm-1", "location": "fakeregion", "id": f"/subscriptions/{subscription}/vm-1"}]},
    )
    machines = list(get_client(ComputeManagementClient).virtual_machines.list_all())
    assert [machine.name for machine in machines] == ["vm-1"]
    (call,) = [r for r in fake.requests_of("arm") if "virtualMachines" in r.path]
    assert call.scope == f"{fake.audience}/.default"  # the audience's trailing slash kept (CLI)


def test_a_served_path_refuses_a_token_for_another_scope(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    fake = azenvcloud_fake_cloud
    fake.serve(f"/subscriptions/{fake.subscriptions[0]}/resourcegroups/", lambda request: {"name": "rg-x"})
    fake.accept_scopes("https://management.other.example/.default")
    with pytest.raises(ClientAuthenticationError):
        get_resource_client().resource_groups.get("rg-x")


def _served_certificate(fake: FakeCloud, host: str) -> dict[str, object]:
    """The certificate the fake presents for ``host``, verified against its CA and that name."""
    import ssl

    context = ssl.create_default_context(cafile=fake.ca_bundle)
    with (
        socket.create_connection(("127.0.0.1", fake.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,  # verifies the name
    ):
        return tls.getpeercert()  # type: ignore[return-value]


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("t1.westus2-1.eventgrid.azure.net", id="regional-two-labels"),
        pytest.param("kv1.vault.azure.cn", id="one-label"),
        pytest.param("a.b.c.blob.core.fake.azenvcloud.test", id="three-labels"),
    ],
)
def test_every_host_the_routes_accept_gets_a_certificate_for_it(
    azenvcloud_fake_cloud: FakeCloud, host: str
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.route_hosts(host):  # a name two labels below a wildcard
        assert socket.getaddrinfo(host, 443)[0][4][0] == "127.0.0.1"
        certificate = _served_certificate(fake, host)
    assert certificate["subjectAltName"]


def test_a_name_under_no_served_wildcard_is_still_refused(azenvcloud_fake_cloud: FakeCloud) -> None:
    with (
        pytest.raises(ValueError, match="does not cover"),
        azenvcloud_fake_cloud.route_hosts("t1.example.org"),
    ):
        pass


def test_a_wildcard_route_covers_regional_hosts_below_it(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    with fake.route_hosts("*.eventgrid.azure.us"):
        assert socket.getaddrinfo("t1.usgovvirginia-1.eventgrid.azure.us", 443)[0][4][0] == "127.0.0.1"
        assert _served_certificate(fake, "t1.usgovvirginia-1.eventgrid.azure.us")


# The fence a user adds with azenvcloud[testing]: only loopback connections.
FENCED = ("-p", "no:cacheprovider", "--allow-hosts=127.0.0.1,::1", "-W", "error")


def test_as_cloud_dod_acts_as_us_government_with_the_dod_graph(azenvcloud_fake_cloud: FakeCloud) -> None:
    async def users() -> list[str | None]:
        result = await aio.get_graph_client().users.get()
        assert result is not None
        return [user.display_name for user in result.value or []]

    with azenvcloud_fake_cloud.as_cloud("dod"):
        assert os.environ["AZURE_CLOUD"] == "dod"
        assert run(users) == ["Fake User 1", "Fake User 2"]
    assert azenvcloud_fake_cloud.requests_of("graph")[0].host == "dod-graph.microsoft.us"


def test_aiodns_is_installed_so_aiohttp_would_resolve_names_itself() -> None:
    import aiodns  # noqa: F401  # the test extra installs it: what the routes must survive
    import aiohttp.resolver

    assert aiohttp.resolver.aiodns_default


def test_aiohttp_connectors_resolve_through_the_routes_and_the_fence(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    import aiohttp
    from aiohttp.resolver import ThreadedResolver

    async def resolver_and_answer() -> tuple[type, str]:
        async with aiohttp.ClientSession() as session:
            kind = type(session.connector._resolver)  # type: ignore[union-attr]
            try:
                await session.get("https://example.invalid/")
            except aiohttp.ClientError as exc:
                return kind, str(exc)
        return kind, "answered"

    kind, answer = asyncio.run(resolver_and_answer())
    assert kind is ThreadedResolver
    assert "refusing to resolve" in answer  # the suite's DNS fence, not a real lookup


def test_async_data_plane_clients_go_where_as_cloud_routes_them(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.keyvault.secrets.aio import SecretClient

    async def secret() -> str | None:
        return (await aio.get_client(SecretClient, vault="kv-async18").get_secret("s")).value

    with azenvcloud_fake_cloud.as_cloud("china"):
        assert run(secret) == "fake-value-of-s"
    assert azenvcloud_fake_cloud.requests_of("keyvault")[-1].host == "kv-async18.vault.azure.cn"


USER_ASYNC_TEST = """
import asyncio

import aiodns  # production images install aiohttp[speedups]
import aiohttp  # the app under test imports it before any fixture runs
from azure.keyvault.secrets.aio import SecretClient

from azenvcloud import aio


def run(main):
    async def wrapped():
        try:
            return await main()
        finally:
            await aio.close()
    return asyncio.run(wrapped())


async def groups():
    return [g.name async for g in aio.get_resource_client().resource_groups.list()]


def test_async_lists_resource_groups(azenvcloud_fake_cloud):
    assert run(groups) == ["rg-alpha", "rg-beta"]


def test_async_in_china_reads_a_secret(azenvcloud_fake_cloud):
    async def secret():
        return (await aio.get_client(SecretClient, vault="kv1").get_secret("s")).value

    with azenvcloud_fake_cloud.as_cloud("china"):
        assert run(groups) == ["rg-alpha", "rg-beta"]
        assert run(secret) == "fake-value-of-s"
    assert {r.host for r in azenvcloud_fake_cloud.requests} == {
        "login.chinacloudapi.cn", "management.chinacloudapi.cn", "kv1.vault.azure.cn"
    }
"""


def test_a_users_async_tests_pass_with_aiohttp_and_aiodns_imported_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_async=USER_ASYNC_TEST)
    result = pytester.runpytest_subprocess(*FENCED)
    result.assert_outcomes(passed=2)


def test_a_standalone_fake_covers_and_routes_every_builtin_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with FakeCloud() as fake:
        for name, value in fake.environment().items():
            azenvcloud_env.setenv(name, value)
        azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
        with fake.as_cloud("usgov") as cloud:
            assert [g.name for g in azenvcloud.get_resource_client().resource_groups.list()] == [
                "rg-alpha",
                "rg-beta",
            ]
    assert {r.host for r in fake.requests} == {"login.microsoftonline.us", "management.usgovcloudapi.net"}
    assert cloud.name == "AzureUSGovernment"


def test_route_hosts_routes_a_wildcard(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.route_hosts("*.blob.core.chinacloudapi.cn"):
        ((*_, address),) = socket.getaddrinfo("acct1.blob.core.chinacloudapi.cn", 443)
    assert address == ("127.0.0.1", azenvcloud_fake_cloud.port)


def test_route_hosts_refuses_a_wildcard_the_certificate_does_not_cover_at_once(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    with (
        pytest.raises(ValueError, match=r"\*\.core\.chinacloudapi\.cn"),
        azenvcloud_fake_cloud.route_hosts("*.core.chinacloudapi.cn"),
    ):
        pass


def test_as_cloud_routes_the_whole_data_plane_in_one_call(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.keyvault.secrets import SecretClient
    from azure.storage.blob import BlobServiceClient

    with azenvcloud_fake_cloud.as_cloud("china") as cloud:
        assert (
            azenvcloud.get_client(SecretClient, vault="kv-sync18").get_secret("s").value == "fake-value-of-s"
        )
        blobs = azenvcloud.get_client(BlobServiceClient, account="acct1")
        assert [c.name for c in blobs.list_containers()] == ["c1", "c2"]
    hosts = {r.host for r in azenvcloud_fake_cloud.requests}
    assert {"kv-sync18.vault.azure.cn", "acct1.blob.core.chinacloudapi.cn"} <= hosts
    assert {"*.vault.azure.cn", "login.chinacloudapi.cn", "management.chinacloudapi.cn"} <= set(
        cloud_hosts(cloud)
    )


def test_an_unrouted_azure_host_fails_at_once_naming_it_and_the_remedy(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure.core import PipelineClient
    from azure.core.rest import HttpRequest

    client = PipelineClient("https://kv1.vault.azure.net")
    started = time.monotonic()
    with pytest.raises(UnroutedHostError) as raised:
        client.send_request(HttpRequest("GET", "https://kv1.vault.azure.net/secrets/s"))
    assert time.monotonic() - started < 1
    message = str(raised.value)
    assert "'kv1.vault.azure.net'" in message
    assert "route_hosts" in message
    assert "as_cloud" in message


def test_an_unrouted_cloud_fails_the_sdk_chain_in_under_a_second(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    started = time.monotonic()
    with pytest.raises(Exception, match=r"login\.chinacloudapi\.cn.*route_hosts"):
        list(azenvcloud.get_resource_client().resource_groups.list())
    assert time.monotonic() - started < 1


def test_other_names_are_left_to_the_resolver(azenvcloud_fake_cloud: FakeCloud) -> None:
    with pytest.raises(socket.gaierror, match="refusing to resolve"):  # the suite's fence, not ours
        socket.getaddrinfo("azurite", 10000)


def test_serve_metadata_takes_documents(azenvcloud_fake_cloud: FakeCloud) -> None:
    document = {"name": "Stamp", "authentication": {"loginEndpoint": "https://login.stamp.example/"}}
    azenvcloud_fake_cloud.serve_metadata({"2022-09-01": document})
    context = ssl.create_default_context(cafile=azenvcloud_fake_cloud.ca_bundle)
    url = f"{azenvcloud_fake_cloud.url}/metadata/endpoints?api-version=2022-09-01"
    with urllib.request.urlopen(url, context=context, timeout=5) as answer:  # noqa: S310 - loopback https
        assert (
            answer.read()
            == b'{"name": "Stamp", "authentication": {"loginEndpoint": "https://login.stamp.example/"}}'
        )


def test_serve_metadata_says_at_once_what_it_takes(azenvcloud_fake_cloud: FakeCloud) -> None:
    with pytest.raises(TypeError, match=r"serve_metadata takes \{api_version: document\}.*'2022-09-01': int"):
        azenvcloud_fake_cloud.serve_metadata({"2022-09-01": 42})  # type: ignore[dict-item]


def test_the_fake_writes_nothing_into_the_users_cache(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    azenvcloud_env.setenv("HOME", str(home))
    azenvcloud_env.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    azenvcloud_env.delenv("AZENVCLOUD_CACHE_DIR")
    with FakeCloud() as fake:
        for name, value in fake.environment().items():
            azenvcloud_env.setenv(name, value)
        azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
        with fake.as_cloud("china"):
            list(azenvcloud.get_resource_client().resource_groups.list())
        assert fake.requests_of("openid")  # the document that would have been cached
    assert not home.exists()


def test_as_cloud_alone_keeps_the_cache_in_the_fake(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.delenv("AZENVCLOUD_CACHE_DIR")
    with FakeCloud() as fake, fake.as_cloud("china"):
        assert os.environ["AZENVCLOUD_CACHE_DIR"] == fake.cache_dir
    assert "AZENVCLOUD_CACHE_DIR" not in os.environ


@pytest.mark.parametrize(
    ("in_env_file", "expected_host"),
    [
        pytest.param("china", "management.chinacloudapi.cn", id="dotenv-picks-china"),
        pytest.param("usgov", "management.usgovcloudapi.net", id="dotenv-picks-usgov-not-overridden"),
    ],
)
def test_a_projects_env_file_selects_the_cloud_the_fake_acts_as(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    in_env_file: str,
    expected_host: str,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text(f"AZURE_CLOUD={in_env_file}\n", encoding="utf-8")
    azenvcloud_env.chdir(project)
    with (
        azenvcloud_fake_cloud.as_cloud("china", select=False),
        azenvcloud_fake_cloud.route_hosts(*cloud_hosts(cloud_from_name(in_env_file))),
    ):
        assert "AZURE_CLOUD" not in os.environ
        settings = azenvcloud.get_settings()
        azenvcloud_fake_cloud.accept_scopes(*settings.credential_scopes)
        list(azenvcloud.get_resource_client().resource_groups.list())
    assert azenvcloud_fake_cloud.requests_of("arm")[-1].host == expected_host


@pytest.mark.parametrize(
    ("set_by_test", "expected_host"),
    [
        pytest.param("china", "management.chinacloudapi.cn", id="environment-picks-china"),
        pytest.param("AzureChinaCloud", "management.chinacloudapi.cn", id="canonical-name"),
    ],
)
def test_select_false_keeps_the_azure_cloud_the_test_set(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, set_by_test: str, expected_host: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", set_by_test)
    with azenvcloud_fake_cloud.as_cloud("china", select=False):
        assert os.environ["AZURE_CLOUD"] == set_by_test
        assert azenvcloud.get_settings().cloud_name == "AzureChinaCloud"
        list(azenvcloud.get_resource_client().resource_groups.list())
    assert os.environ["AZURE_CLOUD"] == set_by_test  # restored as the test set it
    assert azenvcloud_fake_cloud.requests_of("arm")[-1].host == expected_host


def test_select_false_keeps_azure_cloud_inside_isolated_environment(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    with FakeCloud() as fake:
        values = {**fake.environment(), "AZURE_CLOUD": "usgov", "AZENVCLOUD_TOKEN_PREFETCH": "false"}
        with isolated_environment(values), fake.as_cloud("usgov", select=False):
            assert os.environ["AZURE_CLOUD"] == "usgov"
            assert [g.name for g in azenvcloud.get_resource_client().resource_groups.list()] == [
                "rg-alpha",
                "rg-beta",
            ]
    assert {r.host for r in fake.requests} == {"login.microsoftonline.us", "management.usgovcloudapi.net"}


def test_select_false_with_another_cloud_in_the_environment_fails_at_its_hosts(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")  # the test set the wrong cloud: the proof fails
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")  # no token from US Government's authority
    with (
        azenvcloud_fake_cloud.as_cloud("china", select=False),
        pytest.raises(ClientAuthenticationError, match=r"nothing routes 'login\.microsoftonline\.us'"),
    ):
        list(azenvcloud.get_resource_client().resource_groups.list())
