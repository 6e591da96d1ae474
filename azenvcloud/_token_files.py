"""The token store's files: a folder of the user's alone on a local file system, an entry per key
written whole or not at all, and a lock per key between processes.

A folder that cannot be trusted or used (another user's, open to others, on a network or cluster
file system, read-only, a lock that fails) is off for this process, with one warning; a malformed
entry (a number out of range, a FIFO, a foreign file) is ignored with one warning. Nothing here
raises inside ``get_token``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._metadata_cache import default_folder
from ._user_files import held_lock, open_lock_file, trusted

__all__ = [
    "LOCK_WAIT",
    "MARGIN",
    "TOKENS_FOLDER",
    "StoredToken",
    "alocked",
    "entry_path",
    "folder_refusal",
    "forget",
    "is_off",
    "locked",
    "open_folder",
    "read_entry",
    "token_folder",
    "token_times",
    "warn_once",
    "write_entry",
]

MARGIN = 300
"""Seconds a token must stay valid to be served (azure-core's bearer policy refreshes at 300)."""


LOCK_WAIT = 5.0
"""Seconds a process waits for another's token request before asking itself (a token request
normally lands in well under 2 s). After one wait that ran out, the process no longer waits on
that key: a stopped holder (SIGSTOP, a paused container) costs each process at most this once."""


LONGEST_LIFETIME = 30 * 3600
"""Seconds ahead an ``expires_on`` may lie (the longest access tokens, CAE ones, live ~28 h): an
entry beyond it is ignored as corrupt, and an answer beyond it is not stored."""


TOKENS_FOLDER = "tokens"


# File systems shared between machines (or whose locks are not to be relied on): store off.
# Every FUSE mount (``fuse.*``: sshfs, blobfuse2, rclone, glusterfs, s3fs...) counts as one.
_NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs", "ncpfs", "ceph",
        "lustre", "gpfs", "virtiofs", "davfs", "glusterfs", "ocfs2", "gfs2", "beegfs", "orangefs",
        "fuse", "fuseblk", "vboxsf", "vmhgfs", "prl_fs", "coda", "pvfs2", "cvfs", "panfs",
    }
)  # fmt: skip


_MAX_ENTRY_BYTES = 64 * 1024


_LOCK_POLL = 0.05


_log = logging.getLogger("azenvcloud")
_warned: set[str] = set()
_off: set[str] = set()  # token folders turned off for this process
_given_up: set[str] = set()  # keys whose lock wait ran out in this process: not waited on again


@dataclass(frozen=True)
class StoredToken:
    token: str = field(repr=False)
    expires_on: int
    refresh_on: int | None
    token_type: str
    credential: str

    def usable(self) -> bool:
        now = time.time()
        return self.expires_on - now >= MARGIN and (self.refresh_on is None or now < self.refresh_on)

    def shaped(self, method: str) -> Any:
        from azure.core.credentials import AccessToken, AccessTokenInfo

        if method == "get_token":
            return AccessToken(self.token, self.expires_on)
        return AccessTokenInfo(
            self.token, self.expires_on, token_type=self.token_type, refresh_on=self.refresh_on
        )


def warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        _log.warning(message, *args)


def token_folder(cache_dir: str | None) -> Path:
    """Where ``AZENVCLOUD_TOKEN_CACHE=unencrypted`` keeps tokens, for a metadata cache folder."""
    return (Path(cache_dir) if cache_dir else default_folder()) / TOKENS_FOLDER


def token_times(expires_on: object, refresh_on: object) -> tuple[int, int | None]:
    """``expires_on`` and ``refresh_on`` when they are times a token may have: integers, expiring
    no more than :data:`LONGEST_LIFETIME` ahead, refreshed no later than it expires.

    Raises:
        ValueError: They are not.
    """
    now = time.time()
    if type(expires_on) is not int or not now - 86400 < expires_on <= now + LONGEST_LIFETIME:
        raise ValueError("expires_on")
    if refresh_on is not None and (type(refresh_on) is not int or not 0 < refresh_on <= expires_on):
        raise ValueError("refresh_on")
    return expires_on, refresh_on


def _turn_off(folder: Path, why: str) -> None:
    _off.add(str(folder))
    warn_once(
        str(folder),
        "azenvcloud: the token store %s cannot be used (%s); it is off for this process, "
        "and tokens are asked for as without AZENVCLOUD_TOKEN_CACHE",
        folder,
        why,
    )


def open_folder(folder: Path) -> Path | None:
    """``folder``, created for the user alone, or ``None`` (with one warning) when it cannot be
    trusted or used: another's, open to others, on a network file system, read-only."""
    if str(folder) in _off:
        return None
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        _turn_off(folder, str(exc.strerror or exc))
        return None
    refused = folder_refusal(folder)
    if refused is not None:
        _turn_off(folder, refused)
        return None
    return folder


def folder_refusal(folder: Path) -> str | None:
    """Why the store would refuse ``folder`` (read-only checks, nothing created), or ``None``
    when it would use it (or would create it: it does not exist yet)."""
    try:
        parent, info = os.lstat(folder.parent), os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return str(exc.strerror or exc)
    if not (trusted(parent, folder=True) and trusted(info, folder=True)) or info.st_mode & 0o077:
        return "it is not a folder of this user's that only they can open"
    network = _file_system(folder)
    if _shared(network):
        return f"it is on a shared or network file system ({network}), which other machines may read"
    if not os.access(folder, os.W_OK):
        return "it is read-only"
    return None


def _shared(kind: str | None) -> bool:
    """Whether a file system type (as ``/proc/self/mounts`` names it) is shared between machines."""
    if kind is None:
        return False
    return kind in _NETWORK_FILE_SYSTEMS or kind.split(".")[0] in _NETWORK_FILE_SYSTEMS


