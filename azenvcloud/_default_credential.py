"""The ``DefaultAzureCredential`` azenvcloud hands out: azure-identity's, with its token requests
handed to a :class:`~azenvcloud._token_sharing.TokenSharing` (single flight, prefetch, the token
store, sign-in hints), and pickled as azure-identity pickles its own.

A subclass, so that code checking ``isinstance(credential, DefaultAzureCredential)`` (and
azure-identity's own tests, ``tests/upstream/``) sees azure-identity's class; what azenvcloud adds
is composed, exactly as :class:`~azenvcloud._token_sharing.SharedCredential` composes it around
any other credential. Module-level classes, so that pickle finds them by name: the sync one, and
its async twin (:data:`AsyncDefaultAzureCredential`, on ``azure.identity.aio``), made on first use
because azure-identity's ``aio`` package costs what the sync path never pays. A pickle holds what
azure-identity's pickle of its credential holds (its chain, as azure-identity pickles each member:
a client secret included, in clear; MSAL's token caches excluded) plus the sharing's recipe (the
token store's: no token, no secret's value; the cloud and authority the hints name); never the
flights, a token or the store's contents.

Imported only when a credential is built: it imports azure-identity.
"""

from __future__ import annotations

from typing import Any

from azure import identity

from ._token_sharing import TokenSharing, chain_state
from ._token_store import untagged

__all__ = ["AsyncDefaultAzureCredential", "DefaultAzureCredential", "SharesTokens"]  # noqa: F822 - made on first use (__getattr__)


class SharesTokens:
    """What azenvcloud's ``DefaultAzureCredential`` classes add to azure-identity's: a
    :class:`TokenSharing` (``_azenvcloud_sharing``), prefetch, and pickling without what is per process."""

    credentials: tuple[Any, ...]
    _azenvcloud_sharing: TokenSharing

    def _azenvcloud_prefetch(self, *scopes: str) -> bool:
        # The request azure-core's bearer token policy makes first: get_token_info(*scopes).
        return self._azenvcloud_sharing.prefetch(
            scopes, lambda: self._azenvcloud_theirs("get_token_info", scopes, {})
        )

    _azenvcloud_base: Any  # azure-identity's class, whose own methods the sharing wraps

    def _azenvcloud_theirs(self, method: str, scopes: tuple[str, ...], keywords: dict[str, Any]) -> Any:
        """azure-identity's own ``method`` (what the sharing wraps)."""
        return getattr(self._azenvcloud_base, method)(self, *scopes, **keywords)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        # The chain without the store's answer tags (closures: this process's, and no pickle's).
        state.update(chain_state(state, {id(member): untagged(member) for member in self.credentials}))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._azenvcloud_sharing.attach(self)


_Base: Any = identity.DefaultAzureCredential


class DefaultAzureCredential(SharesTokens, _Base):  # type: ignore[misc]
    __doc__ = _Base.__doc__
    _azenvcloud_base = _Base

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._azenvcloud_sharing = TokenSharing()  # its store and hints: _credentials.token_sharing

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self._azenvcloud_sharing.request(
            "get_token", scopes, kwargs, lambda: self._azenvcloud_theirs("get_token", scopes, kwargs)
        )

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        return self._azenvcloud_sharing.request(
            "get_token_info",
            scopes,
            dict(options or {}),
            lambda: self._azenvcloud_theirs("get_token_info", scopes, {"options": options}),
        )

    def __exit__(self, *args: Any) -> None:  # close() calls it too
        self._azenvcloud_sharing.close()
        super().__exit__(*args)


def _async_class() -> type[Any]:
    from azure.identity import aio

    base: Any = aio.DefaultAzureCredential

    class DefaultAzureCredential(SharesTokens, base):  # type: ignore[misc]
        __doc__ = base.__doc__
        _azenvcloud_base = base

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # Flights per event loop; its store and hints: _credentials.token_sharing.
            self._azenvcloud_sharing = TokenSharing(asynchronous=True)

        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            asked = self._azenvcloud_sharing.request
            return await asked(
                "get_token", scopes, kwargs, lambda: self._azenvcloud_theirs("get_token", scopes, kwargs)
            )

        async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
            theirs = {"options": options}
            asked = self._azenvcloud_sharing.request
            return await asked(
                "get_token_info",
                scopes,
                dict(options or {}),
                lambda: self._azenvcloud_theirs("get_token_info", scopes, theirs),
            )

        async def close(self) -> None:  # __aexit__ calls it too
            self._azenvcloud_sharing.close()
            await super().close()

    DefaultAzureCredential.__module__ = __name__
    DefaultAzureCredential.__qualname__ = "AsyncDefaultAzureCredential"  # what pickle finds it by
    return DefaultAzureCredential


def __getattr__(name: str) -> Any:
    """:data:`AsyncDefaultAzureCredential`, made on first use (then a plain module attribute)."""
    if name != "AsyncDefaultAzureCredential":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()[name] = _async_class()
    return made
