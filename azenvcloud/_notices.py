"""Warnings noticed while the settings resolve, kept with them for ``show``, ``check`` and the log.

Deep in a resolution (an expired metadata copy used during an outage) there is no settings
object yet to attach a warning to: :func:`notice` hands it to the resolution under way in this
context (:func:`collecting`), which keeps and logs it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["collecting", "notice"]

_collected: ContextVar[list[str] | None] = ContextVar("azenvcloud_notices", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect what :func:`notice` is given in this context, in the list yielded."""
    collected: list[str] = []
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def notice(message: str) -> bool:
    """Hand ``message`` to the resolution under way; whether there was one to take it (if not,
    the caller logs it itself)."""
    collected = _collected.get()
    if collected is None:
        return False
    collected.append(message)
    return True
