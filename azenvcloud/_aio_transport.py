"""azure-core's aiohttp transport with a session trusting the CA setting (:mod:`azenvcloud._ca`).

Imported only where an async client is built (it imports aiohttp), never at ``import azenvcloud``.
"""

from __future__ import annotations

import aiohttp
from azure.core.pipeline.transport import AioHttpTransport

from ._ca import ssl_context

__all__ = ["CaTrustingAioHttpTransport"]


class CaTrustingAioHttpTransport(AioHttpTransport):  # type: ignore[misc]  # azure-core exports it lazily (Any)
    """``AioHttpTransport`` whose own session verifies with :func:`azenvcloud._ca.ssl_context`.

    The session is made as azure-core makes it (environment proxies, no cookies, no automatic
    decompression), with a connector holding the shared context, so connections are reused.
    """

    async def open(self) -> None:
        """Open the session (made here on first use, in the running loop)."""
        if getattr(self, "session", None) is None and self._session_owner and not self._has_been_opened:
            self.session = aiohttp.ClientSession(
                trust_env=self._use_env_settings,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                connector=aiohttp.TCPConnector(ssl=ssl_context()),
            )
        await super().open()
