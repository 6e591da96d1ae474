"""The metadata disk cache: one JSON entry per URL, trusted only when it is the user's own.

An entry names the location it was written for and is used for that location only: a file
copied or planted under another entry's name is a cache miss.

The folder is created for the user alone (0700); a folder or entry that is not the user's, or
that others can write, is not trusted; the lock is opened without following symlinks; an entry
dated in the future (or at no time) is expired. A cache that cannot be used is a cache miss with
one warning, never a crash. A lock descriptor inherited across ``fork()`` is closed in the child
(:mod:`azenvcloud._user_files`), so a parent that dies holding it cannot keep its children waiting.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ._errors import redact_url
from ._user_files import held_lock, open_lock_file, trusted

__all__ = ["Cache", "Entry", "reset_warnings"]

_log = logging.getLogger("azenvcloud")
_MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a document of at most 1 MiB, escaped into JSON
_LOCK_POLL = 0.05
# Every read of an entry: no symlink followed, and no wait for a writer (a FIFO, a device), so
# that the type of what was opened can be checked before anything is read from it.
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
)


_warned: set[str] = set()


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        _log.warning(message, *args)


@dataclass(frozen=True)
class Entry:
    body: str
    url: str
    fetched_at: float

    def fresh(self, ttl: int) -> bool:
        age = time.time() - self.fetched_at
        return 0 <= age < ttl  # a copy from the future is not fresh: clocks or files were tampered with

    def age_seconds(self) -> float:
        return max(0.0, time.time() - self.fetched_at)


def _digest(location: str) -> str:
    # The location itself may carry a secret (a SAS query): only its digest is written.
    return hashlib.sha256(location.encode()).hexdigest()


class Cache:
    """The metadata cache folder: only a folder this user owns and only they can write is used."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def open(cls, cache_dir: str | None) -> Cache | None:
        folder = Path(cache_dir) if cache_dir else default_folder()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(folder)
        except OSError as exc:
            _warn_once(
                str(folder),
                "azenvcloud: the metadata cache folder %s cannot be used (%s); "
                "metadata is fetched without a cache",
                folder,
                exc.strerror or exc,
            )
            return None
        if not trusted(info, folder=True):
            _warn_once(
                str(folder),
                "azenvcloud: the metadata cache folder %s is not a folder of this user's that only "
                "they can write; it is not trusted, and metadata is fetched without a cache",
                folder,
            )
            return None
        return cls(folder)

    def path(self, location: str) -> Path:
        return self.folder / f"{_digest(location)[:32]}.json"

    def read(self, path: Path, location: str) -> Entry | None:
        """The entry at ``path`` if it is trusted and was written for ``location``."""
        try:
            descriptor = os.open(path, _READ_FLAGS)  # O_NONBLOCK: a FIFO in its place never blocks
        except OSError:
            return None
        try:
            with os.fdopen(descriptor, "rb") as handle:
                info = os.fstat(descriptor)
                if not stat.S_ISREG(info.st_mode):
                    _warn_once(
                        str(path),
                        "azenvcloud: ignoring the metadata cache entry %s: it is not a regular file",
                        path,
                    )
                    return None
                if not trusted(info, folder=False):
                    _warn_once(str(path), "azenvcloud: ignoring the untrusted metadata cache entry %s", path)
                    return None
                entry = json.loads(handle.read(_MAX_ENTRY_BYTES))
            if entry.get("location") != _digest(location):
                return None  # written for another location (or planted): never used for this one
            fetched_at = float(entry["fetched_at"])
            if not math.isfinite(fetched_at):
                fetched_at = 0.0  # expired: an impossible time is no time
            return Entry(str(entry["body"]), str(entry.get("url", "")), fetched_at)
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None

    def write(self, path: Path, url: str, body: str, *, location: str) -> None:
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        except OSError as exc:
            _warn_once(str(path), "azenvcloud: cannot write the metadata cache (%s)", exc.strerror or exc)
            return
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                entry = {"url": redact_url(url), "location": _digest(location), "fetched_at": time.time()}
                json.dump({**entry, "body": body}, handle)
            os.replace(temporary, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            _warn_once(str(path), "azenvcloud: cannot write the metadata cache (%s)", exc.strerror or exc)

    @contextlib.contextmanager
    def locked(self, path: Path, seconds_left: Callable[[], float], *, wait: bool) -> Iterator[bool]:
        """Hold the entry's lock between processes; yields whether it was had.

        Waits while ``seconds_left()`` is more than a poll, and not at all when ``wait`` is false
        (the caller has a copy to use instead). Without POSIX locks, or with an unusable lock file: no lock
        (at worst a second fetch).
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield True
            return
        try:
            descriptor = open_lock_file(path)
        except OSError as exc:
            _warn_once(str(path), "azenvcloud: cannot open the metadata cache lock (%s)", exc.strerror or exc)
            yield True
            return
        with held_lock(descriptor):
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait or seconds_left() <= _LOCK_POLL:
                        yield False
                        return
                    time.sleep(_LOCK_POLL)
            try:
                yield True
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)


def reset_warnings() -> None:
    """Warn again about a cache folder or entry already warned about (for tests)."""
    _warned.clear()


def default_folder() -> Path:
    """The metadata cache folder when ``AZENVCLOUD_CACHE_DIR`` is not set: the user cache folder's."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("azenvcloud")) / "metadata"
