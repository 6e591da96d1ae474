"""The HTTP transports azenvcloud builds for clients, and what every transport it builds or has
azure-identity build is given from the settings: trust in the one CA setting of
:mod:`azenvcloud._ca`.

A client gets the transport azure-core would build from its arguments (timeouts and all), with
the CA setting: requests gets the bundle's path (it keys its pools by it); aiohttp gets a session
whose connector holds one shared ``SSLContext`` (azure-core would build a new context from a path
for every request, and aiohttp, whose pools are keyed by the context, would open a connection
for each). The credential's transport (``credentials.py``, ``_openid_cache.py``) is given
:func:`transport_options` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._ca import connection_verify

if TYPE_CHECKING:
    from ._settings import Settings

__all__ = ["transport_options", "with_transport"]


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
        from ._aio_transport import CaTrustingAioHttpTransport

        del options["connection_verify"]
        return {**arguments, "transport": CaTrustingAioHttpTransport(**options)}
    from azure.core.pipeline.transport import RequestsTransport

    return {**arguments, "transport": RequestsTransport(**options)}
