"""What azenvcloud adds to any credential's token requests: single flight, prefetch, the token
store and sign-in hints, composed around the credential rather than inherited from it.

:class:`TokenSharing` is that composition, for one credential (sync or async): concurrent
requests for the same token make one (:mod:`azenvcloud._single_flight`), a token can be
prefetched, a fixed identity's tokens are kept (:class:`~azenvcloud._token_store.TokenStore`,
keyed by the :class:`~azenvcloud._identity_inputs.IdentityInputs` its builder read), and an Entra
error that usually means another cloud's value gets a hint (:mod:`azenvcloud._failure_hints`).

Two shapes use it, both picklable (a pickle holds the store's recipe and the cloud and authority
the hints name; never a flight, a token or a secret's value beyond what azure-identity's own
pickle of the wrapped credential holds):

- :class:`SharedCredential` / :class:`AsyncSharedCredential` wrap any ``TokenCredential`` /
  ``AsyncTokenCredential`` (an explicit ``ChainedTokenCredential`` of a configuration's own
  credentials, say)::

      chain = ChainedTokenCredential(ClientSecretCredential(...), ManagedIdentityCredential(...))
      store = TokenStore.for_credential(chain, cloud=..., authority=..., mode=..., cache_dir=...,
                                        options=..., inputs=IdentityInputs.from_environment(values))
      credential = SharedCredential(chain, TokenSharing(store=store, signs_in=SignIn(cloud, authority)))

- azenvcloud's ``DefaultAzureCredential`` (:mod:`azenvcloud._default_credential`) stays a
  subclass of azure-identity's, for code that checks it, and hands its requests to its own
  :class:`TokenSharing` exactly as the wrapper does.

Imports nothing of azure-identity: the store and the hints import what they need when used.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from ._single_flight import AsyncFlights, Flights, flight_key
from ._token_store import untagged

if TYPE_CHECKING:
    from ._token_store import TokenStore

__all__ = [
    "AsyncSharedCredential",
    "SharedCredential",
    "SignIn",
    "TokenSharing",
    "sharing_of",
    "without_tags",
]


class SignIn(NamedTuple):
    """Where a credential signs in, for the hints a failed token request gets."""

    cloud: str
    authority: str


class TokenSharing:
    """Single flight, prefetch, the token store and sign-in hints for one credential's requests.

    Args:
        store: The store of the credential's tokens (``None``: nothing is kept beyond a flight).
        signs_in: The cloud and authority the credential signs in at, for the hints (``None``:
            no hint is added).
        asynchronous: Whether the credential is an ``AsyncTokenCredential`` (its flights are
            then the running event loop's, and the store is waited on without blocking it).
    """

    def __init__(
        self,
        *,
        store: TokenStore | None = None,
        signs_in: SignIn | None = None,
        asynchronous: bool = False,
    ) -> None:
        self.store = store
        self.signs_in = signs_in
        self.asynchronous = asynchronous
        self.flights: Flights | AsyncFlights = AsyncFlights() if asynchronous else Flights()

    def attach(self, credential: object) -> None:
        """Have ``credential``'s chain (or ``credential`` itself, when it has none) tag its own
        answers for the store (:meth:`TokenStore.attach`): after building it, and after unpickling."""
        if self.store is not None:
            self.store.attach(credential)

    def request(
        self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Callable[[], Any]
    ) -> Any:
        """``call()`` (``method`` of the credential for ``scopes`` with ``options``), shared with
        the same request under way or prefetched, answered from the store where it may be. For an
        async credential, an awaitable."""
        key = flight_key(method, scopes, options)
        return self.flights.run(key, lambda: self._stored(method, scopes, options, call))

    def prefetch(self, scopes: tuple[str, ...], call: Callable[[], Any]) -> bool:
        """Start ``call()``, the request azure-core's bearer token policy makes first
        (``get_token_info(*scopes)``, no options), in the background; whether it started."""
        key = flight_key("get_token_info", scopes, {})
        return self.flights.prefetch(key, lambda: self._stored("get_token_info", scopes, {}, call))

    def close(self) -> None:
        """Drop kept prefetches: the credential is closed, nobody will take them."""
        self.flights.close()

    def _stored(
        self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Callable[[], Any]
    ) -> Any:
        if self.asynchronous:
            return self._astored(method, scopes, options, call)
        with self._hints(scopes):
            return call() if self.store is None else self.store.fetch(method, scopes, options, call)

    async def _astored(
        self,
        method: str,
        scopes: tuple[str, ...],
        options: dict[str, Any],
        call: Callable[[], Awaitable[Any]],
    ) -> Any:
        with self._hints(scopes):
            if self.store is None:
                return await call()
            return await self.store.afetch(method, scopes, options, call)

    def _hints(self, scopes: tuple[str, ...]) -> AbstractContextManager[None]:
        if self.signs_in is None:
            return nullcontext()
        from ._failure_hints import hinted

        return hinted(
            cloud=self.signs_in.cloud, authority=self.signs_in.authority, scope=" ".join(scopes) or None
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["flights"]  # requests under way, prefetched tokens: this process's
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.flights = AsyncFlights() if self.asynchronous else Flights()


def without_tags(credential: Any) -> Any:
    """``credential`` as azure-identity built it, for a pickle: its chain's members (or itself)
    without the store's answer tags (closures: this process's, and no pickle's). The credential
    itself is never changed; a shallow copy is returned where a member was tagged."""
    members = getattr(credential, "credentials", None)
    if not isinstance(members, tuple):
        return untagged(credential)
    plain = {id(member): untagged(member) for member in members}
    if all(plain[id(member)] is member for member in members):
        return credential
    copied = copy.copy(credential)
    vars(copied).update(chain_state(vars(credential), plain))
    return copied


def chain_state(state: dict[str, Any], plain: dict[int, Any]) -> dict[str, Any]:
    """The chain's attributes of a credential's ``state`` with each member replaced by its
    untagged copy in ``plain`` (by ``id``): ``credentials`` and azure-identity's
    ``_successful_credential``."""
    changed = {"credentials": tuple(plain.get(id(member), member) for member in state["credentials"])}
    succeeded = state.get("_successful_credential")
    if succeeded is not None:
        changed["_successful_credential"] = plain.get(id(succeeded), succeeded)
    return changed


class SharedCredential:
    """Any ``TokenCredential`` with azenvcloud's :class:`TokenSharing` around its requests.

    Args:
        credential: The credential that asks for tokens (a ``ChainedTokenCredential``, a
            ``ClientSecretCredential``, ...). Closing this one closes it.
        sharing: What is shared (default: single flight and prefetch, no store, no hints).
    """

    _asynchronous = False

    def __init__(self, credential: Any, sharing: TokenSharing | None = None) -> None:
        self.credential = credential
        self.sharing = sharing if sharing is not None else TokenSharing(asynchronous=self._asynchronous)
        if self.sharing.asynchronous != self._asynchronous:
            kind = "an async" if self.sharing.asynchronous else "a sync"
            raise ValueError(
                f"{type(self).__name__} needs TokenSharing(asynchronous={self._asynchronous}), not {kind} one"
            )
        self.sharing.attach(credential)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token for ``scopes``, as the wrapped credential's ``get_token`` gives it."""
        return self.sharing.request(
            "get_token", scopes, kwargs, lambda: self.credential.get_token(*scopes, **kwargs)
        )

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        """A token for ``scopes``, as the wrapped credential's ``get_token_info`` gives it (or its
        ``get_token``, for a credential that has only that)."""
        asked = dict(options or {})
        return self.sharing.request("get_token_info", scopes, asked, lambda: self._info(scopes, options))

    def prefetch(self, *scopes: str) -> bool:
        """Start the first request of a client that will ask for ``scopes`` in the background."""
        return self.sharing.prefetch(scopes, lambda: self._info(scopes, None))

    _azenvcloud_prefetch = (
        prefetch  # the name azenvcloud's getters prefetch by, on every credential it builds
    )

    def _info(self, scopes: tuple[str, ...], options: Any) -> Any:
        if hasattr(self.credential, "get_token_info"):
            return self.credential.get_token_info(*scopes, options=options)
        # A credential of the older protocol: get_token's keywords are the options' names.
        return self._as_info(self.credential.get_token(*scopes, **dict(options or {})))

    def _as_info(self, token: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(token.token, token.expires_on)

    def close(self) -> None:
        """Drop kept prefetches and close the wrapped credential."""
        self.sharing.close()
        self.credential.close()

    def __enter__(self) -> SharedCredential:
        self.credential.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        return {"credential": without_tags(self.credential), "sharing": self.sharing}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.sharing.attach(self.credential)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self.credential).__name__})"


