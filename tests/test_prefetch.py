"""Token prefetch: building the first client of a scope starts its token request in the
background; the client's first request takes that token, or its error, as if it had made the
request itself. Nothing is prefetched by ``import azenvcloud`` or ``get_settings()``, and
``AZENVCLOUD_TOKEN_PREFETCH=false`` turns it off."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

import azenvcloud
from azenvcloud import aio, get_client, get_credential, get_resource_client, get_subscription_client
from azenvcloud.testing import FakeCloud, wait_for_prefetches

PREFETCH_THREAD = "azenvcloud-token-prefetch"
BAD_SECRET = {
    "error": "invalid_client",
    "error_description": "AADSTS7000215: Invalid client secret provided.",
}


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def from_the_prefetch(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.threadName == PREFETCH_THREAD]


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Exceptions that escaped any thread (a background request must never let one escape)."""
    escaped: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    return escaped


def list_groups() -> list[str]:
    return [group.name for group in get_resource_client().resource_groups.list()]


# -- the token is requested while the client is built, and taken by its first request ----------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(get_resource_client, id="get_resource_client"),
        pytest.param(get_subscription_client, id="get_subscription_client"),
        pytest.param(
            lambda: get_client(__import__("azure.mgmt.compute", fromlist=["x"]).ComputeManagementClient),
            id="get_client(ComputeManagementClient)",
        ),
    ],
)
def test_building_a_management_client_requests_its_token_before_its_first_use(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture, build: Callable[[], object]
) -> None:
    fake = azenvcloud_fake_cloud
    build()
    assert eventually(lambda: len(fake.requests_of("token")) == 1)  # nobody has used the client
    assert fake.requests_of("token")[0].scope == azenvcloud.get_settings().credential_scopes[0]
    assert list_groups() == ["rg-alpha", "rg-beta"]
    assert len(fake.requests_of("token")) == 1  # the first request took the prefetched token
    assert get_credential()._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]
    # What azure-identity logged while it ran is the first request's, shown when it took it.
    assert any("acquired a token" in record.getMessage() for record in from_the_prefetch(caplog))


def test_the_first_request_waits_for_a_prefetch_still_under_way(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.5)
    get_resource_client()
    assert eventually(lambda: len(fake.requests_of("token")) == 1)
    assert list_groups() == ["rg-alpha", "rg-beta"]  # joined the request under way
    assert len(fake.requests_of("token")) == 1


def test_a_prefetch_failure_surfaces_at_the_first_request_as_it_would_without_prefetch(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    thread_errors: list[BaseException],
) -> None:
    fake = azenvcloud_fake_cloud

    def first_request_error(prefetch: bool) -> ClientAuthenticationError:
        fake.reset()
        caplog.clear()
        fake.fail("/token", 401, body=BAD_SECRET)
        client = get_resource_client()  # never raises for the token
        assert eventually(lambda: len(fake.requests_of("token")) == int(prefetch))
        assert wait_for_prefetches(10)
        assert from_the_prefetch(caplog) == []  # nothing shown before the request it is for
        with pytest.raises(ClientAuthenticationError) as caught:
            list(client.resource_groups.list())
        assert len(fake.requests_of("token")) == 1  # the prefetch's error, not a second request
        return caught.value

    prefetched = first_request_error(prefetch=True)
    # What azure-identity logged of the failure is shown with the error it belongs to.
    assert any(record.levelno >= logging.WARNING for record in from_the_prefetch(caplog))
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    azenvcloud.reset()
    direct = first_request_error(prefetch=False)
    assert type(prefetched) is type(direct)
    assert str(prefetched) == str(direct)
    assert "AADSTS7000215" in str(prefetched)
    assert thread_errors == []


def test_a_prefetch_nobody_takes_raises_nothing_and_logs_nothing(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture, thread_errors: list[BaseException]
) -> None:
    fake = azenvcloud_fake_cloud
    fake.fail("/token", 401, body=BAD_SECRET)
    get_resource_client()
    assert eventually(lambda: len(fake.requests_of("token")) == 1)
    assert wait_for_prefetches(10)
    assert from_the_prefetch(caplog) == []  # held for a request that never came
    assert thread_errors == []


