"""The fake cloud's HTTP side: the loopback HTTPS server, its request log and its settable
failures. What each path answers (Entra ID, ADFS, Resource Manager, the data plane) is
:class:`azenvcloud.testing.FakeCloud`'s and :mod:`azenvcloud.testing._dataplane`'s.

One port speaks both: a connection that opens with a TLS handshake is the fake's own HTTPS; any
other is a proxy client (:mod:`azenvcloud.testing._proxy`), whose CONNECT to a host routed here
continues as the fake's HTTPS on the same connection.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from . import _arm, _dataplane, _identity, _proxy

if TYPE_CHECKING:
    from . import FakeCloud
    from ._configurations import FakeConfiguration

__all__ = ["Failure", "MetadataDocument", "RecordedRequest", "Server", "State"]

# Form fields that carry secrets: recorded only as present, never as values.
_SECRET_FIELDS = frozenset({"client_secret", "client_assertion", "password", "refresh_token", "assertion"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake cloud received.

    Attributes:
        method: HTTP method.
        host: The host the client asked for (the ``Host`` header, without port).
        path: URL path.
        query: Query parameters.
        form: Form fields of token requests; secret fields hold ``"<redacted>"``.
        bearer: The bearer token presented, if any.
        scope: The scope requested (token endpoint) or that the presented token was issued for.
        client_id: Who asked: the client ID of a token request, or the one the presented token
            was issued to.
        tenant: The tenant of a token request (the authority's path: a tenant ID, ``adfs``), or
            the one the presented token was issued in.
        refused: Why the fake refused to be a proxy for this request (a ``CONNECT`` to a host it
            does not answer for, or plain HTTP to anywhere), else ``None``.
        configuration: Which configuration made it: the one the fake issued the client ID (of
            a token request, or of the presented token) for (:meth:`FakeCloud.as_clouds`),
            ``"default"`` for the fake's own service principal (``DEFAULT_CLIENT_ID``), ``None``
            for a request without an identity or by an identity the fake did not issue.
    """

    method: str
    host: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    bearer: str | None = field(repr=False)  # a token: assert on it, never print it
    scope: str | None
    client_id: str | None = None
    tenant: str | None = None
    refused: str | None = None
    configuration: str | None = None

    @property
    def kind(self) -> str:  # noqa: PLR0911 - one return per kind
        """``token``, ``openid``, ``instance_discovery``, ``metadata``, ``arm``, a data-plane
        service's name (``keyvault``, ``blob``, ``log_analytics``), or ``refused`` (a proxy
        request the fake did not serve)."""
        if self.refused is not None:
            return "refused"
        service = _dataplane.service_of(self)
        if service is not None:
            return service
        if self.path.endswith("/token"):
            return "token"
        if "openid-configuration" in self.path:
            return "openid"
        if "discovery/instance" in self.path:
            return "instance_discovery"
        if self.path.startswith("/metadata/endpoints"):
            return "metadata"
        return "arm"


@dataclass
class Failure:
    match: str
    status: int
    remaining: int
    body: Any
    headers: dict[str, str]
    delay: float = 0.0
    trickle: float = 0.0


MetadataDocument = Callable[[str], Any] | dict[str, Any] | list[Any] | bytes
"""A metadata answer: the JSON (or raw bytes) to send, or a callable given the base URL the
client asked for that returns it."""


