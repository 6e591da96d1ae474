"""The HTTP transports azenvcloud builds for clients, and what every transport it builds or has
azure-identity build is given from the settings: trust in the one CA setting of
:mod:`azenvcloud._ca`.

A client gets the transport azure-core would build from its arguments (timeouts and all), with
the CA setting: requests gets the bundle's path (it keys its pools by it); aiohttp gets a session
whose connector holds one shared ``SSLContext`` (azure-core would build a new context from a path
for every request, and aiohttp, whose pools are keyed by the context, would open a connection
for each). The credential's transport (``_credentials.py``, ``_openid_cache.py``) is given
:func:`transport_options` too.

The async transport's class is made on first use: it subclasses azure-core's aiohttp transport,
and importing aiohttp costs what ``import azenvcloud`` and the sync clients never pay.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ._ca import connection_verify, ssl_context

if TYPE_CHECKING:
    from ._settings import Settings

__all__ = ["ca_trusting_aiohttp_transport", "transport_options", "with_transport"]


def transport_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments every azure-core transport azenvcloud builds, or has azure-identity
    build, is given for ``settings``: ``connection_verify``, the one CA setting, and
    ``connection_timeout`` where ``AZENVCLOUD_CONNECTION_TIMEOUT`` sets it (else azure-core's own)."""
    options: dict[str, Any] = {"connection_verify": connection_verify()}
    if settings.connection_timeout is not None:
        options["connection_timeout"] = settings.connection_timeout
    return options


def with_transport(arguments: dict[str, Any], *, settings: Settings, asynchronous: bool) -> dict[str, Any]:
    """``arguments`` plus a ``transport`` built with :func:`transport_options`, unless the caller
    chose a ``transport`` or ``connection_verify`` of their own (theirs win); the caller's other
    arguments (``connection_timeout=``, ...) win over the settings' too."""
    if "transport" in arguments or "connection_verify" in arguments:
        return arguments
    options = {**transport_options(settings), **arguments}
    if asynchronous:
        # aiohttp builds its default verifying context once, at import: a bundle named in
        # SSL_CERT_FILE later (by a test fixture, say) would never be trusted. The session's
        # connector holds the CA setting's context instead of a path.
        del options["connection_verify"]
        return {**arguments, "transport": ca_trusting_aiohttp_transport()(**options)}
    from azure.core.pipeline.transport import RequestsTransport

    return {**arguments, "transport": RequestsTransport(**options)}


@functools.cache
def ca_trusting_aiohttp_transport() -> type[Any]:
    """azure-core's ``AioHttpTransport``, whose own session verifies with
    :func:`azenvcloud._ca.ssl_context`: made as azure-core makes it (environment proxies, no
    cookies, no automatic decompression), with a connector holding the shared context, so
    connections are reused. The class is made once, on first use (it imports aiohttp)."""
    import aiohttp
    from azure.core.pipeline.transport import AioHttpTransport

    class CaTrustingAioHttpTransport(AioHttpTransport):  # type: ignore[misc]  # azure-core exports it lazily (Any)
        """``AioHttpTransport`` whose own session verifies with the CA setting's context."""

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

    return CaTrustingAioHttpTransport
