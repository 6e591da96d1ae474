"""The HTTP transports azenvcloud builds for clients, all trusting the one CA setting of
:mod:`azenvcloud._ca`.

A client gets the transport azure-core would build from its arguments (timeouts and all), with
the CA setting: requests gets the bundle's path (it keys its pools by it); aiohttp gets a session
whose connector holds one shared ``SSLContext`` (azure-core would build a new context from a path
for every request, and aiohttp, whose pools are keyed by the context, would open a connection
for each).
"""

from __future__ import annotations

from typing import Any

from ._ca import connection_verify

__all__ = ["with_transport"]


def with_transport(arguments: dict[str, Any], *, asynchronous: bool) -> dict[str, Any]:
    """``arguments`` plus a ``transport`` trusting the CA setting, unless the caller chose a
    ``transport`` or ``connection_verify`` of their own (theirs win)."""
    if "transport" in arguments or "connection_verify" in arguments:
        return arguments
    if asynchronous:
        # aiohttp builds its default verifying context once, at import: a bundle named in
        # SSL_CERT_FILE later (by a test fixture, say) would never be trusted.
        from ._aio_transport import CaTrustingAioHttpTransport

        return {**arguments, "transport": CaTrustingAioHttpTransport(**arguments)}
    from azure.core.pipeline.transport import RequestsTransport

    return {**arguments, "transport": RequestsTransport(**arguments, connection_verify=connection_verify())}
