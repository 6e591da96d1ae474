"""A credential that asks for one scope, whatever scope a client asks it for.

For SDKs without an audience argument: azure-cosmos asks for its account's scope and falls back
to the public ``https://cosmos.azure.com/.default``, and azure-servicebus and azure-eventhub
hard-code ``https://servicebus.azure.net//.default`` and ``https://eventhubs.azure.net//.default``.
Wrapped, the shared credential is asked for the resolved cloud's scope instead. Closing the
wrapper does not close the shared credential: azenvcloud does that at ``reset()``.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

__all__ = ["AsyncPinnedScopeCredential", "PinnedScopeCredential"]

_log = logging.getLogger("azenvcloud")


def _log_pinned(asked: tuple[str, ...], scope: str) -> None:
    if asked != (scope,):
        _log.debug("azenvcloud: a client asked for %s; the token is for %s", ", ".join(asked), scope)


class PinnedScopeCredential:
    """``inner`` (a sync ``TokenCredential``), always asked for ``scope``."""

    def __init__(self, inner: Any, scope: str) -> None:
        self._inner = inner
        self.scope = scope

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        _log_pinned(scopes, self.scope)
        return self._inner.get_token(self.scope, **kwargs)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        _log_pinned(scopes, self.scope)
        return self._inner.get_token_info(self.scope, options=options)

    def close(self) -> None:
        """Nothing to close: the shared credential is not the client's."""

    def __enter__(self) -> PinnedScopeCredential:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncPinnedScopeCredential:
    """``inner`` (an ``AsyncTokenCredential``), always asked for ``scope``."""

    def __init__(self, inner: Any, scope: str) -> None:
        self._inner = inner
        self.scope = scope

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        _log_pinned(scopes, self.scope)
        return await self._inner.get_token(self.scope, **kwargs)

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        _log_pinned(scopes, self.scope)
        return await self._inner.get_token_info(self.scope, options=options)

    async def close(self) -> None:
        """Nothing to close: the shared credential is not the client's."""

    async def __aenter__(self) -> AsyncPinnedScopeCredential:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()
