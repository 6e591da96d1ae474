"""What the fake cloud (:mod:`azenvcloud.testing`) needs to answer for an SDK family: a route per
service, declared in the family's module beside its recipes, served by the fake as it finds them
in the registry (:data:`azenvcloud._dataplane.FAKE_ROUTES`).

A route says which requests are its service's (by host and path) and answers them as the real
service does where the SDK looks: the token's scope must be the one the service accepts, else a
401. Nothing here imports the fake, pytest or an SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from ._recipe import known_service

__all__ = ["Answer", "FakeRequest", "FakeRoute", "unauthorized"]

Answer = tuple[int, Any, dict[str, str]]
"""Status, body (JSON, or ``bytes`` sent as they are) and headers."""


@dataclass(frozen=True)
class FakeRequest:
    """A data-plane request to the fake, as a route sees it.

    Attributes:
        method: ``GET``, ``PUT``, ``POST``, ...
        host: The host name the SDK asked for (the fake's routes keep real host names).
        path: The path, without the query.
        query: The query's parameters.
        body: The request's body.
        scope: The scope of the fake-issued token the request carries (``None``: none, or not the fake's).
        tenant_id: The fake's tenant, for a challenge that names it.
        kept: What the fake keeps for the data plane until its ``reset()`` (a route keys it by host
            and path: a blob put, then read).
        client_id: The client ID the presented token was issued to (``None``: no token of the
            fake's), for an answer that names the caller as the service does.
    """

    method: str
    host: str
    path: str
    query: Mapping[str, str]
    body: bytes
    scope: str | None
    tenant_id: str
    kept: MutableMapping[str, bytes]
    client_id: str | None = None


@dataclass(frozen=True)
class FakeRoute:
    """How the fake answers one service of a family.

    Attributes:
        service: The service (a name of :data:`azenvcloud.SERVICE_NAMES`, checked here);
            the requests' kind in the fake's log (``fake.requests_of("blob")``).
        matches: Whether a request (its host and path) is this service's.
        answer: Its answer.
    """

    service: str
    matches: Callable[[str, str], bool]
    answer: Callable[[FakeRequest], Answer]

    def __post_init__(self) -> None:
        known_service(self.service, f"FakeRoute(service={self.service!r})")


def unauthorized(message: str, headers: dict[str, str] | None = None) -> Answer:
    """A 401 for a token of the wrong audience, as Azure's services answer it."""
    return 401, {"error": {"code": "InvalidAuthenticationTokenAudience", "message": message}}, headers or {}
