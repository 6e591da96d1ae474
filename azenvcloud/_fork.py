"""What a forked child renews or forgets of azenvcloud's state: one fork hook for every module.

A child of ``fork()`` starts with a copy of every module's state, but only the thread that forked.
A lock another thread held at that moment stays held forever in the child, and what the parent
opened (connections, credentials, requests under way, lock files) is not the child's to use. Each
module says, once at import, what its child renews (:func:`renew_locks`: a new lock under the same
name) or forgets (:func:`after_fork`: a function run in the child); the one ``os.register_at_fork``
hook below runs them all, in the order they were registered (a module's after those it imports).
No other module registers a fork hook of its own (``tests/test_module_layout.py`` checks).

Where ``os.register_at_fork`` does not exist (Windows: no ``fork``), nothing is registered.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

__all__ = ["after_fork", "renew_locks"]

_IN_CHILD: list[Callable[[], None]] = []


def after_fork(forget: Callable[[], None]) -> None:
    """Run ``forget`` in every child forked after this call, in the child, before it goes on."""
    _IN_CHILD.append(forget)


def renew_locks(
    namespace: dict[str, Any], *names: str, factory: Callable[[], object] = threading.Lock
) -> None:
    """Give the module whose globals are ``namespace`` a new lock (``factory()``) under each of
    ``names`` in every forked child."""

    def renew() -> None:
        for name in names:
            namespace[name] = factory()

    after_fork(renew)


def _in_child() -> None:
    for forget in list(_IN_CHILD):
        try:
            forget()
        except Exception as exc:
            # As CPython reports an exception of a fork hook: unraisable, and the next one runs.
            sys.unraisablehook(
                SimpleNamespace(
                    exc_type=type(exc),
                    exc_value=exc,
                    exc_traceback=exc.__traceback__,
                    err_msg=f"Exception ignored in azenvcloud's fork hook {forget!r}",
                    object=None,
                )
            )


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_child)