class AsyncSharedCredential(SharedCredential):
    """Any ``AsyncTokenCredential`` with azenvcloud's :class:`TokenSharing` (its flights are the
    running event loop's); the arguments are :class:`SharedCredential`'s."""

    _asynchronous = True

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token for ``scopes``, as the wrapped credential's ``get_token`` gives it."""
        return await super().get_token(*scopes, **kwargs)

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        """A token for ``scopes``, as the wrapped credential's ``get_token_info`` gives it."""
        return await super().get_token_info(*scopes, options=options)

    async def _as_info(self, token: Any) -> Any:
        return super()._as_info(await token)

    async def close(self) -> None:  # type: ignore[override]
        """Drop kept prefetches and close the wrapped credential."""
        self.sharing.close()
        await self.credential.close()

    async def __aenter__(self) -> AsyncSharedCredential:
        await self.credential.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def sharing_of(credential: object) -> TokenSharing | None:
    """The :class:`TokenSharing` of a credential azenvcloud built (a :class:`SharedCredential`,
    or azenvcloud's ``DefaultAzureCredential``), or ``None``."""
    if isinstance(credential, SharedCredential):
        return credential.sharing
    found = getattr(credential, "_azenvcloud_sharing", None)
    return found if isinstance(found, TokenSharing) else None
