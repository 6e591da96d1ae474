"""azenvcloud's credential pickles as azure-identity's does: into a working
credential of the same cloud, holding what azure-identity's pickle holds, never a token."""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import pytest
from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from helpers import run

import azenvcloud
from azenvcloud import _token_store, aio, get_credential
from azenvcloud._credentials import build_async_credential, build_credential
from azenvcloud._single_flight import AsyncFlights, Flights, wait_for_prefetches
from azenvcloud.testing import FAKE_CLIENT_SECRET, FakeCloud


def scope() -> str:
    return azenvcloud.get_settings().credential_scopes[0]


def test_the_credential_pickles_into_a_working_credential_of_the_same_cloud(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        credential = get_credential()
        copy = pickle.loads(pickle.dumps(credential))
        assert type(copy) is type(credential)
        assert isinstance(copy, DefaultAzureCredential)
        assert copy.get_token(scope()).token
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert (token.host, token.scope) == (
        "login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
    )


def test_the_async_credential_pickles_into_a_working_credential(azenvcloud_fake_cloud: FakeCloud) -> None:
    async def main() -> tuple[str, Any]:
        credential = aio.get_credential()
        copy = pickle.loads(pickle.dumps(credential))
        assert type(copy) is type(credential)
        assert isinstance(copy, AsyncDefaultAzureCredential)
        async with copy:
            return (await copy.get_token(scope())).token, copy._azenvcloud_sharing.flights

    token, flights = run(main)
    assert token
    assert isinstance(flights, AsyncFlights)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def _token_in_a_spawned_process(pickled: bytes, wanted: str) -> str:
    credential = pickle.loads(pickled)
    return str(credential.get_token(wanted).token)


def test_a_process_pool_worker_gets_a_token_with_an_unpickled_credential(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    """What users do: hand the credential to a worker process (spawned: nothing inherited)."""
    credential = get_credential()
    credential.get_token(scope())  # the authority's OpenID configuration is now in the metadata cache
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        token = pool.apply(_token_in_a_spawned_process, (pickle.dumps(credential), scope()))
    assert token
    # The worker asked the fake's authority for its own token (no MSAL cache in a pickle) and
    # read the OpenID configuration from the metadata cache: its caching transport was rebuilt.
    assert [request.kind for request in azenvcloud_fake_cloud.requests] == ["openid", "token", "token"]


def test_a_pickle_holds_no_token(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "true")
    credential = get_credential()
    asked = credential.get_token(scope()).token
    prefetched = "https://prefetched.example/.default"
    azenvcloud_fake_cloud.accept_scopes(prefetched)
    assert credential._azenvcloud_prefetch(prefetched)
    assert wait_for_prefetches(10)
    pickled = pickle.dumps(credential)
    assert asked.encode() not in pickled
    for kept in list(_token_store._memory.values()):  # the store's tokens (memory and disk alike)
        assert kept.token.encode() not in pickled
    assert b"prefetched.example" not in pickled  # nothing of the flights either


@pytest.mark.parametrize(
    ("ours", "theirs", "flights"),
    [
        pytest.param(build_credential, DefaultAzureCredential, Flights, id="sync"),
        pytest.param(build_async_credential, AsyncDefaultAzureCredential, AsyncFlights, id="aio"),
    ],
)
def test_a_pickle_holds_what_azure_identitys_holds(
    azenvcloud_fake_cloud: FakeCloud, ours: Any, theirs: Any, flights: type
) -> None:
    settings = azenvcloud.get_settings()
    credential = ours(settings)
    pickled = credential.__getstate__()  # what pickle writes of it
    plain = pickle.loads(pickle.dumps(theirs(authority=settings.authority_host)))
    # The sharing: the store's recipe (no token) and the cloud and authority the sign-in hints
    # name (no secret); never its flights.
    assert set(pickled) == set(vars(plain)) | {"_azenvcloud_sharing"}
    assert set(pickled["_azenvcloud_sharing"].__getstate__()) == {"store", "signs_in", "asynchronous"}
    assert [type(member) for member in pickled["credentials"]] == [
        type(member) for member in plain.credentials
    ]
    for member, other in zip(pickled["credentials"], plain.credentials, strict=True):
        assert set(vars(member)) == set(vars(other))  # no tag of the token store's
    assert set(vars(credential.credentials[0])) > set(vars(plain.credentials[0]))  # tagged here
    mine = pickle.loads(pickle.dumps(credential))
    # azure-identity's pickle holds the client secret in clear (docs/explanation/credentials.md
    # says so), and so does azenvcloud's: no more, no less.
    assert FAKE_CLIENT_SECRET.encode() in pickle.dumps(theirs(authority=settings.authority_host))
    assert FAKE_CLIENT_SECRET.encode() in pickle.dumps(ours(settings))
    assert isinstance(mine._azenvcloud_sharing.flights, flights)


def test_an_unpickled_credential_uses_the_token_store_again(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    """The store's folder, its checks and its tags on the chain are rebuilt where it is unpickled."""
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    credential = get_credential()
    pickled = pickle.dumps(credential)
    credential.get_token(scope())
    _token_store.forget()  # nothing in this process's memory: only the folder can answer
    copy = pickle.loads(pickled)
    assert copy._azenvcloud_sharing.store.folder == credential._azenvcloud_sharing.store.folder
    copy.get_token(scope())
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1  # served from the folder
    # ... and what the copy asks for itself, it keeps: its chain is tagged again.
    other = "https://other.example/.default"
    azenvcloud_fake_cloud.accept_scopes(other)
    copy.get_token(other)
    _token_store.forget()
    credential.get_token(other)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2
