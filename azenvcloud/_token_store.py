"""The access-token store: a token asked for once serves the processes after it.

In memory, always: a worker forked from a parent keeps the parent's tokens (it still builds its
own credential, clients and connections). On disk with ``AZENVCLOUD_TOKEN_CACHE=unencrypted``: a
file per key, readable by the user alone, in a ``tokens`` folder of the user's alone under the
metadata cache folder (the Azure CLI keeps its tokens on Linux the same way); processes that find
no valid token take the key's file lock, so that the first asks and the others read its token.

Only tokens of credentials whose identity the configuration fixes are kept (:data:`STORABLE`: a
service principal's secret or certificate, workload identity, managed identity), never those of
the developer tools, whose signed-in identity can change under the process. A key holds the
cloud, the authority, the identity inputs (never a secret's value), the credential chain, the
scopes and the options; a request with ``claims`` is never answered from the store; CAE and
non-CAE tokens differ by their options. A token is served only while it is valid for
:data:`MARGIN` seconds more and before its ``refresh_on``.

The identity part of the key comes from the :class:`~azenvcloud._identity_inputs.IdentityInputs`
the credential's builder hands over (the store reads no environment): every variable
azure-identity reads that changes which token it asks for, those it reads at each request
(``AZURE_IDENTITY_DISABLE_MULTITENANTAUTH``) as they are at that request, and a salted digest of
the secret material (the client secret's value, the certificate file's content: a rotated or
wrong secret asks again; the secret itself is never written). The key also holds every option
the credential was built with (a canonical JSON: a credential built with an option that cannot
be written so is never stored) and what names the machine (``/etc/machine-id`` and the host
name: a folder copied into an image or onto another VM serves nothing there).

A store pickles as the recipe of its key (no token, no secret's value) and its folder; it is
opened again where it is unpickled (the folder's checks, the machine, a new lock per key).

Which member of the chain answered is recorded per request (each member's ``get_token`` /
``get_token_info`` tags its own answer in a context variable), never read from azure-identity's
shared ``_successful_credential``; an answer nobody tagged is not stored.

A store that cannot be used (a folder on a network or cluster file system, a read-only file
system, a lock that fails) is off for this process, with one warning; nothing here raises inside
``get_token``: a malformed entry (a number out of range, a FIFO, a foreign file) is ignored with
one warning.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import hashlib
import inspect
import json
import logging
import os
import re
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from ._fork import renew_locks_after_fork
from ._identity_inputs import IdentityInputs, salted
from ._metadata_cache import _held_lock, _open_lock_file, _trusted, default_folder

__all__ = [
    "LOCK_WAIT",
    "MARGIN",
    "MODES",
    "STORABLE",
    "TOKENS_FOLDER",
    "Purged",
    "TokenStore",
    "folder_refusal",
    "forget",
    "members",
    "purge",
    "token_folder",
]

T = TypeVar("T")
Mode = Literal["off", "unencrypted"]  # resolution.TokenCacheMode (not imported: this module sits below it)
MODES: tuple[Mode, ...] = ("off", "unencrypted")

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
_HALF_LIFE_FROM = 7200  # seconds: MSAL refreshes tokens living at least this long at half-life
_MEMORY_LIMIT = 512  # past it, tokens no longer usable are dropped from memory
# The files the store writes, and so the only ones `cache clear` deletes.
_ENTRY_NAME = re.compile(r"[0-9a-f]{32}\.(?:json|lock)")
_TEMPORARY_NAME = re.compile(r"\.tmp-[A-Za-z0-9_]{1,64}\.json")
# Options that choose how requests travel, never whose token it is (an object: not in the key).
_TRANSPORT_OPTIONS = frozenset({"transport"})

_log = logging.getLogger("azenvcloud")
_warned: set[str] = set()
_memory_lock = threading.Lock()
renew_locks_after_fork(globals(), "_memory_lock")  # new in a forked child (which keeps the tokens)
_memory: dict[str, _Token] = {}
_off: set[str] = set()  # token folders turned off for this process
_given_up: set[str] = set()  # keys whose lock wait ran out in this process: not waited on again
_answering: contextvars.ContextVar[str | None] = contextvars.ContextVar("azenvcloud_answering", default=None)


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


def _member_name(member: object) -> str | None:
    """A chain member's name as :data:`STORABLE` spells it (EnvironmentCredential: the wrapped one)."""
    if type(member).__name__ == "EnvironmentCredential":
        member = getattr(member, "_credential", None)
        if member is None:
            return None
    return type(member).__name__