@dataclass
class State:
    requests: list[RecordedRequest] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> scope it was issued for
    issued_to: dict[str, tuple[str | None, str | None, str | None]] = field(
        default_factory=dict
    )  # token -> (client, tenant, configuration)
    identities: dict[str, FakeConfiguration] = field(default_factory=dict)  # client ID -> its configuration
    configurations: list[FakeConfiguration] = field(default_factory=list)  # acting, as_clouds
    failures: list[Failure] = field(default_factory=list)
    accepted_scopes: frozenset[str] | None = None
    metadata: dict[str, MetadataDocument] = field(default_factory=dict)
    served: dict[tuple[str, str], Any] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)  # path part -> seconds before answering
    blobs: dict[str, bytes] = field(default_factory=dict)  # "host/container/blob" -> content
    tenants: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (cloud, region scope)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as real servers: no 40 ms delayed-ACK stall per connection
    _status: int | None = None  # of the answer being sent, for the request log

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the request log is the record."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        cloud = self.server.cloud
        self._status = None
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        body = raw_body.decode("utf-8", "replace")
        form = dict(parse_qsl(body)) if method == "POST" else {}
        bearer = None
        authorization = self.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            bearer = authorization[len("bearer ") :].strip()
        with cloud._state.lock:
            issued_scope = cloud._state.tokens.get(bearer or "")
        query = dict(parse_qsl(parts.query))
        client_id, tenant, configuration = _identity.attribution(
            cloud, method, parts.path, query=query, form=form, bearer=bearer
        )
        recorded = RecordedRequest(
            method=method,
            host=(self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower(),
            path=parts.path,
            query=query,
            form={key: "<redacted>" if key in _SECRET_FIELDS else value for key, value in form.items()},
            bearer=bearer,
            scope=form.get("scope") if form else issued_scope,
            client_id=client_id,
            tenant=tenant,
            configuration=configuration,
        )
        with cloud._state.lock:
            cloud._state.requests.append(recorded)
        self._recorded: RecordedRequest | None = recorded
        try:
            self._answer(recorded, form, raw_body)
        finally:
            self._log_once()  # an answer that never reached _send (an error in the fake itself)

    def _log_once(self) -> None:
        """The request's line in the request log, once: written when its status is known, before
        the answer goes out, so a client that has its answer finds the line already there."""
        recorded, self._recorded = getattr(self, "_recorded", None), None
        if recorded is not None:
            self.server.cloud._log_request(recorded, self._status)

    def _answer(self, recorded: RecordedRequest, form: dict[str, str], raw_body: bytes) -> None:
        cloud = self.server.cloud
        parts = urlsplit(self.path)
        with cloud._state.lock:
            failure = next((f for f in cloud._state.failures if f.match in parts.path and f.remaining), None)
            if failure is not None:
                failure.remaining -= 1
        if failure is not None:
            if failure.delay:
                time.sleep(failure.delay)
            self._send(failure.status, failure.body, failure.headers, trickle=failure.trickle)
            return
        with cloud._state.lock:
            slow = max(
                (delay for part, delay in cloud._state.latency.items() if part in parts.path), default=0.0
            )
        if slow:
            time.sleep(slow)
        served = _arm.served(cloud, recorded)
        if served is not None:
            self._send(*served)
            return
        answer = _dataplane.answer(cloud, recorded, raw_body)
        if answer is not None:
            self._send(*answer)
            return
        status, payload = _route(cloud, recorded, form, base=self._base_url())
        self._send(status, payload)

    def _base_url(self) -> str:
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_port}"
        return f"https://{host}"

    def _send(
        self, status: int, payload: Any, headers: dict[str, str] | None = None, *, trickle: float = 0.0
    ) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = dict(headers or {})
        self._status = status
        self._log_once()
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(data)))
        if status == 401 and "WWW-Authenticate" not in (headers or {}):
            self.send_header(
                "WWW-Authenticate", 'Bearer authorization_uri="https://login.invalid", error="invalid_token"'
            )
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not trickle:
            self.wfile.write(data)
            return
        for index in range(len(data)):  # one byte at a time, each after a pause
            time.sleep(trickle)
            try:
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: as it should
                return


def _route(cloud: FakeCloud, request: RecordedRequest, form: dict[str, str], *, base: str) -> tuple[int, Any]:
    """The answer to a request no failure, served path or data-plane route took: the identity
    side's (:mod:`._identity`), Resource Manager's (:mod:`._arm`), or an honest 404."""
    method, path = request.method, request.path
    answer = _identity.answer(cloud, method, path, query=request.query, form=form, base=base)
    if answer is None:
        answer = _arm.answer(
            cloud, method, path, query=request.query, bearer=request.bearer, base=base, host=request.host
        )
    if answer is None:
        answer = 404, {"error": {"code": "NotFound", "message": f"the fake cloud serves no {method} {path}"}}
    return answer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, cloud: FakeCloud, context: ssl.SSLContext, port: int = 0) -> None:
        self.cloud = cloud
        self._context = context
        super().__init__(("127.0.0.1", port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # In the connection's own thread (the accepting one never waits for a client): a client
        # that never sends, or never completes its handshake, must not block the server.
        try:
            first = request.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == b"\x16":  # a TLS handshake record: a client of the fake's own HTTPS
            self._serve_https(request, client_address)
        elif first and _proxy.ProxyHandler(request, client_address, self).tunnelled:
            self._serve_https(request, client_address)  # CONNECT answered: TLS on the same socket

    def _serve_https(self, sock: socket.socket, client_address: Any) -> None:
        tls = self._context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        try:
            _Handler(tls, client_address, self)
        finally:
            self.shutdown_request(tls)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects and failed handshakes are part of testing; stay quiet."""
