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

The files on disk (the folder, an entry per key, the lock per key) are
:mod:`azenvcloud._token_files`'s: a folder that cannot be used is off for this process, with one
warning, and nothing raises inside ``get_token``. ``cache clear`` deletes them
(:mod:`azenvcloud._cache_purge`).
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
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from . import _token_files as files
from ._fork import renew_locks
from ._identity_inputs import IdentityInputs, salted
from ._token_files import MARGIN, StoredToken, token_folder, token_times

__all__ = ["MARGIN", "STORABLE", "TokenStore", "forget", "members", "untagged"]

T = TypeVar("T")

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

_HALF_LIFE_FROM = 7200  # seconds: MSAL refreshes tokens living at least this long at half-life
_MEMORY_LIMIT = 512  # past it, tokens no longer usable are dropped from memory
# Options that choose how requests travel, never whose token it is (an object: not in the key).
_TRANSPORT_OPTIONS = frozenset({"transport"})

_log = logging.getLogger("azenvcloud")
_memory_lock = threading.Lock()
renew_locks(globals(), "_memory_lock")  # new in a forked child (which keeps the tokens)
_memory: dict[str, StoredToken] = {}
_answering: contextvars.ContextVar[str | None] = contextvars.ContextVar("azenvcloud_answering", default=None)


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
        self.folder = files.open_folder(folder) if folder is not None else None
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
        if files.is_off(folder):
            return self._remember(key, call)
        assert folder is not None  # not off
        with files.locked(folder, key) as (held, waited):
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

        key = self.key(scopes, options) if self.storable else None
        if key is None:
            return self._after_claims(scopes, options, await call())
        found = self._lookup(key)
        if found is not None:
            return found.shaped(method)  # type: ignore[no-any-return]
        folder = self.folder
        if files.is_off(folder):
            return await self._aremember(key, call)
        assert folder is not None  # not off
        async with files.alocked(folder, key) as (held, waited):
            if held:
                found = self._read(key)
                if found is not None:
                    return found.shaped(method)  # type: ignore[no-any-return]
            if not waited:
                return await self._aremember(key, call)
        # As fetch: the process before kept nothing, so no queue behind the lock.
        return await self._aremember(key, call)

    def _lookup(self, key: str) -> StoredToken | None:
        with _memory_lock:
            found = _memory.get(key)
        if found is not None and found.usable():
            return found
        if files.is_off(self.folder):
            return None
        return self._read(key)

    def _read(self, key: str) -> StoredToken | None:
        assert self.folder is not None  # only called with a folder
        found = files.read_entry(self.folder, key, STORABLE)
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
        if not files.is_off(self.folder):
            assert self.folder is not None  # not off
            files.write_entry(self.folder, key, token)
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
            if not files.is_off(self.folder):
                assert self.folder is not None  # not off
                with contextlib.suppress(OSError):
                    os.unlink(files.entry_path(self.folder, key))
        return result


def _unpickled_store(
    recipe: dict[str, object] | None, folder: Path | None, storable: bool, inputs: IdentityInputs | None
) -> TokenStore:
    return TokenStore(recipe, folder, storable=storable, inputs=inputs)


def _as_token(result: object, credential: str) -> StoredToken | None:
    value = getattr(result, "token", None)
    refresh_on = getattr(result, "refresh_on", None)
    if type(refresh_on) is not int:
        refresh_on = None
    try:
        expires_on, refresh = token_times(getattr(result, "expires_on", None), refresh_on)
    except (ValueError, ArithmeticError):
        return None  # not a time a token could have: not kept
    if not isinstance(value, str):
        return None
    left = expires_on - time.time()
    if refresh is None and left >= _HALF_LIFE_FROM:
        # An AccessToken (get_token) has no refresh_on: refreshed at half its life, as MSAL does
        # for tokens of 2 h or more, rather than used until MARGIN before it expires.
        refresh = int(time.time() + left / 2)
    return StoredToken(value, expires_on, refresh, str(getattr(result, "token_type", "Bearer")), credential)


def forget() -> None:
    """Forget the tokens kept in memory (``reset()``, ``configure()``) and the warnings given."""
    with _memory_lock:
        _memory.clear()
    files.forget()
