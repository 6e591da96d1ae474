"""Single flight, prefetch, the token store and sign-in hints wrap ANY credential, sync or async,
as they wrap the default one: an explicit ``ChainedTokenCredential`` of a
configuration's own credentials (what named configurations will build), a lone credential, and a
credential that has only ``get_token``. Real azure-identity and MSAL against the fake cloud."""

from __future__ import annotations

import asyncio
import os
import pickle
import threading
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

import azenvcloud
from azenvcloud._credentials import token_sharing
from azenvcloud._identity_inputs import IdentityInputs
from azenvcloud._single_flight import wait_for_prefetches
from azenvcloud._token_sharing import AsyncSharedCredential, SharedCredential, TokenSharing, sharing_of
from azenvcloud.testing import DEFAULT_CLIENT_ID, FakeCloud

RACERS = 16


def scope() -> str:
    return azenvcloud.get_settings().credential_scopes[0]


def own_chain(fake: FakeCloud, identity: Any) -> Any:
    """An explicit chain of a configuration's own service principal, at the fake's authority."""
    secret = identity.ClientSecretCredential(
        fake.tenant_id,
        DEFAULT_CLIENT_ID,
        fake.client_secret,
        authority=fake.url,
        disable_instance_discovery=True,
        connection_verify=fake.ca_bundle,
    )
    return identity.ChainedTokenCredential(secret)


def shared(fake: FakeCloud, *, asynchronous: bool = False, lone: bool = False) -> Any:
    """The chain (or the lone credential) wrapped as azenvcloud wraps the default credential."""
    from azure import identity
    from azure.identity import aio

    module = aio if asynchronous else identity
    credential = own_chain(fake, module)
    if lone:
        (credential,) = credential.credentials
    sharing = token_sharing(
        credential,
        azenvcloud.get_settings(),
        options={"authority": fake.url, "disable_instance_discovery": True},
        inputs=IdentityInputs.from_environment(os.environ),
        asynchronous=asynchronous,
    )
    return (AsyncSharedCredential if asynchronous else SharedCredential)(credential, sharing)


def race(count: int, work: Any) -> list[Any]:
    start = threading.Barrier(count)
    results: list[Any] = []

    def one() -> None:
        start.wait()
        results.append(work())

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("lone", [False, True], ids=["chain", "lone-credential"])
def test_racing_threads_on_an_explicit_chain_make_one_token_request(
    azenvcloud_fake_cloud: FakeCloud, lone: bool
) -> None:
    azenvcloud_fake_cloud.latency("/token", 0.3)
    credential = shared(azenvcloud_fake_cloud, lone=lone)
    tokens = race(RACERS, lambda: credential.get_token_info(scope()).token)
    assert len(set(tokens)) == 1
    assert len(tokens) == RACERS
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_racing_tasks_on_an_async_chain_make_one_token_request(azenvcloud_fake_cloud: FakeCloud) -> None:
    azenvcloud_fake_cloud.latency("/token", 0.3)

    async def main() -> set[str]:
        async with shared(azenvcloud_fake_cloud, asynchronous=True) as credential:
            infos = await asyncio.gather(*(credential.get_token_info(scope()) for _ in range(RACERS)))
            return {info.token for info in infos}

    assert len(asyncio.run(main())) == 1
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_a_prefetched_token_serves_the_first_request_of_any_wrapped_credential(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    credential = shared(azenvcloud_fake_cloud)
    assert credential.prefetch(scope())  # as the getters start it while a client is built
    assert wait_for_prefetches(10)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    assert credential.get_token_info(scope()).token  # takes the prefetched token
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    assert not credential.prefetch(scope())  # once per key, as for the default credential


def test_the_token_store_keeps_the_tokens_of_any_wrapped_chain(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    azenvcloud.reset()
    first = shared(azenvcloud_fake_cloud)
    token = first.get_token(scope()).token
    assert first.sharing.store.folder is not None
    from azenvcloud import _token_store

    _token_store.forget()  # nothing in this process's memory: only the folder can answer
    again = shared(azenvcloud_fake_cloud)  # the same configuration's chain, built anew
    assert again.get_token(scope()).token == token
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    # Other identity inputs (another client ID) are another key: that chain asks for its own token.
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000002")
    shared(azenvcloud_fake_cloud).get_token(scope())
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2


def test_a_wrapped_chain_pickles_without_tokens_and_keeps_working(azenvcloud_fake_cloud: FakeCloud) -> None:
    credential = shared(azenvcloud_fake_cloud)
    asked = credential.get_token(scope()).token
    pickled = pickle.dumps(credential)
    assert asked.encode() not in pickled
    copy = pickle.loads(pickled)
    assert isinstance(copy, SharedCredential)
    assert sharing_of(copy) is copy.sharing
    assert copy.sharing.flights is not credential.sharing.flights
    assert copy.get_token(scope()).token  # from the store's memory: same key, same process
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    # Tags are this process's: the original keeps its own, the pickle had none.
    (member,) = credential.credential.credentials
    assert getattr(member.get_token, "_azenvcloud_tagged", False)


class OnlyGetToken:
    """A credential of the older protocol: ``get_token`` only."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self.inner.get_token(*scopes, **kwargs)

    def close(self) -> None:
        self.inner.close()


def test_a_credential_with_only_get_token_answers_get_token_info_and_prefetches(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure import identity

    credential = SharedCredential(OnlyGetToken(own_chain(azenvcloud_fake_cloud, identity)))
    assert credential.prefetch(scope())
    assert wait_for_prefetches(10)
    info = credential.get_token_info(scope())
    assert info.token.startswith("fake-token-")
    assert info.expires_on > 0
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_a_wrapped_chains_sign_in_error_gets_the_hint(azenvcloud_fake_cloud: FakeCloud) -> None:
    azenvcloud_fake_cloud.fail(
        "/token",
        400,
        body={"error": "invalid_request", "error_description": "AADSTS90002: Tenant 'x' not found."},
    )
    credential = shared(azenvcloud_fake_cloud)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(scope())
    assert "azenvcloud: this configuration signs in at" in str(caught.value)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_the_sharing_must_be_of_the_credentials_kind() -> None:
    with pytest.raises(ValueError, match="AsyncSharedCredential needs TokenSharing"):
        AsyncSharedCredential(object(), TokenSharing())
    with pytest.raises(ValueError, match="SharedCredential needs TokenSharing"):
        SharedCredential(object(), TokenSharing(asynchronous=True))


def test_the_default_credential_shares_its_requests_through_the_same_object(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    sharing = sharing_of(azenvcloud.get_credential())
    assert isinstance(sharing, TokenSharing)
    assert sharing.store is not None
    assert sharing.signs_in is not None