def _file_system(folder: Path) -> str | None:
    """The type of the file system ``folder`` is on (Linux: ``/proc/self/mounts``), or ``None``."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    where, best, kind = os.path.realpath(folder), -1, None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = where == point or where.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, kind = len(point), parts[2]
    return kind


def entry_path(folder: Path, key: str) -> Path:
    """The file of ``key``'s entry (its lock is beside it)."""
    return folder / f"{key[:32]}.json"


def read_entry(folder: Path, key: str, credentials: frozenset[str]) -> StoredToken | None:
    """The entry of ``key`` in ``folder``, when it is a file of the user's alone written for that
    key by one of ``credentials`` and holding times a token may have; else ``None`` (with one
    warning for a file that is no such entry)."""
    path = entry_path(folder, key)
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_NONBLOCK", 0)
    )
    try:
        descriptor = os.open(path, flags)  # O_NONBLOCK: a FIFO in its place never blocks
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn_once(str(path), "azenvcloud: ignoring the token store entry %s (%s)", path, exc.strerror or exc)
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not trusted(info, folder=False) or info.st_mode & 0o077:  # trusted: a regular file
                warn_once(
                    str(path),
                    "azenvcloud: ignoring the token store entry %s: it is not a file of this user's "
                    "that only they can open",
                    path,
                )
                return None
            entry = json.loads(handle.read(_MAX_ENTRY_BYTES))
        if entry.get("key") != key:
            return None  # written for another key (or planted): never used for this one
        expires_on, refresh_on = token_times(entry["expires_on"], entry.get("refresh_on"))
        token, credential = entry["token"], entry["credential"]
        if not isinstance(token, str) or credential not in credentials:
            raise ValueError("token")
        return StoredToken(token, expires_on, refresh_on, str(entry.get("token_type", "Bearer")), credential)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, ArithmeticError):
        warn_once(str(path), "azenvcloud: ignoring the unreadable token store entry %s", path)
        return None


def write_entry(folder: Path, key: str, token: StoredToken) -> None:
    """Write ``token`` as ``key``'s entry, whole or not at all (a temporary file of 0600, then
    renamed); a folder that cannot be written is off for this process."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")  # 0600
    except OSError as exc:
        _turn_off(folder, str(exc.strerror or exc))
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "key": key,
                    "credential": token.credential,
                    "token": token.token,
                    "expires_on": token.expires_on,
                    "refresh_on": token.refresh_on,
                    "token_type": token.token_type,
                },
                handle,
            )
        os.replace(temporary, entry_path(folder, key))
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _turn_off(folder, str(exc.strerror or exc))


def _open_lock(folder: Path, key: str) -> int | None:
    try:
        import fcntl  # noqa: F401 - POSIX only: without it, no lock (at worst one request per process)
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        return open_lock_file(entry_path(folder, key))
    except OSError as exc:
        _turn_off(folder, f"its lock cannot be opened: {exc.strerror or exc}")
        return None


def _try_lock(descriptor: int) -> bool | None:
    """Whether the lock was had (``False``: another holds it; ``None``: locking failed)."""
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _unlock(descriptor: int) -> None:
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextlib.contextmanager
def locked(folder: Path, key: str) -> Iterator[tuple[bool, bool]]:
    """Hold the key's lock between processes (up to :data:`LOCK_WAIT` waiting); yields whether it
    was had and whether another process held it first. A lock that fails turns the store off for
    this process."""
    descriptor = _open_lock(folder, key)
    if descriptor is None:
        yield False, False
        return
    with held_lock(descriptor):  # closed in a forked child (the metadata cache's hygiene)
        deadline = time.monotonic() + (0.0 if key in _given_up else LOCK_WAIT)
        held = _try_lock(descriptor)
        waited = held is False
        while held is False and time.monotonic() < deadline:
            time.sleep(_LOCK_POLL)
            held = _try_lock(descriptor)
        _after_wait(folder, key, held)
        try:
            yield bool(held), waited
        finally:
            if held:
                _unlock(descriptor)


def _after_wait(folder: Path, key: str, held: bool | None) -> None:
    """A lock that failed turns the store off; a wait that ran out is not waited again."""
    if held is None:
        _turn_off(folder, "its lock failed")
    elif held is False:
        _given_up.add(key)
        warn_once(
            f"lock:{key}",
            "azenvcloud: waited %.0f s for another process's token request in %s; asking without it",
            LOCK_WAIT,
            folder,
        )


@contextlib.asynccontextmanager
async def alocked(folder: Path, key: str) -> AsyncIterator[tuple[bool, bool]]:
    """:func:`locked` for an async credential: waiting for the lock never blocks the event loop."""
    import asyncio

    descriptor = _open_lock(folder, key)
    if descriptor is None:
        yield False, False
        return
    with held_lock(descriptor):
        deadline = time.monotonic() + (0.0 if key in _given_up else LOCK_WAIT)
        held = _try_lock(descriptor)
        waited = held is False
        while held is False and time.monotonic() < deadline:
            await asyncio.sleep(_LOCK_POLL)
            held = _try_lock(descriptor)
        _after_wait(folder, key, held)
        try:
            yield bool(held), waited
        finally:
            if held:
                _unlock(descriptor)


def is_off(folder: Path | None) -> bool:
    """Whether there is no folder, or ``folder`` was turned off for this process."""
    return folder is None or str(folder) in _off


def forget() -> None:
    """Use every folder again, wait on every key again, and warn again (``reset()``, ``configure()``)."""
    _off.clear()
    _given_up.clear()
    _warned.clear()
