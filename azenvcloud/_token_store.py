"""The access-token store: a token asked for once serves the processes after it.

In memory, always: a worker forked from a parent keeps the parent's tokens (it still builds its
own credential, clients and connections). On disk with ``AZENVCLOUD_TOKEN_CACHE=unencrypted``: a
file per key, readable by the user alone, in a ``tokens`` folder of the user's alone under the
metadata cache folder (the Azure CLI keeps its tokens on Linux the same way); processes that find
no valid token take the key's file lock, so that the first asks and the others read its token.

Only tokens of credentials whose identity the configuration fixes are kept (:data:`STORABLE`: a
service principal's secret or certificate, workload identity, managed identity), never those of
the developer tools, whose signed-in identity can change under the process. A key holds the
cloud, the authority, the identity variables (never a secret's value), the credential chain, the
scopes and the options; a request with ``claims`` is never answered from the store; CAE and
non-CAE tokens differ by their options. A token is served only while it is valid for
:data:`MARGIN` seconds more and before its ``refresh_on``.

A store that cannot be used (a folder on NFS or SMB, a read-only file system, a lock that fails)
is off for this process, with one warning; nothing here raises inside ``get_token``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from ._metadata_cache import _held_lock, _trusted, default_folder
from .provenance import IDENTITY_VARIABLES

__all__ = [
    "LOCK_WAIT",
    "MARGIN",
    "MODES",
    "STORABLE",
    "TOKENS_FOLDER",
    "TokenStore",
    "forget",
    "purge",
    "token_folder",
]

T = TypeVar("T")
Mode = Literal["off", "unencrypted"]  # resolution.TokenCacheMode (not imported: this module sits below it)
MODES: tuple[Mode, ...] = ("off", "unencrypted")

MARGIN = 300
"""Seconds a token must stay valid to be served (azure-core's bearer policy refreshes at 300)."""

LOCK_WAIT = 30.0
"""Seconds a process waits for another's token request before asking itself."""

TOKENS_FOLDER = "tokens"

# The credentials of DefaultAzureCredential's chain whose identity the configuration fixes
# (EnvironmentCredential is named by the credential it wraps).
STORABLE = frozenset(
    {
        "ClientSecretCredential",
        "CertificateCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
    }
)

# Variables that choose which managed identity endpoint answers (azure-identity reads them).
_MANAGED_IDENTITY_VARIABLES = (
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
)
_NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs", "ncpfs"}
)
_MAX_ENTRY_BYTES = 64 * 1024
_LOCK_POLL = 0.05

_log = logging.getLogger("azenvcloud")
_warned: set[str] = set()
_memory_lock = threading.Lock()
_memory: dict[str, _Token] = {}
_off: set[str] = set()  # token folders turned off for this process


@dataclass(frozen=True)
class _Token:
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


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        _log.warning(message, *args)


def answered_by(credential: object) -> str | None:
    """The credential of the chain that answered last, by class name (``EnvironmentCredential``
    by the credential it wraps), or ``None`` when azure-identity did not record one."""
    member = getattr(credential, "_successful_credential", None)
    if member is None:
        return None
    if type(member).__name__ == "EnvironmentCredential":
        member = getattr(member, "_credential", None)
    return type(member).__name__ if member is not None else None


def _chain(credential: object) -> list[str]:
    names = []
    for member in getattr(credential, "credentials", ()):
        name = type(member).__name__
        if name == "EnvironmentCredential":
            name += f"({type(getattr(member, '_credential', None)).__name__})"
        names.append(name)
    return names


def token_folder(cache_dir: str | None) -> Path:
    """Where ``AZENVCLOUD_TOKEN_CACHE=unencrypted`` keeps tokens, for a metadata cache folder."""
    return (Path(cache_dir) if cache_dir else default_folder()) / TOKENS_FOLDER


