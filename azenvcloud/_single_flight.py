"""Single-flight token requests: concurrent requests for the same token make one request.

azure-identity does not coalesce them: 64 threads racing the first call each ask the authority
(and an identity platform that throttles answers 429, which MSAL then caches for up to a
minute). Here the first caller of a key asks; the others wait for it and share its token or its
error: an ``Exception``. When the first caller is cancelled or interrupted instead
(``CancelledError``, ``KeyboardInterrupt``, ``SystemExit``: something that happened to it, not
to the request), the others ask afresh, one of them first. Nothing is cached beyond the flight:
the next request after it goes to azure-identity (whose own cache answers it). After ``fork()``
a child forgets its parent's flights: it never waits on a request it did not start. An async
credential belongs to one event loop (``azenvcloud.aio`` builds one per loop), so its flights
are that loop's.

A flight can also be *prefetched*: started in the background before anybody asks, so that the
token request overlaps the import and construction of the client that will need it. Its outcome,
token or error, and what was logged meanwhile (:mod:`azenvcloud._held_logs`) are kept for the
first request of that key, which receives them as if it had made the request itself; the
prefetch itself never raises and never logs. An outcome nobody takes within
:data:`PREFETCH_KEPT_FOR` seconds is dropped, and the request after that asks azure-identity.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from ._fork import after_fork
from ._held_logs import holding, replay

__all__ = ["PREFETCH_KEPT_FOR", "AsyncFlights", "Flights", "flight_key", "wait_for_prefetches"]

T = TypeVar("T")

# How long a prefetched token or error waits for the request it was made for. Start-up is
# seconds; a request much later asks afresh instead of getting an old error.
PREFETCH_KEPT_FOR = 60.0


def flight_key(method: str, scopes: tuple[str, ...], options: dict[str, Any]) -> Hashable | None:
    """The key of one token request (scopes, claims, tenant, options), or ``None`` when an
    option cannot be compared (such a request is not coalesced). An option given as ``None`` is
    the option not given, as azure-identity reads it (azure-keyvault's challenge policy passes
    ``claims=None`` on one path and no ``claims`` on the other, for the same token)."""
    try:
        key = (
            method,
            scopes,
            tuple(sorted((name, value) for name, value in options.items() if value is not None)),
        )
        hash(key)
    except TypeError:
        return None
    return key


def _prefetchable(key: Hashable) -> bool:
    # Only requests without options (claims, tenant, CAE) are prefetched, and so remembered as
    # asked for: scopes are few, claims challenges could be many.
    return isinstance(key, tuple) and key[2] == ()


@dataclass(kw_only=True)
class _Landing:
    """What a flight keeps when it was prefetched, for the request that takes it."""

    prefetched: bool = False
    landed: float = 0.0  # time.monotonic() when a prefetch landed
    records: list[logging.LogRecord] = field(default_factory=list)  # held by a prefetch

    def taken(self, first: bool) -> bool:
        """Whether the prefetched outcome may still be used; the first taker replays its logs."""
        if time.monotonic() - self.landed > PREFETCH_KEPT_FOR:
            return False
        if first:
            replay(self.records)
        return True


def _shared(error: BaseException) -> TypeGuard[Exception]:
    """Whether a leader's error is the request's, for its waiters too: an ``Exception``, not a
    cancellation or interruption of the leader (its waiters were not cancelled)."""
    return isinstance(error, Exception) and not isinstance(error, asyncio.CancelledError)


@dataclass(kw_only=True)
class _Flight(_Landing):
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: Exception | None = None
    abandoned: bool = False  # the leader was interrupted: its waiters ask afresh

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class Flights:
    """The requests under way in this process, for threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}
        self._asked: set[Hashable] = set()
        self._closed = False
        _ALL.add(self)

    def run(self, key: Hashable | None, call: Callable[[], T]) -> T:
        """``call()``, or the result of the same call already under way (or prefetched)."""
        if key is None:
            return call()
        with self._lock:
            if _prefetchable(key):
                self._asked.add(key)
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.prefetched and not self._take(key, flight):
                return self.run(key, call)  # dropped as too old: ask afresh
            if flight.abandoned:
                return self.run(key, call)  # the leader was interrupted, not the request
            return flight.outcome()  # type: ignore[no-any-return]
        try:
            flight.result = call()
            return flight.result  # type: ignore[no-any-return]
        except BaseException as exc:
            if _shared(exc):
                flight.error = exc
            else:
                flight.abandoned = True
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def prefetch(self, key: Hashable | None, call: Callable[[], object]) -> bool:
        """Start ``call()`` in a background thread, unless this key was asked for before; its
        outcome and log records are kept for the first :meth:`run` of the key. Returns whether
        it started."""
        if key is None or not _prefetchable(key):
            return False
        with self._lock:
            if self._closed or key in self._asked:
                return False
            self._asked.add(key)
            flight = self._flights[key] = _Flight(prefetched=True)
        thread = threading.Thread(
            target=self._land, args=(flight, call), name="azenvcloud-token-prefetch", daemon=True
        )
        try:
            thread.start()
        except RuntimeError:  # no thread to be had (a pids limit, interpreter shutdown)
            with self._lock:  # as if never prefetched: the first request asks itself
                if self._flights.get(key) is flight:
                    del self._flights[key]
                self._asked.discard(key)
            flight.abandoned = True
            flight.done.set()  # for anybody who joined it meanwhile: ask afresh
            return False
        _THREADS.add(thread)
        return True

    def close(self) -> None:
        """Drop kept prefetches (the credential is closed): nobody will take them."""
        with self._lock:
            self._closed = True
            for key in [key for key, flight in self._flights.items() if flight.prefetched]:
                del self._flights[key]

    def _land(self, flight: _Flight, call: Callable[[], object]) -> None:
        with holding() as records:
            try:
                flight.result = call()
            except BaseException as exc:  # kept for the request it was made for; never raised here
                if _shared(exc):
                    flight.error = exc
                else:  # SystemExit in this thread: whoever takes it asks afresh
                    flight.abandoned = True
        flight.records = records
        flight.landed = time.monotonic()
        flight.done.set()

    def _take(self, key: Hashable, flight: _Flight) -> bool:
        """Whether a landed prefetch's outcome may be used; the first taker replays its logs."""
        with self._lock:
            first = self._flights.get(key) is flight
            if first:
                del self._flights[key]
        return flight.taken(first)

    def _forget_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._flights = {}
        self._asked = set()