def test_an_outcome_nobody_took_in_time_is_dropped_and_the_request_asks_afresh(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azenvcloud import _single_flight

    fake = azenvcloud_fake_cloud
    fake.fail("/token", 401, body=BAD_SECRET)
    client = get_resource_client()
    assert eventually(lambda: len(fake.requests_of("token")) == 1)
    assert wait_for_prefetches(10)
    monkeypatch.setattr(_single_flight, "PREFETCH_KEPT_FOR", 0.0)  # as if the request came much later
    assert [group.name for group in client.resource_groups.list()] == ["rg-alpha", "rg-beta"]
    assert len(fake.requests_of("token")) == 2


# -- when nothing is prefetched ----------------------------------------------------------------


def test_turned_off_building_a_client_requests_nothing(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    get_resource_client()
    assert wait_for_prefetches(10)
    assert fake.requests_of("token") == []
    assert azenvcloud.get_settings().sources["token_prefetch"].kind == "environment"
    assert list_groups() == ["rg-alpha", "rg-beta"]
    assert len(fake.requests_of("token")) == 1


def test_get_settings_and_get_credential_prefetch_nothing(azenvcloud_fake_cloud: FakeCloud) -> None:
    azenvcloud.get_settings()
    get_credential()
    assert wait_for_prefetches(10)
    assert azenvcloud_fake_cloud.requests == []


def test_importing_azenvcloud_starts_no_thread_and_no_request(azenvcloud_fake_cloud: FakeCloud) -> None:
    code = (
        "import threading, azenvcloud; azenvcloud.get_settings(); "
        "print(sorted(t.name for t in threading.enumerate()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == ["MainThread"]
    assert azenvcloud_fake_cloud.requests == []


def test_check_without_online_contacts_nothing(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azenvcloud._cli import main

    assert main(["check"]) == 0
    assert wait_for_prefetches(10)
    assert azenvcloud_fake_cloud.requests == []


def test_a_client_that_cannot_be_built_requests_nothing(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    with pytest.raises(azenvcloud.ConfigurationError, match="not-a-guid"):
        get_client(ComputeManagementClient, subscription_id="not-a-guid")
    with pytest.raises(azenvcloud.ConfigurationError, match="not-a-guid"):
        get_resource_client("not-a-guid")
    assert wait_for_prefetches(10)
    assert azenvcloud_fake_cloud.requests_of("token") == []


# -- fork and reset while a prefetch is under way -----------------------------------------------


def test_a_child_forked_during_a_prefetch_makes_its_own_request(
    azenvcloud_fake_cloud: FakeCloud, forked: Callable[[Callable[[], object]], object]
) -> None:
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 3.0)
    get_resource_client()
    credential = get_credential()
    scope = azenvcloud.get_settings().credential_scopes[0]
    assert eventually(lambda: len(fake.requests_of("token")) == 1)  # the prefetch is in flight

    def in_the_child() -> list[object]:
        started = time.monotonic()
        # The parent's credential, whose prefetch has no thread here: its own request.
        credential.get_token_info(scope)
        groups = list_groups()  # and a client of its own
        return [time.monotonic() - started, groups]

    answer = forked(in_the_child)
    assert isinstance(answer, list)
    waited, groups = answer
    assert groups == ["rg-alpha", "rg-beta"]
    assert waited < 20
    assert list_groups() == ["rg-alpha", "rg-beta"]  # the parent takes its own prefetch
    # The parent's prefetch and the child's own request; the child's second credential is
    # served the token its first one received (azenvcloud._token_store keeps it in memory).
    assert len(fake.requests_of("token")) == 2


def test_reset_during_a_prefetch_drops_it_and_the_next_client_asks_anew(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture, thread_errors: list[BaseException]
) -> None:
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 1.0)
    get_resource_client()
    before = get_credential()
    assert eventually(lambda: len(fake.requests_of("token")) == 1)  # in flight
    azenvcloud.reset()
    fake.latency("/token", 0)
    assert list_groups() == ["rg-alpha", "rg-beta"]
    assert get_credential() is not before
    assert wait_for_prefetches(10)
    assert len(fake.requests_of("token")) == 2
    assert before._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]  # nothing kept
    acquired = [r for r in from_the_prefetch(caplog) if "acquired a token" in r.getMessage()]
    assert len(acquired) == 1  # the new client's; the dropped prefetch showed nothing
    assert thread_errors == []


# -- async clients -------------------------------------------------------------------------------


def run(main: Callable[[], Any]) -> Any:
    async def and_close() -> Any:
        try:
            return await main()
        finally:
            await aio.close()

    return asyncio.run(and_close())


def test_an_async_client_takes_the_token_its_build_prefetched(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud

    async def main() -> list[str]:
        client = aio.get_resource_client()
        for _ in range(500):  # the prefetch is a task of this loop: let it run
            if fake.requests_of("token"):
                break
            await asyncio.sleep(0.01)
        assert len(fake.requests_of("token")) == 1  # before the client's first request
        names = [group.name async for group in client.resource_groups.list()]
        assert aio.get_credential()._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]
        return names

    assert run(main) == ["rg-alpha", "rg-beta"]
    assert len(fake.requests_of("token")) == 1


def test_an_async_prefetch_failure_surfaces_at_the_first_request(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    fake = azenvcloud_fake_cloud
    fake.fail("/token", 401, body=BAD_SECRET)

    async def main() -> None:
        client = aio.get_resource_client()  # never raises for the token
        for _ in range(500):
            await asyncio.sleep(0.01)
            flight = next(iter(aio.get_credential()._azenvcloud_sharing.flights._flights.values()), None)  # type: ignore[attr-defined]
            if flight is not None and flight.future.done():
                break
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # held until taken
        with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
            [group async for group in client.resource_groups.list()]
        assert [r for r in caplog.records if r.levelno >= logging.WARNING]  # shown at the request

    run(main)
    assert len(fake.requests_of("token")) == 1


# -- data-plane clients whose first request's scope azenvcloud knows -------------------------------


def test_blob_and_logs_clients_take_the_token_their_build_prefetched(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure.monitor.query import LogsQueryClient
    from azure.storage.blob import BlobServiceClient

    fake = azenvcloud_fake_cloud
    with (
        fake.as_cloud("china"),
        fake.route_hosts("st1.blob.core.chinacloudapi.cn", "api.loganalytics.azure.cn"),
    ):
        blobs = get_client(BlobServiceClient, account="st1")
        logs = get_client(LogsQueryClient)
        assert eventually(lambda: len(fake.requests_of("token")) == 2)  # before either is used
        assert [container.name for container in blobs.list_containers()] == ["c1", "c2"]
        logs.query_workspace("ws-1", "print 1", timespan=None)
        assert get_credential()._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]
    assert sorted(request.scope or "" for request in fake.requests_of("token")) == [
        "https://api.loganalytics.azure.cn/.default",
        "https://storage.azure.com/.default",
    ]


@pytest.mark.parametrize(
    ("dotted", "arguments", "call", "host", "scope"),
    [
        (
            "azure.appconfiguration.AzureAppConfigurationClient",
            {"store": "ac1"},
            lambda client: client.get_configuration_setting("k"),
            "ac1.azconfig.azure.us",
            "https://appconfig.azure.us/.default",
        ),
        (
            "azure.search.documents.SearchClient",
            {"service": "s1", "index_name": "i1"},
            lambda client: client.get_document_count(),
            "s1.search.azure.us",
            "https://search.azure.us/.default",
        ),
        (
            "azure.search.documents.indexes.SearchIndexClient",
            {"service": "s1"},
            lambda client: client.get_index("i1"),
            "s1.search.azure.us",
            "https://search.azure.us/.default",
        ),
    ],
    ids=["AzureAppConfigurationClient", "SearchClient", "SearchIndexClient"],
)
def test_app_configuration_and_search_take_the_token_their_build_prefetched(
    azenvcloud_fake_cloud: FakeCloud, dotted: str, arguments: dict[str, str], call: Any, host: str, scope: str
) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    module, name = dotted.rsplit(".", 1)
    client_class = getattr(__import__(module, fromlist=[name]), name)
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("usgov"), fake.route_hosts(host):
        client = get_client(client_class, **arguments)
        assert eventually(lambda: len(fake.requests_of("token")) == 1)  # before it is used
        with pytest.raises(ResourceNotFoundError):  # the fake serves no such data: its honest 404
            call(client)
        assert get_credential()._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]
    assert [request.scope for request in fake.requests_of("token")] == [scope]
    assert fake.requests[-1].host == host  # the request itself went to the cloud's host