_TAGGED_METHODS = ("get_token", "get_token_info")


def members(credential: object) -> tuple[object, ...]:
    """The credentials that answer for ``credential``: its chain's members (``DefaultAzureCredential``,
    ``ChainedTokenCredential``), or the credential itself when it is no chain."""
    chain = getattr(credential, "credentials", None)
    return chain if isinstance(chain, tuple) else (credential,)


def _tag_members(credential: object) -> None:
    """Make each member of the chain tag its own answer (:data:`_answering`), so that the store
    knows per request which one answered (a context variable: per thread and per task)."""
    for member in members(credential):
        name = _member_name(member)
        for method in _TAGGED_METHODS:
            original = getattr(member, method, None)
            if original is None or getattr(original, "_azenvcloud_tagged", False):
                continue
            with contextlib.suppress(AttributeError, TypeError):
                setattr(member, method, _tagged(original, name))


def _tagged(original: Callable[..., Any], name: str | None) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def tagged_async(*args: Any, **kwargs: Any) -> Any:
            result = await original(*args, **kwargs)
            _answering.set(name)
            return result

        tagged_async._azenvcloud_tagged = True  # type: ignore[attr-defined]
        return tagged_async

    @functools.wraps(original)
    def tagged(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        _answering.set(name)
        return result

    tagged._azenvcloud_tagged = True  # type: ignore[attr-defined]
    return tagged


def _canonical_options(options: Mapping[str, Any]) -> str | None:
    """Every option as canonical JSON (sorted keys), or ``None`` when one cannot be written so
    (then nothing of the credential is stored: an option is never dropped from the key)."""
    kept = {name: value for name, value in options.items() if name not in _TRANSPORT_OPTIONS}
    try:
        return json.dumps(kept, sort_keys=True, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None


def _machine() -> str:
    """What names this machine: ``/etc/machine-id`` (when readable) and the host name, so that a
    folder copied elsewhere (an image layer, a VM snapshot, a moved volume) serves nothing there."""
    machine_id = ""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(path, "rb") as handle:
                machine_id = handle.read(256).decode("ascii", "replace").strip()
        except OSError:
            continue
        if machine_id:
            break
    try:
        host = socket.gethostname()
    except OSError:  # pragma: no cover - gethostname does not fail on Linux
        host = ""
    return salted(f"{machine_id}\0{host}".encode("utf-8", "surrogatepass"))


def _chain(credential: object) -> list[str]:
    names = []
    for member in members(credential):
        name = type(member).__name__
        if name == "EnvironmentCredential":
            name += f"({type(getattr(member, '_credential', None)).__name__})"
        names.append(name)
    return names


def _identity_json(identity: Mapping[str, object]) -> str | None:
    """``identity`` as the keys write it (sorted keys), or ``None`` when it cannot be written."""
    try:
        return json.dumps(dict(identity), sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return None


def untagged(member: T) -> T:
    """``member`` as azure-identity built it: a shallow copy without the answer tags
    :func:`_tag_members` put on it (``member`` itself when it has none). What a pickle holds."""
    own = getattr(member, "__dict__", {})
    if not any(getattr(own.get(method), "_azenvcloud_tagged", False) for method in _TAGGED_METHODS):
        return member
    plain = copy.copy(member)
    for method in _TAGGED_METHODS:
        vars(plain).pop(method, None)
    return plain


def token_folder(cache_dir: str | None) -> Path:
    """Where ``AZENVCLOUD_TOKEN_CACHE=unencrypted`` keeps tokens, for a metadata cache folder."""
    return (Path(cache_dir) if cache_dir else default_folder()) / TOKENS_FOLDER


class TokenStore:
    """The tokens of one credential's configuration: in memory, and on disk when asked for.

    Pickles as the recipe of its key and the folder asked for, never a token: unpickled, it
    names the machine it is on, opens (and checks) the folder there and reads the request-time
    inputs from that process's environment (:meth:`attach` tags the unpickled chain again).
    """

    def __init__(
        self,
        identity: Mapping[str, object] | None,
        folder: Path | None,
        *,
        storable: bool = True,
        inputs: IdentityInputs | None = None,
    ) -> None:
        self._recipe = dict(identity) if identity is not None else None  # without the machine
        # The identity as JSON, written once: each key is the digest of it with the request's.
        named = {**identity, "machine": _machine()} if identity is not None else None
        self._identity = _identity_json(named) if named is not None else None  # None: nothing kept
        self._asked_folder = folder
        self.folder = _open_folder(folder) if folder is not None else None
        self.storable = storable and identity is not None  # whether any answer may be kept
        self._inputs = inputs  # what azure-identity reads at each request comes from its environment

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
        inputs: IdentityInputs,
    ) -> TokenStore:
        """The store for ``credential`` (a chain, such as ``DefaultAzureCredential`` or an explicit
        ``ChainedTokenCredential``, or one credential), built with ``options`` for ``cloud`` from
        the identity ``inputs`` its builder read. Tags the members' answers (:meth:`attach`)."""
        _tag_members(credential)
        canonical = _canonical_options(options)
        if canonical is None:
            _log.debug(
                "azenvcloud: an option of this credential cannot be part of a key: its tokens are not kept"
            )
        identity: dict[str, object] = {
            "cloud": cloud,
            "authority": authority,
            "chain": _chain(credential),
            **inputs.as_key(),
            "options": canonical,
        }
        storable = any(_member_name(member) in STORABLE for member in members(credential))
        folder = token_folder(cache_dir) if mode == "unencrypted" and storable else None
        return cls(identity if canonical is not None else None, folder, storable=storable, inputs=inputs)

    def attach(self, credential: object) -> None:
        """Tag the members of an unpickled ``credential``'s chain again (a pickle holds none)."""
        _tag_members(credential)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _unpickled_store,
            (self._recipe, self._asked_folder, self.storable, self._inputs),
        )

    def key(self, scopes: tuple[str, ...], options: Mapping[str, Any]) -> str | None:
        """The digest naming one token, or ``None`` when the request is not served from the store."""
        if options.get("claims") or self._identity is None:
            return None
        wanted = {name: value for name, value in options.items() if value is not None}
        at_request = self._inputs.at_request() if self._inputs is not None else {}
        try:
            # json.dumps([identity, list(scopes), wanted, at_request], sort_keys=True), the
            # identity written once
            text = (
                f"[{self._identity}, {json.dumps(list(scopes))}, {json.dumps(wanted, sort_keys=True)}, "
                f"{json.dumps(at_request, sort_keys=True)}]"
            )
        except (TypeError, ValueError, RecursionError):
            return None
        return hashlib.sha256(text.encode()).hexdigest()

    def fetch(
        self,
        method: str,
        scopes: tuple[str, ...],
        options: Mapping[str, Any],
        call: Callable[[], T],
    ) -> T:
        """A stored token for the request, or ``call()``'s, stored when its credential may be."""
        key = self.key(scopes, options) if self.storable else None
        if key is None:
            return self._after_claims(scopes, options, call())
        found = self._lookup(key)
        if found is not None:
            return found.shaped(method)  # type: ignore[no-any-return]
        folder = self.folder
        if folder is None or str(folder) in _off:
            return self._remember(key, call)
        with _locked(folder, key) as (held, waited):
            if held:
                found = self._read(key)
                if found is not None:
                    return found.shaped(method)  # type: ignore[no-any-return]
            if not waited:
                return self._remember(key, call)
        # The process before kept nothing (a developer tool answered, or it failed): ask without
        # the lock, so that the processes behind it do not queue one after the other.
        return self._remember(key, call)

    async def afetch(
        self,
        method: str,
        scopes: tuple[str, ...],
        options: Mapping[str, Any],
        call: Callable[[], Awaitable[T]],
    ) -> T:
        """:meth:`fetch` for an async credential: waiting for the lock never blocks the loop."""
        import asyncio

        key = self.key(scopes, options) if self.storable else None
        if key is None:
            return self._after_claims(scopes, options, await call())
        found = self._lookup(key)
        if found is not None:
            return found.shaped(method)  # type: ignore[no-any-return]
        folder = self.folder
        if folder is None or str(folder) in _off:
            return await self._aremember(key, call)
        descriptor = _open_lock(folder, key)
        if descriptor is None:
            return await self._aremember(key, call)
        with _held_lock(descriptor):
            deadline = time.monotonic() + (0.0 if key in _given_up else LOCK_WAIT)
            held = _try_lock(descriptor)
            waited = held is False
            while held is False and time.monotonic() < deadline:
                await asyncio.sleep(_LOCK_POLL)
                held = _try_lock(descriptor)
            _after_wait(folder, key, held)
            try:
                if held:
                    found = self._read(key)
                    if found is not None:
                        return found.shaped(method)  # type: ignore[no-any-return]
                    if waited:  # the process before kept nothing: no queue behind the lock (as fetch)
                        _unlock(descriptor)
                        held = False
                return await self._aremember(key, call)
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

    def _remember(self, key: str, call: Callable[[], T]) -> T:
        marker = _answering.set(None)
        try:
            result = call()
            name = _answering.get()  # set by the member that answered, in this thread or task
        finally:
            _answering.reset(marker)
        return self._keep(key, name, result)

    async def _aremember(self, key: str, call: Callable[[], Awaitable[T]]) -> T:
        marker = _answering.set(None)
        try:
            result = await call()
            name = _answering.get()
        finally:
            _answering.reset(marker)
        return self._keep(key, name, result)

    def _keep(self, key: str, name: str | None, result: T) -> T:
        if name not in STORABLE:
            return result  # a developer tool (or nobody tagged an answer): its identity may change
        assert name is not None  # in STORABLE
        token = _as_token(result, name)
        if token is None:
            return result
        with _memory_lock:
            if len(_memory) >= _MEMORY_LIMIT:
                for stale in [old for old, kept in _memory.items() if not kept.usable()]:
                    del _memory[stale]
            _memory[key] = token
        if self.folder is not None and str(self.folder) not in _off:
            _write_entry(self.folder, key, token)
        return result

    def _after_claims(self, scopes: tuple[str, ...], options: Mapping[str, Any], result: T) -> T:
        """After a claims challenge was answered, the token the resource rejected is forgotten
        (memory and disk), so that later processes do not each pay the 401 again."""
        if not options.get("claims") or not self.storable:
            return result
        key = self.key(scopes, {name: value for name, value in options.items() if name != "claims"})
        if key is not None:
            with _memory_lock:
                _memory.pop(key, None)
            if self.folder is not None and str(self.folder) not in _off:
                with contextlib.suppress(OSError):
                    os.unlink(_path(self.folder, key))
        return result


def _unpickled_store(
    recipe: dict[str, object] | None, folder: Path | None, storable: bool, inputs: IdentityInputs | None
) -> TokenStore:
    return TokenStore(recipe, folder, storable=storable, inputs=inputs)


def _as_token(result: object, credential: str) -> _Token | None:
    value = getattr(result, "token", None)
    refresh_on = getattr(result, "refresh_on", None)
    if type(refresh_on) is not int:
        refresh_on = None
    try:
        expires_on, refresh = _times(getattr(result, "expires_on", None), refresh_on)
    except (ValueError, ArithmeticError):
        return None  # not a time a token could have: not kept
    if not isinstance(value, str):
        return None
    left = expires_on - time.time()
    if refresh is None and left >= _HALF_LIFE_FROM:
        # An AccessToken (get_token) has no refresh_on: refreshed at half its life, as MSAL does
        # for tokens of 2 h or more, rather than used until MARGIN before it expires.
        refresh = int(time.time() + left / 2)
    return _Token(value, expires_on, refresh, str(getattr(result, "token_type", "Bearer")), credential)


def _times(expires_on: object, refresh_on: object) -> tuple[int, int | None]:
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
    if not (_trusted(parent, folder=True) and _trusted(info, folder=True)) or info.st_mode & 0o077:
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


def _path(folder: Path, key: str) -> Path:
    return folder / f"{key[:32]}.json"


def _read_entry(folder: Path, key: str) -> _Token | None:
    path = _path(folder, key)
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
        _warn_once(str(path), "azenvcloud: ignoring the token store entry %s (%s)", path, exc.strerror or exc)
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not _trusted(info, folder=False) or info.st_mode & 0o077:  # _trusted: a regular file
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
        expires_on, refresh_on = _times(entry["expires_on"], entry.get("refresh_on"))
        token, credential = entry["token"], entry["credential"]
        if not isinstance(token, str) or credential not in STORABLE:
            raise ValueError("token")
        return _Token(token, expires_on, refresh_on, str(entry.get("token_type", "Bearer")), credential)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, ArithmeticError):
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
    try:
        return _open_lock_file(_path(folder, key))
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
def _locked(folder: Path, key: str) -> Iterator[tuple[bool, bool]]:
    """Hold the key's lock between processes (up to :data:`LOCK_WAIT` waiting); yields whether it
    was had and whether another process held it first. A lock that fails turns the store off for
    this process."""
    descriptor = _open_lock(folder, key)
    if descriptor is None:
        yield False, False
        return
    with _held_lock(descriptor):  # closed in a forked child (the metadata cache's hygiene)
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
        _warn_once(
            f"lock:{key}",
            "azenvcloud: waited %.0f s for another process's token request in %s; asking without it",
            LOCK_WAIT,
            folder,
        )


