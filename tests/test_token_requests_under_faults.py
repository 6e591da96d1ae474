"""The token path under faults: a leader that is cancelled or interrupted fails nobody else, a
prefetch that cannot start leaves nothing behind, a prefetch logs nothing for a client nobody
uses, waiters on a failed metadata fetch get its exception's type, and configure() never lets a
client be built from new settings and an old credential."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import MetadataUnavailableError, aio, get_credential
from azenvcloud import _clients as clients
from azenvcloud import _metadata_source as source
from azenvcloud import _settings as settings
from azenvcloud._metadata_cache import Cache
from azenvcloud._single_flight import wait_for_prefetches
from azenvcloud.testing import FakeCloud

RACERS = 16


def scope() -> str:
    return azenvcloud.get_settings().credential_scopes[0]


def flights_of(credential: object) -> Any:
    return credential._azenvcloud_sharing.flights  # type: ignore[attr-defined]


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def start_racers(count: int, work: Callable[[], object]) -> tuple[list[threading.Thread], list[object]]:
    results: list[object] = []

    def one() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # an interruption shared by mistake is a result here
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


# -- threads: a leader interrupted ----------------------------------------------------------


def lead(marker: threading.local, work: Callable[[], object]) -> object:
    marker.is_it = True  # this thread's request is the one interrupted
    return work()


@pytest.mark.parametrize(
    "interruption",
    [pytest.param(KeyboardInterrupt, id="keyboard-interrupt"), pytest.param(SystemExit, id="system-exit")],
)
def test_racing_threads_get_tokens_when_the_leader_is_interrupted(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch, interruption: type[BaseException]
) -> None:
    from azure import identity

    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.3)
    credential = get_credential()
    leader = threading.local()
    original = identity.DefaultAzureCredential.get_token

    def interrupted_in_the_leader(self: Any, *scopes: str, **kwargs: Any) -> Any:
        if getattr(leader, "is_it", False):
            time.sleep(0.5)  # the others are waiting on this request by now
            raise interruption()
        return original(self, *scopes, **kwargs)

    monkeypatch.setattr(identity.DefaultAzureCredential, "get_token", interrupted_in_the_leader)
    leaders, led = start_racers(1, lambda: lead(leader, lambda: credential.get_token(scope())))
    wait_until(lambda: bool(flights_of(credential)._flights))
    waiters, results = start_racers(RACERS - 1, lambda: credential.get_token(scope()))
    for thread in [*leaders, *waiters]:
        thread.join(30)
    assert [type(result) for result in led] == [interruption]  # its own
    assert len(results) == RACERS - 1
    assert all(result.token.startswith("fake-token-") for result in results)  # type: ignore[attr-defined]
    assert len(fake.requests_of("token")) == 1  # the waiters' fresh request is single-flight too


def test_a_ctrl_c_in_the_main_thread_is_not_raised_in_the_threads_waiting_on_its_request(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake = azenvcloud_fake_cloud
    # The main thread's request is answered late enough that the Ctrl-C always lands while it
    # waits, however loaded the machine; the requests asked afresh after it are answered at once.
    fake.latency("/token", 10.0)
    credential = get_credential()
    token_scope = scope()
    results: list[object] = []
    threads: list[threading.Thread] = []
    main = threading.get_ident()
    returned = threading.Event()

    def join_then_interrupt() -> None:
        wait_until(lambda: bool(flights_of(credential)._flights))
        started, found = start_racers(RACERS - 1, lambda: credential.get_token(token_scope))
        threads.extend(started)
        time.sleep(0.4)  # they wait on the main thread's request
        results.append(found)
        fake.latency("/token", 0.0)
        if not returned.is_set():  # never a Ctrl-C after the test's own request is over
            signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C

    helper = threading.Thread(target=join_then_interrupt)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            credential.get_token(token_scope)
    finally:
        returned.set()
    helper.join(30)
    for thread in threads:
        thread.join(30)
    (found,) = results
    assert len(found) == RACERS - 1  # type: ignore[arg-type]
    assert all(result.token.startswith("fake-token-") for result in found)  # type: ignore[attr-defined,union-attr]


def test_waiters_share_the_error_of_the_request_they_join_after_an_interrupted_leader(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure import identity
    from azure.core.exceptions import ClientAuthenticationError

    fake = azenvcloud_fake_cloud
    fake.fail(
        "/token", 400, times=100, delay=0.3, body={"error": "invalid_client", "error_description": "AADSTS7"}
    )
    credential = get_credential()
    leader = threading.local()
    original = identity.DefaultAzureCredential.get_token

    def interrupted_in_the_leader(self: Any, *scopes: str, **kwargs: Any) -> Any:
        if getattr(leader, "is_it", False):
            time.sleep(0.5)
            raise KeyboardInterrupt
        return original(self, *scopes, **kwargs)

    monkeypatch.setattr(identity.DefaultAzureCredential, "get_token", interrupted_in_the_leader)
    leaders, led = start_racers(1, lambda: lead(leader, lambda: credential.get_token(scope())))
    wait_until(lambda: bool(flights_of(credential)._flights))
    waiters, results = start_racers(RACERS - 1, lambda: credential.get_token(scope()))
    for thread in [*leaders, *waiters]:
        thread.join(30)
    assert [type(result) for result in led] == [KeyboardInterrupt]
    assert [type(result) for result in results] == [ClientAuthenticationError] * (RACERS - 1)


# -- tasks: a leader cancelled --------------------------------------------------------------


@pytest.mark.parametrize("how", ["wait_for-timeout", "task-cancelled"])
def test_racing_tasks_get_tokens_when_the_leader_is_cancelled(
    azenvcloud_fake_cloud: FakeCloud, how: str
) -> None:
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.6)
    token_scope = scope()

    async def main() -> tuple[BaseException | None, list[object]]:
        credential = aio.get_credential()
        try:
            if how == "wait_for-timeout":
                leader = asyncio.ensure_future(asyncio.wait_for(credential.get_token(token_scope), 0.3))
            else:
                leader = asyncio.ensure_future(credential.get_token(token_scope))
                asyncio.get_running_loop().call_later(0.3, leader.cancel)
            await asyncio.sleep(0.1)  # the leader's request is under way
            assert flights_of(credential)._flights
            others = asyncio.gather(
                *(credential.get_token(token_scope) for _ in range(RACERS - 1)), return_exceptions=True
            )
            try:
                await leader
            except BaseException as exc:  # its own cancellation or timeout
                error: BaseException | None = exc
            else:
                error = None
            return error, list(await others)
        finally:
            await aio.close()

    error, results = asyncio.run(main())
    expected = asyncio.TimeoutError if how == "wait_for-timeout" else asyncio.CancelledError
    assert isinstance(error, expected)
    assert [type(result).__name__ for result in results] == ["AccessToken"] * (RACERS - 1)


# -- a prefetch that cannot start -----------------------------------------------------------


def test_a_prefetch_thread_that_cannot_start_leaves_no_flight_and_no_mark(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = threading.Thread.start

    def no_prefetch_thread(thread: threading.Thread) -> None:
        if thread.name == "azenvcloud-token-prefetch":
            raise RuntimeError("can't start new thread")  # a pids limit, interpreter shutdown
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", no_prefetch_thread)
    client = azenvcloud.get_resource_client()  # would prefetch: not started, and no error
    flights = flights_of(get_credential())
    assert flights._flights == {}
    assert flights._asked == set()
    listed, results = start_racers(1, lambda: [group.name for group in client.resource_groups.list()])
    listed[0].join(20)
    assert results == [["rg-alpha", "rg-beta"]]  # its own token request, not a wait forever


# -- logs of a prefetch nobody takes --------------------------------------------------------


def test_azenvclouds_own_records_during_a_prefetch_are_held_for_the_request_that_takes_it(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    # The OpenID configuration cannot be written to the cache (a folder stands where its entry
    # goes): azenvcloud warns, in the prefetch's thread.
    openid = f"{fake.url}/{fake.tenant_id}/v2.0/.well-known/openid-configuration"
    Cache(tmp_path / "azenvcloud-cache").path(openid).mkdir(parents=True)
    client = azenvcloud.get_resource_client()
    assert wait_for_prefetches(20)
    assert fake.requests_of("openid")  # the prefetch asked for it ...
    unwritable = [record for record in caplog.records if "cannot write the metadata cache" in record.message]
    assert unwritable == []  # ... and said nothing yet: nobody took its token
    assert [group.name for group in client.resource_groups.list()] == ["rg-alpha", "rg-beta"]
    unwritable = [record for record in caplog.records if "cannot write the metadata cache" in record.message]
    assert len(unwritable) == 1  # the request that took the token hears of it


# -- fork -----------------------------------------------------------------------------------


# -- configure() ----------------------------------------------------------------------------


def test_a_client_built_while_configure_runs_gets_the_new_settings_and_a_new_credential(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    monkeypatch.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    built: list[tuple[object, object]] = []  # (settings the client was built from, the credential's)
    build_credential, construct = clients.build_credential, clients.construct

    def tagged_credential(used: Any, **options: Any) -> Any:
        credential = build_credential(used, **options)
        credential._built_from = used
        return credential

    def recorded(
        client_class: Any, subscription: Any, kwargs: Any, used: Any, credential: Any, **more: Any
    ) -> Any:
        built.append((used, credential._built_from))
        return construct(client_class, subscription, kwargs, used, credential, **more)

    monkeypatch.setattr(clients, "build_credential", tagged_credential)
    monkeypatch.setattr(clients, "construct", recorded)
    get_credential()  # the old one, built from the old settings

    def slow_listener() -> None:
        time.sleep(0.5)  # configure() is between publishing the settings and forgetting the objects

    monkeypatch.setattr(settings, "_listeners", [slow_listener, *settings._listeners])
    subscription = "00000000-0000-0000-0000-0000000000aa"
    configuring = threading.Thread(target=lambda: azenvcloud.configure(subscription_id=subscription))
    configuring.start()
    wait_until(lambda: azenvcloud.get_settings().subscription_id == subscription)
    client = azenvcloud.get_client(ResourceManagementClient)
    configuring.join(10)
    ((used, credential_from),) = built
    assert used.subscription_id == subscription
    assert credential_from is used
    assert client._config.credential is get_credential()  # not the old, closed one


# -- a failed resolution, shared --------------------------------------------------------------


def test_threads_waiting_on_a_failed_metadata_fetch_get_its_exception_type(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AZURE_CLOUD_METADATA_URL", azenvcloud_fake_cloud.url)
    monkeypatch.setattr(source, "TOTAL_TIMEOUT", 1.5)
    monkeypatch.setattr(source, "RETRY_BACKOFF_FACTOR", 0.01)
    azenvcloud_fake_cloud.fail("/metadata/endpoints", 503, times=1000, delay=0.2)
    threads, results = start_racers(8, azenvcloud.get_settings)
    for thread in threads:
        thread.join(30)
    assert [type(result) for result in results] == [MetadataUnavailableError] * 8
