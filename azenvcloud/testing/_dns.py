"""Name resolution for tests: real host names routed to a fake cloud, and a fence that refuses
to resolve anything but loopback, so no lookup leaves the machine."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ROUTES", "refuse_non_loopback_dns"]

_LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


class _Routes:
    """Host names resolved to fake clouds: one patch of ``socket.getaddrinfo`` for all open
    :meth:`FakeCloud.route_hosts` contexts, installed with the first and removed with the last.

    httpx (on anyio) resolves a name but then connects to the URL's own port, 443, whatever port
    the resolver gave; so while routes are open, a connection to 127.0.0.1:443 (where nothing
    of a test's listens) goes to the newest route's fake too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[dict[str, int]] = []
        self._original: Callable[..., Any] | None = None
        self._original_connect: Callable[..., Any] | None = None

    def add(self, route: dict[str, int]) -> None:
        with self._lock:
            if not self._open:
                self._original = socket.getaddrinfo
                socket.getaddrinfo = self._resolve  # type: ignore[assignment]  # same call shape
                self._original_connect = socket.socket.connect
                socket.socket.connect = _Routes._connect  # type: ignore[method-assign,assignment]
            self._open.append(route)

    def remove(self, route: dict[str, int]) -> None:
        with self._lock:
            self._open = [item for item in self._open if item is not route]
            if not self._open and self._original is not None:
                socket.getaddrinfo = self._original
                socket.socket.connect = self._original_connect  # type: ignore[method-assign,assignment]
                self._original = self._original_connect = None

    @staticmethod
    def _connect(sock: socket.socket, address: Any) -> Any:
        routes = ROUTES
        with routes._lock:
            connect = routes._original_connect or socket.socket.connect
            if address == ("127.0.0.1", 443) and routes._open:
                address = ("127.0.0.1", next(iter(routes._open[-1].values())))
        return connect(sock, address)

    def is_local(self, host: str) -> bool:
        """Whether connecting to ``host`` stays on this machine: loopback, or routed to a fake."""
        with self._lock:
            routed = any(host.lower().rstrip(".") in route for route in self._open)
        return routed or _is_loopback_name(host)

    def _resolve(self, host: Any, service: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        with self._lock:
            original = self._original
            port = next(
                (
                    route[name.lower().rstrip(".")]
                    for route in reversed(self._open)
                    if isinstance(name, str) and name.lower().rstrip(".") in route
                ),
                None,
            )
        if port is not None:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        if original is None:  # the last route closed while this lookup was on its way
            return socket.getaddrinfo(host, service, *args, **kwargs)
        return original(host, service, *args, **kwargs)


ROUTES = _Routes()
"""The open routes (one patch of name resolution and connection for all of them)."""


def _is_loopback_name(name: object) -> bool:
    """Exactly loopback: ``localhost``, ``ip6-localhost`` or an IP literal in 127.0.0.0/8 or ``::1``.

    Nothing that merely starts like one (``127.attacker.example``, ``127.0.0.1.nip.io``) and no
    absolute name (``localhost.``): those go to the real resolver.
    """
    if name is None:
        return True  # getaddrinfo(None, port): the local wildcard, no lookup
    text = name.decode() if isinstance(name, bytes) else str(name)
    if text.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return False


@contextmanager
def refuse_non_loopback_dns() -> Iterator[None]:
    """Refuse to resolve any name but loopback while open: no lookup leaves the machine.

    A second fence besides a socket guard: it stops the DNS query itself, not just the
    connection that would follow it.
    """
    original = socket.getaddrinfo

    def resolve(host: Any, service: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_loopback_name(host):
            return original(host, service, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"azenvcloud test guard: refusing to resolve {host!r}")

    socket.getaddrinfo = resolve  # type: ignore[assignment]  # same call shape, looser types
    try:
        yield
    finally:
        socket.getaddrinfo = original