def forget() -> None:
    """Forget the tokens kept in memory (``reset()``, ``configure()``) and the warnings given."""
    with _memory_lock:
        _memory.clear()
    _off.clear()
    _given_up.clear()
    _warned.clear()


@dataclass
class Purged:
    """What :func:`purge` did: entries deleted, names it left alone, and a refusal (or ``None``)."""

    deleted: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: str | None = None


def purge(cache_dir: str | None, *, metadata: bool = False) -> tuple[Purged, Purged]:
    """Delete the token store's files under the metadata cache folder ``cache_dir`` (``None``:
    the user's), and with ``metadata`` the metadata cache's documents; tokens in memory are
    forgotten too. Only the store's own names are deleted (``<32 hex>.json|.lock``, its
    ``.tmp-*.json``; the metadata cache names its files alike), never through a symlinked folder, never a
    sub-folder or another file (those are listed as skipped). Never raises for a file."""
    forget()
    folder = token_folder(cache_dir)
    tokens = _purge_folder(folder, (_ENTRY_NAME, _TEMPORARY_NAME), count=".json", parent=True)
    documents = Purged()
    if metadata:
        # The metadata cache names its files as the store does (<32 hex>.json|.lock, .tmp-*.json).
        documents = _purge_folder(folder.parent, (_ENTRY_NAME, _TEMPORARY_NAME), count=".json", parent=False)
        documents.skipped = [name for name in documents.skipped if name != TOKENS_FOLDER]
    return tokens, documents