@dataclass(kw_only=True)
class _AsyncFlight(_Landing):
    future: asyncio.Future[Any]


class AsyncFlights:
    """The requests under way in one event loop."""

    def __init__(self) -> None:
        self._flights: dict[Hashable, _AsyncFlight] = {}
        self._asked: set[Hashable] = set()
        self._closed = False

    async def run(self, key: Hashable | None, call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``, or the result of the same call already under way (or prefetched)."""
        if key is None:
            return await call()
        if _prefetchable(key):
            self._asked.add(key)
        flight = self._flights.get(key)
        if flight is not None:
            try:
                await asyncio.shield(flight.future)
            except BaseException:
                if not flight.future.done() or _cancelling():  # this waiter was cancelled
                    raise
            if flight.prefetched and not self._take(key, flight):
                return await self.run(key, call)  # cancelled, or dropped as too old: ask afresh
            if flight.future.cancelled():
                return await self.run(key, call)  # the leader was cancelled, not the request
            return flight.future.result()  # type: ignore[no-any-return]  # or raises its error
        flight = self._flights[key] = _AsyncFlight(future=asyncio.get_running_loop().create_future())
        try:
            result = await call()
        except BaseException as exc:
            if _shared(exc):
                flight.future.set_exception(exc)
                flight.future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            else:  # the leader was cancelled or interrupted: its waiters ask afresh
                flight.future.cancel()
            raise
        else:
            flight.future.set_result(result)
            return result
        finally:
            del self._flights[key]

    def prefetch(self, key: Hashable | None, call: Callable[[], Awaitable[object]]) -> bool:
        """Start ``call()`` as a task of the running loop, unless this key was asked for before;
        as :meth:`Flights.prefetch`."""
        if key is None or not _prefetchable(key) or self._closed or key in self._asked:
            return False
        loop = asyncio.get_running_loop()
        flight = _AsyncFlight(future=loop.create_future(), prefetched=True)
        task = loop.create_task(self._land(flight, call), name="azenvcloud-token-prefetch")
        self._asked.add(key)  # only once it started: a prefetch that cannot start leaves no mark
        self._flights[key] = flight
        _TASKS.add(task)  # the loop keeps only a weak reference to its tasks
        task.add_done_callback(_TASKS.discard)
        return True

    def close(self) -> None:
        """Drop kept prefetches (the credential is closed): nobody will take them."""
        self._closed = True
        for key in [key for key, flight in self._flights.items() if flight.prefetched]:
            del self._flights[key]

    async def _land(self, flight: _AsyncFlight, call: Callable[[], Awaitable[object]]) -> None:
        with holding() as records:
            try:
                result = await call()
            except asyncio.CancelledError:  # the loop is ending: whoever waits asks afresh
                flight.future.cancel()
                raise
            except BaseException as exc:  # kept for the request it was made for; never raised here
                if not _shared(exc):  # KeyboardInterrupt, SystemExit: the loop's, not the request's
                    flight.future.cancel()
                    raise
                error: Exception | None = exc
            else:
                error = None
        flight.records, flight.landed = records, time.monotonic()
        if error is not None:
            flight.future.set_exception(error)
            flight.future.exception()  # retrieved: nobody may ever take it
        else:
            flight.future.set_result(result)

    def _take(self, key: Hashable, flight: _AsyncFlight) -> bool:
        first = self._flights.get(key) is flight
        if first:
            del self._flights[key]
        return not flight.future.cancelled() and flight.taken(first)


def _cancelling() -> bool:
    """Whether the current task is being cancelled (Python 3.11+ can tell; 3.10 cannot)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


_ALL: weakref.WeakSet[Flights] = weakref.WeakSet()
_THREADS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_TASKS: set[asyncio.Task[None]] = set()


def wait_for_prefetches(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the prefetches under way (those of closed credentials
    too) to land; whether all did. For tests, whose fake cloud must not see a request of the
    test before."""
    deadline = time.monotonic() + timeout
    for thread in list(_THREADS):
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in list(_THREADS))


def _forget_after_fork() -> None:
    _THREADS.clear()  # the parent's: not running here
    _TASKS.clear()
    for flights in list(_ALL):
        flights._forget_after_fork()


after_fork(_forget_after_fork)
