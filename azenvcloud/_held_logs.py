"""Log records held back from a background token request, for the caller who takes its result.

A prefetched token request (:mod:`azenvcloud._single_flight`) runs before anybody asked for the
token. What azure-identity, MSAL, the HTTP stack and azenvcloud itself log while it runs
("DefaultAzureCredential failed to retrieve a token ...") belongs to the request that takes the
result, so it is held and replayed then, in that caller's thread; if nobody takes the result, it
is never shown, as the request would never have been made without the prefetch.

Records are held by a filter on the loggers of those libraries, and only in the context that
:func:`holding` marks (a context variable: the prefetch's own thread or task).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["holding", "replay"]

# The libraries a token request runs through, azenvcloud included (its OpenID configuration
# cache warns about a cache it cannot use): their loggers' records are held.
_LIBRARIES = frozenset({"azenvcloud", "azure", "msal", "urllib3", "requests", "aiohttp", "httpx"})

_held: ContextVar[list[logging.LogRecord] | None] = ContextVar("azenvcloud_held_logs", default=None)


class _Hold(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        held = _held.get()
        if held is None:
            return True
        held.append(record)
        return False


_HOLD = _Hold()


def _install() -> None:
    # A filter applies to records logged on its own logger only, so it goes on every logger of
    # those libraries that exists (they create theirs at import, before any token request).
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (
            isinstance(logger, logging.Logger)
            and name.split(".", 1)[0] in _LIBRARIES
            and _HOLD not in logger.filters
        ):
            logger.addFilter(_HOLD)


@contextmanager
def holding() -> Iterator[list[logging.LogRecord]]:
    """Hold the records logged in this context (thread or task) until the block ends; the list
    yielded receives them."""
    _install()
    records: list[logging.LogRecord] = []
    token = _held.set(records)
    try:
        yield records
    finally:
        _held.reset(token)


def replay(records: list[logging.LogRecord]) -> None:
    """Hand held records to their loggers' handlers now, in the calling thread."""
    for record in records:
        logging.getLogger(record.name).handle(record)
