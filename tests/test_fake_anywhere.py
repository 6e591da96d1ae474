"""Testing against the fake cloud in any layout (issue 18): one CA setting for every transport
azenvcloud builds, routing that holds with aiodns installed, and a fake that works standalone,
routes whole clouds, fails fast on what nobody routed, and runs as its own process."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from helpers import GUARDED_CHECK, group_names, run

import azenvcloud
from azenvcloud import aio
from azenvcloud._ca import ca_setting
from azenvcloud._clouds import cloud_from_name
from azenvcloud.testing import FakeCloud, UnroutedHostError, cloud_hosts, isolated_environment

# The fence a user adds with azenvcloud[testing]: only loopback connections.
FENCED = ("-p", "no:cacheprovider", "--allow-hosts=127.0.0.1,::1", "-W", "error")


@pytest.fixture
def own_fake(azenvcloud_env: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    """A standalone fake with a CA of its own (no client in this process trusted it at import),
    the environment pointed at it."""
    azenvcloud_env.delenv("CURL_CA_BUNDLE", raising=False)  # the order's second: the shell's must not win
    with FakeCloud() as fake:
        for name, value in fake.environment().items():
            azenvcloud_env.setenv(name, value)
        azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
        yield fake
    azenvcloud.reset()


# -- one CA setting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param(
            {"REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem", "SSL_CERT_FILE": "/s.pem"},
            ("/r.pem", "REQUESTS_CA_BUNDLE"),
            id="requests-first",
        ),
        pytest.param(
            {"CURL_CA_BUNDLE": "/c.pem", "SSL_CERT_FILE": "/s.pem"},
            ("/c.pem", "CURL_CA_BUNDLE"),
            id="curl-next",
        ),
        pytest.param({"SSL_CERT_FILE": "/s.pem"}, ("/s.pem", "SSL_CERT_FILE"), id="ssl-cert-file-last"),
        pytest.param(
            {"REQUESTS_CA_BUNDLE": " ", "SSL_CERT_FILE": "/s.pem"},
            ("/s.pem", "SSL_CERT_FILE"),
            id="empty-counts-as-unset",
        ),
    ],
)
def test_ca_setting_reads_one_documented_order(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: tuple[str, str]
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    setting = ca_setting()
    assert (setting.path, setting.variable) == expected


def test_ca_setting_falls_back_to_the_system_store(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    setting = ca_setting()
    assert (setting.path, setting.variable) == (ssl.get_default_verify_paths().cafile, None)


def test_async_clients_trust_requests_ca_bundle(
    own_fake: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.delenv("SSL_CERT_FILE")  # what aiohttp would read, and only at import
    assert run(group_names) == ["rg-alpha", "rg-beta"]
    assert [r.kind for r in own_fake.requests] == ["token", "arm"]


def test_sync_clients_trust_ssl_cert_file(own_fake: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.delenv("REQUESTS_CA_BUNDLE")  # requests alone would read only this one
    assert [g.name for g in azenvcloud.get_resource_client().resource_groups.list()] == [
        "rg-alpha",
        "rg-beta",
    ]


def test_the_graph_client_trusts_requests_ca_bundle(
    own_fake: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.delenv("SSL_CERT_FILE")  # what httpx would read

    async def users() -> list[str | None]:
        result = await aio.get_graph_client().users.get()
        assert result is not None
        return [user.display_name for user in result.value or []]

    with own_fake.as_cloud("china"):
        assert run(users) == ["Fake User 1", "Fake User 2"]
    assert own_fake.requests_of("graph")[0].host == "microsoftgraph.chinacloudapi.cn"


def test_as_cloud_dod_acts_as_us_government_with_the_dod_graph(azenvcloud_fake_cloud: FakeCloud) -> None:
    async def users() -> list[str | None]:
        result = await aio.get_graph_client().users.get()
        assert result is not None
        return [user.display_name for user in result.value or []]

    with azenvcloud_fake_cloud.as_cloud("dod"):
        assert os.environ["AZURE_CLOUD"] == "dod"
        assert run(users) == ["Fake User 1", "Fake User 2"]
    assert azenvcloud_fake_cloud.requests_of("graph")[0].host == "dod-graph.microsoft.us"


# -- routing with aiodns installed ------------------------------------------------------------


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


# -- a fake that runs anywhere -----------------------------------------------------------------


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


# -- the fake as its own process ----------------------------------------------------------------


def test_demo_serve_runs_the_fake_for_check_online(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AZURE_")}
    (tmp_path / "run").mkdir(mode=0o700)  # its files go to the user's runtime folder: this test's own
    environment["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
    with subprocess.Popen(
        [sys.executable, "-m", "azenvcloud", "demo", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=tmp_path,
    ) as server:
        try:
            exported = _exports_until_serving(server)
            check = subprocess.run(
                [sys.executable, "-c", GUARDED_CHECK],
                env={**environment, **exported},
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            server.terminate()
        assert server.wait(timeout=10) == 0
    assert check.returncode == 0, check.stderr
    assert "1 listed" in check.stdout
    bundle = exported["SSL_CERT_FILE"]
    assert exported["REQUESTS_CA_BUNDLE"] == exported["CURL_CA_BUNDLE"] == bundle
    assert not Path(bundle).exists()  # its files went with it


def _exports_until_serving(server: subprocess.Popen[str]) -> dict[str, str]:
    """The variables ``demo --serve`` printed; checks its CA bundle while the fake still runs."""
    assert server.stdout is not None
    exported: dict[str, str] = {}
    for line in server.stdout:
        if line.startswith("# serving"):
            break
        if line.startswith("export "):
            name, value = shlex.split(line[len("export ") :])[0].split("=", 1)
            exported[name] = value
    bundle = Path(exported["SSL_CERT_FILE"]).read_text(encoding="utf-8")
    trusted = ca_setting().path
    assert trusted is not None
    assert bundle.startswith(Path(trusted).read_text(encoding="utf-8").rstrip("\n"))  # the shell's CAs
    assert (
        bundle.count("BEGIN CERTIFICATE")
        == Path(trusted).read_text(encoding="utf-8").count("BEGIN CERTIFICATE") + 1
    )  # ... and the fake's
    return exported


# -- selecting by environment variable (issue 28) ----------------------------------------------


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
