"""A deadline held on the socket: a watchdog that shuts down the connections of one HTTP exchange.

Per-read timeouts bound the wait for each byte, not for the answer: a server that sends its TLS
handshake, status line, headers or body one byte at a time passes every one of them. Here each
connection the exchange opens (the TCP socket, before TLS) is watched: a copy of its descriptor
is kept, and when the deadline passes a timer thread shuts the socket down, which ends whatever
read or handshake is blocked on it at once. The copies are closed when the exchange ends, so a
descriptor number is never shut down after it was reused.

Imported with requests and urllib3 (by :mod:`azenvcloud._metadata_source` when it fetches),
never at ``import azenvcloud``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

__all__ = ["watched", "watched_transport"]


class _Watchdog:
    """Shuts down the sockets it watches when its time is up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._copies: list[socket.socket] = []
        self.expired = False

    def watch(self, sock: socket.socket) -> None:
        try:
            copy = sock.dup()  # the same connection, under a descriptor only we close
        except OSError:
            return
        with self._lock:
            self._copies.append(copy)
            if not self.expired:
                return
        _shut_down(copy)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            copies = list(self._copies)
        for copy in copies:
            _shut_down(copy)

    def close(self) -> None:
        with self._lock:
            copies, self._copies = self._copies, []
        for copy in copies:
            with contextlib.suppress(OSError):
                copy.close()


def _shut_down(copy: socket.socket) -> None:
    with contextlib.suppress(OSError):
        copy.shutdown(socket.SHUT_RDWR)  # wakes a read blocked on the connection in another thread


_current: ContextVar[_Watchdog | None] = ContextVar("azenvcloud_socket_watchdog", default=None)


@contextlib.contextmanager
def watched(seconds: float) -> Iterator[_Watchdog]:
    """Shut down every connection a :func:`watched_transport` opens in this context once
    ``seconds`` have passed; yields the watchdog (``expired`` says whether it fired)."""
    watchdog = _Watchdog()
    timer = threading.Timer(max(0.0, seconds), watchdog.expire)
    timer.daemon = True
    timer.name = "azenvcloud-fetch-deadline"
    with contextlib.suppress(RuntimeError):  # no thread to be had: the per-read timeouts still apply
        timer.start()
    token = _current.set(watchdog)
    try:
        yield watchdog
    finally:
        _current.reset(token)
        timer.cancel()
        watchdog.close()


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watchdog = _current.get()
        if watchdog is not None:
            watchdog.watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:  # before TLS: the handshake is watched too
        sock = super()._new_conn()
        watchdog = _current.get()
        if watchdog is not None:
            watchdog.watch(sock)
        return sock


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, Any] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections the watchdog of the current context can shut down
    (through an http(s) proxy too; a SOCKS proxy's connections keep their per-read timeouts)."""

    def __init__(self) -> None:
        # Retries are the caller's business, as on the adapters azure-core mounts itself.
        super().__init__(max_retries=Retry(total=False, redirect=False, raise_on_status=False))

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def watched_transport(*, connection_verify: str | bool = True) -> RequestsTransport:
    """An azure-core transport (set up as azure-core sets up its own) whose connections are
    watched within :func:`watched`; ``connection_verify`` is the CA bundle (``_ca``)."""
    transport = RequestsTransport(connection_verify=connection_verify)
    transport.open()
    for scheme in ("http://", "https://"):
        transport.session.mount(scheme, _WatchedAdapter())
    return transport
