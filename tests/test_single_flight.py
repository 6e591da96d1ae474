"""One token request per scope under any load: concurrent requests for the same token, from any
client of the process, sync or async, make one request to the authority and share its answer."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable

import pytest

import azenvcloud
from azenvcloud import aio, get_credential, get_resource_client
from azenvcloud.testing import FakeCloud

RACERS = 64


def race(count: int, work: object) -> list[object]:
    start = threading.Barrier(count)
    results: list[object] = []

    def one() -> None:
        start.wait()
        try:
            results.append(work())  # type: ignore[operator]
        except Exception as exc:  # a shared error is a result here
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("prefetch", ["true", "false"], ids=["prefetched", "not-prefetched"])
def test_racing_threads_make_one_token_request(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, prefetch: str
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", prefetch)  # with it, the racers join the prefetch
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.3)  # a token request takes long enough for every thread to race it
    results = race(RACERS, lambda: [group.name for group in get_resource_client().resource_groups.list()])
    assert results == [["rg-alpha", "rg-beta"]] * RACERS
    assert len(fake.requests_of("token")) == 1


@pytest.mark.parametrize("prefetch", ["true", "false"], ids=["prefetched", "not-prefetched"])
def test_racing_tasks_of_several_clients_make_one_token_request(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, prefetch: str
) -> None:
    from azure.mgmt.resource.resources.aio import ResourceManagementClient

    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", prefetch)

    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.3)
    # Each client has its own token policy (azure-core serializes only within one): five
    # clients, so that only the credential can make their first requests one.
    versions = ["2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01", None]

    async def main() -> list[list[str]]:
        async def names(version: str | None) -> list[str]:
            client = (
                aio.get_client(ResourceManagementClient, api_version=version)
                if version
                else aio.get_resource_client()
            )
            return [group.name async for group in client.resource_groups.list()]

        try:
            return list(await asyncio.gather(*(names(v) for v in versions for _ in range(RACERS // 8))))
        finally:
            await aio.close()

    assert asyncio.run(main()) == [["rg-alpha", "rg-beta"]] * (len(versions) * (RACERS // 8))
    assert len(fake.requests_of("token")) == 1


def test_an_error_is_shared_by_the_racers_but_not_kept(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    fake = azenvcloud_fake_cloud
    fake.fail(
        "/token", 400, times=1, delay=0.3, body={"error": "invalid_request", "error_description": "AADSTS9"}
    )
    scope = azenvcloud.get_settings().credential_scopes[0]
    results = race(16, lambda: get_credential().get_token(scope))
    assert all(isinstance(result, ClientAuthenticationError) for result in results)
    assert len(fake.requests_of("token")) == 1
    # Not kept: the flight is over (what MSAL itself then throttles for a while is MSAL's).
    assert get_credential()._azenvcloud_sharing.flights._flights == {}  # type: ignore[attr-defined]


def test_the_credential_still_is_a_default_azure_credential(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.identity import DefaultAzureCredential

    credential = get_credential()
    assert isinstance(credential, DefaultAzureCredential)
    assert type(credential).__name__ == "DefaultAzureCredential"
    info = credential.get_token_info(azenvcloud.get_settings().credential_scopes[0])
    assert info.token.startswith("fake-token-")


def test_a_forked_child_never_waits_on_its_parents_request(
    azenvcloud_fake_cloud: FakeCloud, forked: Callable[[Callable[[], object]], object]
) -> None:
    fake = azenvcloud_fake_cloud
    scope = azenvcloud.get_settings().credential_scopes[0]
    credential = get_credential()
    fake.latency("/token", 3.0)
    leader = threading.Thread(target=lambda: credential.get_token(scope))
    leader.start()
    time.sleep(0.5)  # the parent's request is in flight

    def own_request() -> float:
        started = time.monotonic()
        credential.get_token(scope)  # its own request (3 s), not a wait for the parent's
        return time.monotonic() - started

    waited = forked(own_request)
    leader.join()
    assert isinstance(waited, float)
    assert waited < 6
    assert len(fake.requests_of("token")) == 2


@pytest.mark.parametrize("method", ["get_token", "get_token_info"])
def test_different_scopes_fly_apart(azenvcloud_fake_cloud: FakeCloud, method: str) -> None:
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.3)
    scopes = ["https://a.example/.default", "https://b.example/.default"]
    results = race(8, lambda: [getattr(get_credential(), method)(scope) for scope in scopes])
    assert not [result for result in results if isinstance(result, Exception)]
    assert sorted(request.scope or "" for request in fake.requests_of("token")) == scopes


def test_an_option_given_as_none_flies_with_the_same_request_without_it(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    # azure-keyvault's challenge policy asks get_token_info(scope, options={"claims": None, ...})
    # on one path and without "claims" on the other: one token, as azure-identity reads them alike.
    fake = azenvcloud_fake_cloud
    fake.latency("/token", 0.3)
    scope = "https://vault.fake.example/.default"
    options = [
        {"enable_cae": True, "claims": None},
        {"enable_cae": True},
        {"enable_cae": True, "tenant_id": None},
    ]
    turn = itertools.count()  # its next() is atomic: each racer its own turn

    def ask() -> object:
        return get_credential().get_token_info(scope, options=options[next(turn) % 3])  # type: ignore[arg-type]

    results = race(8, ask)
    assert not [result for result in results if isinstance(result, Exception)]
    assert len(fake.requests_of("token")) == 1