class TokenStore:
    """The tokens of one credential's configuration: in memory, and on disk when asked for."""

    def __init__(self, identity: Mapping[str, object], folder: Path | None) -> None:
        self._identity = dict(identity)
        self.folder = folder

    @classmethod
    def for_credential(
        cls,
        credential: object,
        *,
        cloud: str,
        authority: str,
        mode: str,
        cache_dir: str | None,
        options: Mapping[str, Any],
    ) -> TokenStore:
        """The store for ``credential``, built by azenvcloud with ``options`` for ``cloud``."""
        identity: dict[str, object] = {
            "cloud": cloud,
            "authority": authority,
            "chain": _chain(credential),
            "variables": {
                name: os.environ.get(name, "")
                for name in (*IDENTITY_VARIABLES, *_MANAGED_IDENTITY_VARIABLES)
                if not IDENTITY_VARIABLES.get(name, False)  # a secret's value is never part of it
            },
            "secrets": sorted(
                name for name, secret in IDENTITY_VARIABLES.items() if secret and os.environ.get(name)
            ),
            "options": {
                name: value for name, value in sorted(options.items()) if isinstance(value, (str, bool))
            },
        }
        folder = _open_folder(token_folder(cache_dir)) if mode == "unencrypted" else None
        return cls(identity, folder)

    def key(self, scopes: tuple[str, ...], options: Mapping[str, Any]) -> str | None:
        """The digest naming one token, or ``None`` when the request is not served from the store."""
        if options.get("claims"):
            return None
        wanted = {name: value for name, value in options.items() if value is not None}
        try:
            text = json.dumps([self._identity, list(scopes), wanted], sort_keys=True)
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(text.encode()).hexdigest()

    def fetch(
        self,
        credential: object,
        method: str,
        scopes: tuple[str, ...],
        options: Mapping[str, Any],
        call: Callable[[], T],
    ) -> T:
        """A stored token for the request, or ``call()``'s, stored when its credential may be."""
        key = self.key(scopes, options)
        if key is None:
            return call()
        found = self._lookup(key)
        if found is not None:
            return found.shaped(method)  # type: ignore[no-any-return]
        folder = self.folder
        if folder is None or str(folder) in _off:
            return self._remember(credential, key, call())
        with _locked(folder, key) as held:
            if held:
                found = self._read(key)
                if found is not None:
                    return found.shaped(method)  # type: ignore[no-any-return]
            return self._remember(credential, key, call())

    async def afetch(
        self,
        credential: object,
        method: str,
        scopes: tuple[str, ...],
        options: Mapping[str, Any],
        call: Callable[[], Awaitable[T]],
    ) -> T:
        """:meth:`fetch` for an async credential: waiting for the lock never blocks the loop."""
        import asyncio

        key = self.key(scopes, options)
        if key is None:
            return await call()
        found = self._lookup(key)
        if found is not None:
            return found.shaped(method)  # type: ignore[no-any-return]
        folder = self.folder
        if folder is None or str(folder) in _off:
            return self._remember(credential, key, await call())
        descriptor = _open_lock(folder, key)
        if descriptor is None:
            return self._remember(credential, key, await call())
        with _held_lock(descriptor):
            deadline = time.monotonic() + LOCK_WAIT
            held = _try_lock(descriptor)
            while held is False and time.monotonic() < deadline:
                await asyncio.sleep(_LOCK_POLL)
                held = _try_lock(descriptor)
            try:
                if held:
                    found = self._read(key)
                    if found is not None:
                        return found.shaped(method)  # type: ignore[no-any-return]
                return self._remember(credential, key, await call())
            finally:
                if held:
                    _unlock(descriptor)

    def _lookup(self, key: str) -> _Token | None:
        with _memory_lock:
            found = _memory.get(key)
        if found is not None and found.usable():
            return found
        if self.folder is None or str(self.folder) in _off:
            return None
        return self._read(key)

    def _read(self, key: str) -> _Token | None:
        assert self.folder is not None  # only called with a folder
        found = _read_entry(self.folder, key)
        if found is None or not found.usable():
            return None
        with _memory_lock:
            _memory[key] = found
        return found

    def _remember(self, credential: object, key: str, result: T) -> T:
        name = answered_by(credential)
        if name not in STORABLE:
            return result  # a developer tool (or nobody recorded): its identity may change
        token = _as_token(result, name)
        if token is None:
            return result
        with _memory_lock:
            _memory[key] = token
        if self.folder is not None and str(self.folder) not in _off:
            _write_entry(self.folder, key, token)
        return result


def _as_token(result: object, credential: str) -> _Token | None:
    value, expires_on = getattr(result, "token", None), getattr(result, "expires_on", None)
    if not isinstance(value, str) or not isinstance(expires_on, int):
        return None
    refresh_on = getattr(result, "refresh_on", None)
    return _Token(
        value,
        expires_on,
        refresh_on if isinstance(refresh_on, int) else None,
        str(getattr(result, "token_type", "Bearer")),
        credential,
    )


