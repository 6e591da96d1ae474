"""The fake cloud's data-plane services, each on the host names of the cloud it acts as.

Each SDK family declares, in its own module of :mod:`azenvcloud._dataplane`, which requests are
its services' and how the fake answers them (:class:`~azenvcloud._dataplane._fake.FakeRoute`): as
the real service does where the SDKs look (the token's scope must be the one the service
accepts, else a 401). This module only hands a request to the route that claims it. Requests are
logged like every other, with the service's name as their kind.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._dataplane._fake import Answer, FakeRoute
    from . import FakeCloud, RecordedRequest

__all__ = ["Kept", "answer", "service_of"]


def _route_of(request: RecordedRequest) -> FakeRoute | None:
    from .._dataplane import FAKE_ROUTES  # the families' routes (imports no SDK)

    return next((route for route in FAKE_ROUTES if route.matches(request.host, request.path)), None)


def service_of(request: RecordedRequest) -> str | None:
    """The data-plane service a request is for, by its host and path, or ``None``."""
    route = _route_of(request)
    return None if route is None else route.service


def answer(cloud: FakeCloud, request: RecordedRequest, body: bytes) -> Answer | None:
    """The answer of the data-plane service the request is for, or ``None`` if it is for none."""
    from .._dataplane._fake import FakeRequest
    from ._configurations import challenge_tenant

    route = _route_of(request)
    if route is None:
        return None
    with cloud._state.lock:
        scope = cloud._state.tokens.get(request.bearer or "")
    seen = FakeRequest(
        method=request.method,
        host=request.host,
        path=request.path,
        query=request.query,
        body=body,
        scope=scope,
        tenant_id=challenge_tenant(cloud, request.host),
        kept=Kept(cloud),
        client_id=request.client_id,
    )
    return route.answer(seen)


class Kept(MutableMapping[str, bytes]):
    """The fake's data-plane store (``_state.blobs``, cleared by ``reset()``), under its lock."""

    def __init__(self, cloud: FakeCloud) -> None:
        self._state = cloud._state

    def __getitem__(self, key: str) -> bytes:
        with self._state.lock:
            return self._state.blobs[key]

    def __setitem__(self, key: str, value: bytes) -> None:
        with self._state.lock:
            self._state.blobs[key] = value

    def __delitem__(self, key: str) -> None:
        with self._state.lock:
            del self._state.blobs[key]

    def __iter__(self) -> Iterator[str]:
        with self._state.lock:
            return iter(list(self._state.blobs))

    def __len__(self) -> int:
        with self._state.lock:
            return len(self._state.blobs)