def _purge_folder(folder: Path, names: tuple[re.Pattern[str], ...], *, count: str, parent: bool) -> Purged:
    done = Purged()
    flags = (
        os.O_RDONLY
        | getattr(os, "O_DIRECTORY", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        for checked in (folder.parent, folder) if parent else (folder,):
            if stat.S_ISLNK(os.lstat(checked).st_mode):
                done.refused = f"{checked} is a symbolic link (not followed)"
                return done
        descriptor = os.open(folder, flags)
    except FileNotFoundError:
        return done
    except OSError as exc:
        done.refused = f"{folder} cannot be opened ({exc.strerror or exc})"
        return done
    try:
        for name in sorted(os.listdir(descriptor)):
            try:
                info = os.lstat(name, dir_fd=descriptor)
                if not any(pattern.fullmatch(name) for pattern in names) or stat.S_ISDIR(info.st_mode):
                    done.skipped.append(name)
                    continue
                os.unlink(name, dir_fd=descriptor)
            except FileNotFoundError:
                continue
            except OSError:
                done.skipped.append(name)
                continue
            done.deleted += name.endswith(count) and not name.startswith(".")
    except OSError as exc:
        done.refused = f"{folder} cannot be listed ({exc.strerror or exc})"
    finally:
        os.close(descriptor)
    return done
