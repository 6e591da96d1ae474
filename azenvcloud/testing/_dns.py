"""Name resolution for tests: real host names routed to a fake cloud, and a fence that refuses
to resolve anything but loopback, so no lookup leaves the machine.

Both work by patching ``socket.getaddrinfo``. aiohttp with aiodns installed (``aiohttp[speedups]``)
resolves names itself, past that patch; so while either is open, aiohttp's default resolver is
its ``ThreadedResolver`` (which calls ``getaddrinfo``) for every connector made meanwhile. dnspython
(azure-appconfiguration-provider's replica discovery asks it for SRV records) sends its own
queries too: while either is open, its resolvers answer a name routed to a fake with no records
(``NXDOMAIN``: the fake publishes none), a fenced unrouted one with :class:`UnroutedHostError`,
and, under :func:`refuse_non_loopback_dns`, every other name with ``NXDOMAIN`` too.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ROUTES", "UnroutedHostError", "match", "refuse_non_loopback_dns"]

_LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


class UnroutedHostError(RuntimeError):
    """A host under an Azure suffix was looked up while a fake cloud was running, and no
    :meth:`FakeCloud.route_hosts` (or :meth:`FakeCloud.as_cloud`) routes it.

    Not an ``OSError``: HTTP libraries and azure-core's retry policy pass it through at once,
    instead of retrying a lookup that cannot succeed for a minute and more.
    """

    def __init__(self, host: str, suffix: str) -> None:
        self.host = host
        super().__init__(
            f"azenvcloud fake cloud: nothing routes {host!r} (a host under .{suffix}) to the fake, "
            f"so this test would reach the real Azure. Route it: `with fake.route_hosts({host!r}):` "
            f"(or a wildcard such as {'*.' + host.split('.', 1)[1]!r}), or act as its whole cloud with "
            "`with fake.as_cloud(name):`, which routes the cloud's authority, Resource Manager and "
            "data plane."
        )


def _nothing() -> None:
    """Nothing to undo."""


def match(name: str, route: dict[str, int]) -> int | None:
    """The port ``route`` sends ``name`` to: exactly, or by the most specific ``*.`` wildcard over
    it, whatever the labels between (``*.eventgrid.azure.net`` routes the regional
    ``t1.westus2-1.eventgrid.azure.net``)."""
    if name in route:
        return route[name]
    labels = name.split(".")
    for start in range(1, len(labels)):
        port = route.get("*." + ".".join(labels[start:]))
        if port is not None:
            return port
    return None


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
        self._fenced: list[tuple[object, tuple[str, ...]]] = []  # (its token, suffixes fenced)
        self._original: Callable[..., Any] | None = None
        self._original_connect: Callable[..., Any] | None = None
        self._undo_resolver: Callable[[], None] = _nothing
        self._undo_dnspython: Callable[[], None] = _nothing

    def add(self, route: dict[str, int]) -> None:
        with self._lock:
            self._install()
            self._open.append(route)

    def remove(self, route: dict[str, int]) -> None:
        with self._lock:
            self._open = [item for item in self._open if item is not route]
            self._uninstall()

    def fence(self, suffixes: tuple[str, ...]) -> object:
        """Until :meth:`unfence` with the token returned, a name under one of ``suffixes`` that
        no route covers fails at once with :class:`UnroutedHostError` (other names resolve as
        before)."""
        token = object()
        with self._lock:
            self._install()
            self._fenced.append((token, suffixes))
        return token

    def unfence(self, token: object) -> None:
        """Take back one :meth:`fence`."""
        with self._lock:
            self._fenced = [item for item in self._fenced if item[0] is not token]
            self._uninstall()

    def _install(self) -> None:
        if not self._open and not self._fenced:
            self._original = socket.getaddrinfo
            socket.getaddrinfo = self._resolve  # type: ignore[assignment]  # same call shape
            self._original_connect = socket.socket.connect
            socket.socket.connect = _Routes._connect  # type: ignore[method-assign,assignment]
            self._undo_resolver = _resolve_in_aiohttp_with_getaddrinfo()
            self._undo_dnspython = _answer_dnspython(self._records, refuse_others=False)

    def _uninstall(self) -> None:
        if not self._open and not self._fenced and self._original is not None:
            socket.getaddrinfo = self._original
            socket.socket.connect = self._original_connect  # type: ignore[method-assign,assignment]
            self._original = self._original_connect = None
            self._undo_resolver()
            self._undo_dnspython()

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
        name = host.lower().rstrip(".")
        with self._lock:
            routed = any(match(name, route) is not None for route in self._open)
        return routed or _is_loopback_name(host)

    def claims(self, host: object) -> bool:
        """Whether the routes answer for ``host`` while installed: it is routed, or under a
        fenced suffix (:class:`UnroutedHostError`)."""
        name = host.decode() if isinstance(host, bytes) else host
        if not isinstance(name, str) or self._original is None:
            return False
        key = name.lower().rstrip(".")
        with self._lock:
            routed = any(match(key, route) is not None for route in self._open)
            fenced = any(key == s or key.endswith(f".{s}") for _, suffixes in self._fenced for s in suffixes)
        return routed or fenced

    def _records(self, name: str) -> bool:
        """Whether dnspython's query for ``name`` is the routes' to answer (it has no records
        then); a fenced name no route covers is :class:`UnroutedHostError`."""
        key = name.lower().rstrip(".")
        with self._lock:
            routed = any(match(key, route) is not None for route in self._open)
            suffix = next(
                (s for _, fenced in self._fenced for s in fenced if key.endswith(f".{s}") or key == s), None
            )
        if routed:
            return True
        if suffix is not None:
            raise UnroutedHostError(key, suffix)
        return False

    def _resolve(self, host: Any, service: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        key = name.lower().rstrip(".") if isinstance(name, str) else ""
        with self._lock:
            original = self._original
            ports = (match(key, route) for route in reversed(self._open))
            port = next((port for port in ports if port is not None), None)
            suffix = next(
                (s for _, fenced in self._fenced for s in fenced if key.endswith(f".{s}") or key == s), None
            )
        if port is not None:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        if suffix is not None:
            raise UnroutedHostError(key, suffix)
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
    connection that would follow it. Names the fake clouds' routes answer for (opened before
    this fence or after) are theirs to answer.
    """
    original = socket.getaddrinfo

    def resolve(host: Any, service: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_loopback_name(host):
            return original(host, service, *args, **kwargs)
        if ROUTES.claims(host):
            return ROUTES._resolve(host, service, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"azenvcloud test guard: refusing to resolve {host!r}")

    socket.getaddrinfo = resolve  # type: ignore[assignment]  # same call shape, looser types
    undo_resolver = _resolve_in_aiohttp_with_getaddrinfo()
    undo_dnspython = _answer_dnspython(
        lambda name: ROUTES._original is not None and ROUTES._records(name), refuse_others=True
    )
    try:
        yield
    finally:
        undo_dnspython()
        undo_resolver()
        socket.getaddrinfo = original


def _answer_dnspython(answered_here: Callable[[str], bool], *, refuse_others: bool) -> Callable[[], None]:
    """Make dnspython's resolvers (sync and async) answer ``NXDOMAIN`` for a name
    ``answered_here`` claims (or that raises for it), and, with ``refuse_others``, for every
    name; the others go to the resolver as before. Returns what undoes it."""
    if importlib.util.find_spec("dns") is None:
        return _nothing
    import dns.asyncresolver
    import dns.resolver

    def refused(qname: Any) -> BaseException | None:
        name = str(qname)
        if answered_here(name) or refuse_others:
            return dns.resolver.NXDOMAIN(qnames=[name])  # type: ignore[no-untyped-call]
        return None

    sync_resolve = dns.resolver.Resolver.resolve
    async_resolve = dns.asyncresolver.Resolver.resolve

    def resolve(self: Any, qname: Any, *args: Any, **kwargs: Any) -> Any:
        error = refused(qname)
        if error is not None:
            raise error
        return sync_resolve(self, qname, *args, **kwargs)

    async def resolve_async(self: Any, qname: Any, *args: Any, **kwargs: Any) -> Any:
        error = refused(qname)
        if error is not None:
            raise error
        return await async_resolve(self, qname, *args, **kwargs)

    dns.resolver.Resolver.resolve = resolve  # type: ignore[method-assign]
    dns.asyncresolver.Resolver.resolve = resolve_async  # type: ignore[method-assign]

    def undo() -> None:
        dns.resolver.Resolver.resolve = sync_resolve  # type: ignore[method-assign]
        dns.asyncresolver.Resolver.resolve = async_resolve  # type: ignore[method-assign]

    return undo


def _resolve_in_aiohttp_with_getaddrinfo() -> Callable[[], None]:
    """Make aiohttp's default resolver its ``ThreadedResolver`` (``socket.getaddrinfo``, which
    the routes and the fence patch) instead of aiodns's; returns what undoes it."""
    if importlib.util.find_spec("aiohttp") is None:
        return _nothing
    import aiohttp.connector
    import aiohttp.resolver

    modules = (aiohttp.connector, aiohttp.resolver, aiohttp)
    saved = [(module, module.__dict__.get("DefaultResolver")) for module in modules]
    for module, _ in saved:
        module.DefaultResolver = aiohttp.resolver.ThreadedResolver  # type: ignore[attr-defined]

    def undo() -> None:
        for module, value in saved:
            if value is None:
                module.__dict__.pop("DefaultResolver", None)
            else:
                module.DefaultResolver = value  # type: ignore[attr-defined]

    return undo
