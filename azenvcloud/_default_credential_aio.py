"""The async ``DefaultAzureCredential`` azenvcloud hands out: azure-identity's, its requests handed
to an async :class:`~azenvcloud._token_sharing.TokenSharing` (flights per event loop), pickled as
:mod:`azenvcloud._default_credential` says.

Imported only when an async credential is built: it imports azure-identity's ``aio`` package.
"""

from __future__ import annotations

from typing import Any

from azure.identity import aio

from ._default_credential import SharesTokens
from ._token_sharing import TokenSharing

__all__ = ["DefaultAzureCredential"]

_Base: Any = aio.DefaultAzureCredential


class DefaultAzureCredential(SharesTokens, _Base):  # type: ignore[misc]
    __doc__ = _Base.__doc__
    _azenvcloud_base = _Base

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._azenvcloud_sharing = TokenSharing(asynchronous=True)  # its store and hints: credentials._build

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