def _turn_off(folder: Path, why: str) -> None:
    _off.add(str(folder))
    _warn_once(
        str(folder),
        "azenvcloud: the token store %s cannot be used (%s); it is off for this process, "
        "and tokens are asked for as without AZENVCLOUD_TOKEN_CACHE",
        folder,
        why,
    )


def _open_folder(folder: Path) -> Path | None:
    """``folder``, created for the user alone, or ``None`` (with one warning) when it cannot be
    trusted or used: another's, open to others, on a network file system, read-only."""
    if str(folder) in _off:
        return None
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        parent, info = os.lstat(folder.parent), os.lstat(folder)
    except OSError as exc:
        _turn_off(folder, str(exc.strerror or exc))
        return None
    if not (_trusted(parent, folder=True) and _trusted(info, folder=True)) or info.st_mode & 0o077:
        _turn_off(folder, "it is not a folder of this user's that only they can open")
        return None
    network = _file_system(folder)
    if network in _NETWORK_FILE_SYSTEMS:
        _turn_off(folder, f"it is on a network file system ({network}), where locks are not to be relied on")
        return None
    if not os.access(folder, os.W_OK):
        _turn_off(folder, "it is read-only")
        return None
    return folder


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
            best, kind = len(point), parts[2].split(".")[0]
    return kind


def _path(folder: Path, key: str) -> Path:
    return folder / f"{key[:32]}.json"


def _read_entry(folder: Path, key: str) -> _Token | None:
    path = _path(folder, key)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn_once(str(path), "azenvcloud: ignoring the token store entry %s (%s)", path, exc.strerror or exc)
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not _trusted(info, folder=False) or info.st_mode & 0o077:
                _warn_once(
                    str(path),
                    "azenvcloud: ignoring the token store entry %s: it is not a file of this user's "
                    "that only they can open",
                    path,
                )
                return None
            entry = json.loads(handle.read(_MAX_ENTRY_BYTES))
        if entry.get("key") != key:
            return None  # written for another key (or planted): never used for this one
        refresh_on = entry.get("refresh_on")
        return _Token(
            str(entry["token"]),
            int(entry["expires_on"]),
            int(refresh_on) if refresh_on is not None else None,
            str(entry.get("token_type", "Bearer")),
            str(entry["credential"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        _warn_once(str(path), "azenvcloud: ignoring the unreadable token store entry %s", path)
        return None


def _write_entry(folder: Path, key: str, token: _Token) -> None:
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
        os.replace(temporary, _path(folder, key))
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _turn_off(folder, str(exc.strerror or exc))


def _open_lock(folder: Path, key: str) -> int | None:
    try:
        import fcntl  # noqa: F401 - POSIX only: without it, no lock (at worst one request per process)
    except ImportError:  # pragma: no cover - Windows
        return None
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(_path(folder, key).with_suffix(".lock"), flags, 0o600)
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
def _locked(folder: Path, key: str) -> Iterator[bool]:
    """Hold the key's lock between processes (up to :data:`LOCK_WAIT` waiting); yields whether it
    was had. A lock that fails turns the store off for this process."""
    descriptor = _open_lock(folder, key)
    if descriptor is None:
        yield False
        return
    with _held_lock(descriptor):  # closed in a forked child (the metadata cache's hygiene)
        deadline = time.monotonic() + LOCK_WAIT
        held = _try_lock(descriptor)
        while held is False and time.monotonic() < deadline:
            time.sleep(_LOCK_POLL)
            held = _try_lock(descriptor)
        if held is None:
            _turn_off(folder, "its lock failed")
        try:
            yield bool(held)
        finally:
            if held:
                _unlock(descriptor)


def forget() -> None:
    """Forget the tokens kept in memory (``reset()``, ``configure()``) and the warnings given."""
    with _memory_lock:
        _memory.clear()
    _off.clear()
    _warned.clear()


def purge(cache_dir: str | None) -> int:
    """Delete the token store's files under the metadata cache folder ``cache_dir`` (``None``:
    the user's); the number of tokens deleted. Tokens in memory are forgotten too."""
    forget()
    folder = token_folder(cache_dir)
    deleted = 0
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)
            deleted += name.endswith(".json") and not name.startswith(".")
    return deleted


def _renew_after_fork() -> None:
    # The tokens stay (a forked worker keeps its parent's); a lock held by another thread at
    # fork time would stay held forever in the child.
    global _memory_lock  # noqa: PLW0603
    _memory_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_after_fork)
