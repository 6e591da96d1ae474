"""Fault injection while many threads call the getters: the metadata endpoint and the token
endpoint refuse, time out, fail with 500 or 429, or answer garbage. No deadlock, no half-built
singleton cached, a clear error, and recovery once the endpoint recovers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest

import azenvcloud
from azenvcloud import _clients as clients
from azenvcloud import _metadata_source
from azenvcloud import _settings as settings
from azenvcloud.testing import FakeCloud

THREADS = 16


def race(call: Callable[[], Any], threads: int = THREADS) -> list[BaseException | Any]:
    """Run ``call`` in ``threads`` threads released together; what each returned or raised."""
    outcomes: list[BaseException | Any] = []
    barrier = threading.Barrier(threads)

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(call())
        except BaseException as exc:  # recorded and asserted on
            outcomes.append(exc)

    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a getter hung: deadlock or endless retry"
    assert len(outcomes) == threads
    return outcomes


def group_names() -> list[str]:
    return [group.name for group in azenvcloud.get_resource_client().resource_groups.list()]


@pytest.fixture
def discovering(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> FakeCloud:
    """Only AZURE_RESOURCE_MANAGER: the rest comes from the metadata endpoint. Short waits."""
    azenvcloud_env.delenv("AZURE_AUTHORITY_HOST")
    azenvcloud_env.delenv("AZURE_AUDIENCE")
    monkeypatch.setattr(_metadata_source, "RETRY_BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr(_metadata_source, "READ_TIMEOUT", 0.3)
    return azenvcloud_fake_cloud


METADATA_FAULTS = {
    "500": {"status": 500},
    "429": {"status": 429, "headers": {"Retry-After": "0"}},
    "timeout": {"status": 200, "delay": 1.0},
    "garbage": {"status": 200, "body": b"\x00\xffnot json"},
}


@pytest.mark.parametrize("fault", METADATA_FAULTS.values(), ids=METADATA_FAULTS.keys())
def test_metadata_faults_under_threads_then_recovery(discovering: FakeCloud, fault: dict[str, Any]) -> None:
    discovering.fail("/metadata/endpoints", times=10_000, **fault)
    outcomes = race(azenvcloud.get_resource_client)
    assert all(isinstance(outcome, azenvcloud.ConfigurationError) for outcome in outcomes)
    assert {outcome.variables for outcome in outcomes} == {("AZURE_RESOURCE_MANAGER",)}
    assert settings._settings is None
    assert clients._objects == {}
    # Single flight: the threads that waited shared the failing attempt instead of each retrying.
    attempts = len(discovering.requests_of("metadata"))
    assert attempts < THREADS * 4 * 2
    discovering.reset()  # the endpoint recovers
    outcomes = race(group_names)
    assert outcomes == [["rg-alpha", "rg-beta"]] * THREADS
    assert len(discovering.requests_of("metadata")) == 1


def test_refused_metadata_endpoint_under_threads_then_recovery(
    discovering: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", f"https://127.0.0.1:{closed}")
    outcomes = race(azenvcloud.get_resource_client)
    assert all(isinstance(outcome, azenvcloud.ConfigurationError) for outcome in outcomes)
    assert {outcome.variables for outcome in outcomes} == {("AZURE_CLOUD_METADATA_URL",)}
    assert clients._objects == {}
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", discovering.url)  # now reachable
    assert race(group_names) == [["rg-alpha", "rg-beta"]] * THREADS


# (fault, whether MSAL throttles the same token request afterwards). MSAL answers a repeated
# request from its cache for a while after a 429 or 5xx (Retry-After, else 60 s) to spare the
# authority; recovery within that window takes a new credential: azenvcloud.reset().
TOKEN_FAULTS = {
    "500": ({"status": 500}, True),
    "429": ({"status": 429, "headers": {"Retry-After": "0"}}, True),
    "garbage": ({"status": 200, "body": b"<html>not a token</html>"}, False),
    "invalid-client": (
        {"status": 401, "body": {"error": "invalid_client", "error_description": "AADSTS7000215"}},
        False,
    ),
}


@pytest.mark.parametrize(("fault", "throttled"), TOKEN_FAULTS.values(), ids=TOKEN_FAULTS.keys())
def test_token_faults_under_threads_then_recovery(
    azenvcloud_fake_cloud: FakeCloud, fault: dict[str, Any], throttled: bool
) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    azenvcloud_fake_cloud.fail("/token", times=10_000, **fault)
    outcomes = race(group_names)
    assert all(isinstance(outcome, ClientAuthenticationError) for outcome in outcomes), outcomes
    # The singletons were built once and are whole: the failure was the token, not the build.
    client, credential = azenvcloud.get_resource_client(), azenvcloud.get_credential()
    assert clients._objects[("resources", None)] is client
    azenvcloud_fake_cloud.reset()  # the authority recovers
    if throttled:
        assert isinstance(race(group_names, threads=2)[0], ClientAuthenticationError)
        assert azenvcloud_fake_cloud.requests_of("token") == []  # MSAL's throttle, not a request
        azenvcloud.reset()
    assert race(group_names) == [["rg-alpha", "rg-beta"]] * THREADS
    assert (azenvcloud.get_credential() is credential) is not throttled
    # Threads racing an empty token cache may each ask (azure-identity does not coalesce them);
    # once one answer is cached, nobody asks again.
    asked = len(azenvcloud_fake_cloud.requests_of("token"))
    assert 1 <= asked <= THREADS
    group_names()
    assert len(azenvcloud_fake_cloud.requests_of("token")) == asked


def test_token_endpoint_timeout_is_a_clear_error(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import DefaultAzureCredential

    azenvcloud_fake_cloud.fail("/token", 200, times=10_000, delay=2.0)
    credential: DefaultAzureCredential = azenvcloud.get_credential()
    outcomes = race(
        lambda: credential.get_token(azenvcloud.get_settings().credential_scopes[0], timeout=0.5),  # type: ignore[call-arg]
        threads=4,
    )
    assert all(isinstance(outcome, ClientAuthenticationError) for outcome in outcomes), outcomes
