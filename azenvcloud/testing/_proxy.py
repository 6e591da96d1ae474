"""The fake cloud as an HTTPS proxy for other processes: a ``CONNECT`` to a host routed to the
fake (:meth:`~azenvcloud.testing.FakeCloud.route_hosts`, :meth:`~azenvcloud.testing.FakeCloud.as_cloud`)
is answered by the fake itself, TLS with its own certificate on the same connection; every other
``CONNECT``, and plain HTTP to anywhere, is refused (403, recorded as a ``refused`` request).
Nothing passes through to the internet.

A process whose ``HTTPS_PROXY`` names the fake reaches a cloud's real host names with no change
of its name resolution, no ``/etc/hosts`` and no privilege: the proxy protocol sends the name, and
the process never looks it up.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ._server import Server

__all__ = ["ProxyHandler"]

_REASON = "Forbidden by the azenvcloud fake cloud"


class ProxyHandler(BaseHTTPRequestHandler):
    """One proxy client's request on the fake's port; :attr:`tunnelled` once a ``CONNECT`` is
    answered, the connection then being the fake's HTTPS (the server continues it)."""

    server: Server
    protocol_version = "HTTP/1.1"
    rbufsize = 0  # read no byte past the request: the client's TLS handshake follows a CONNECT
    tunnelled = False

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the request log is the record."""

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        host = host.strip("[]").lower().rstrip(".")
        cloud = self.server.cloud
        if port == "443" and cloud._routed_here(host):
            self.send_response(200, "Connection established")
            self.end_headers()
            self.tunnelled = True
            self.close_connection = True  # this handler is done; the fake's HTTPS takes over
            return
        why = (
            f"{host} is no host the fake cloud answers for"
            if port == "443"
            else f"port {port}: the fake cloud answers on 443 only"
        )
        self._refuse("CONNECT", host, "", why)

    def _plain(self) -> None:
        """Plain HTTP (``GET http://host/path``): never passed on, wherever it is for."""
        target = urlsplit(self.path)
        host = (target.hostname or self.headers.get("Host") or "").lower()
        self._refuse(self.command, host, target.path or "/", "plain HTTP: the fake cloud answers HTTPS only")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _plain

    def _refuse(self, method: str, host: str, path: str, why: str) -> None:
        message = f"azenvcloud fake cloud: {method} {host}{path} refused: {why}; it passes nothing on."
        self.server.cloud._refused(method, host, path, why)
        body = (message + "\n").encode()
        self.send_response(403, f"{_REASON}: {why}")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)
        self.close_connection = True
