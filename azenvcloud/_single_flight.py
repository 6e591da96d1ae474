"""Single-flight token requests: concurrent requests for the same token make one request.

azure-identity does not coalesce them: 64 threads racing the first call each ask the authority
(and an identity platform that throttles answers 429, which MSAL then caches for up to a minute).
Here the first caller of a key asks; the others wait for it and share its token or its error.
Nothing is cached beyond the flight: the next request after it goes to azure-identity (whose own
cache answers it). After ``fork()`` a child forgets its parent's flights: it never waits on a
request it did not start. An async credential belongs to one event loop (``azenvcloud.aio``
builds one per loop), so its flights are that loop's.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["AsyncFlights", "Flights", "flight_key"]

T = TypeVar("T")


def flight_key(method: str, scopes: tuple[str, ...], options: dict[str, Any]) -> Hashable | None:
    """The key of one token request (scopes, claims, tenant, options), or ``None`` when an
    option cannot be compared (such a request is not coalesced)."""
    try:
        key = (method, scopes, tuple(sorted(options.items())))
        hash(key)
    except TypeError:
        return None
    return key


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class Flights:
    """The requests under way in this process, for threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}
        _ALL.add(self)

    def run(self, key: Hashable | None, call: Callable[[], T]) -> T:
        """``call()``, or the result of the same call already under way."""
        if key is None:
            return call()
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.result  # type: ignore[no-any-return]
        try:
            flight.result = call()
            return flight.result  # type: ignore[no-any-return]
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def _forget_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._flights = {}


class AsyncFlights:
    """The requests under way in one event loop."""

    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable | None, call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``, or the result of the same call already under way."""
        if key is None:
            return await call()
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        try:
            result = await call()
        except BaseException as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        else:
            flight.set_result(result)
            return result
        finally:
            del self._flights[key]


_ALL: weakref.WeakSet[Flights] = weakref.WeakSet()


def _forget_after_fork() -> None:
    for flights in list(_ALL):
        flights._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
