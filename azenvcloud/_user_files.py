"""Files of the user's alone, as the metadata cache and the token store keep them: which may be
trusted, the lock file beside an entry, and lock descriptors no forked child keeps.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from ._fork import after_fork

__all__ = ["held_lock", "open_lock_file", "trusted"]


_held_locks: set[int] = set()  # lock descriptors open in this process, closed in a forked child


def trusted(info: os.stat_result, *, folder: bool) -> bool:
    """Owned by this user, writable by no one else, and of the right kind (no symlink)."""
    kind = stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)
    owner = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return kind and owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def open_lock_file(path: Path) -> int:
    """The lock file beside the entry ``path``, for this user alone, opened without following a
    symlink (the token store's locks too).

    Raises:
        OSError: It cannot be opened.
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path.with_suffix(".lock"), flags, 0o600)


_held_lock_guard = threading.Lock()


@contextlib.contextmanager
def held_lock(descriptor: int) -> Iterator[None]:
    """Keep ``descriptor`` (a lock file's, open) on the list a forked child closes; close it after."""
    with _held_lock_guard:
        _held_locks.add(descriptor)
    try:
        yield
    finally:
        with _held_lock_guard:
            _held_locks.discard(descriptor)
        os.close(descriptor)


def _close_inherited_locks() -> None:
    # A lock descriptor inherited across fork() shares the parent's lock: were the parent to die
    # holding it, the child's copy would keep every process (the child included) waiting.
    global _held_lock_guard  # noqa: PLW0603 - a lock held by another thread at fork time stays held
    _held_lock_guard = threading.Lock()
    for descriptor in list(_held_locks):
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held_locks.clear()


after_fork(_close_inherited_locks)
