"""One CA setting for every transport azenvcloud builds: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then
SSL_CERT_FILE, then the system store, read each time a transport is built, trusted alike by the sync
(requests), async (aiohttp) and Microsoft Graph (httpx) clients."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
from helpers import group_names, run

import azenvcloud
from azenvcloud import aio
from azenvcloud._ca import ca_setting
from azenvcloud.testing import FakeCloud


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
