"""The fake cloud's data-plane services, each on the host names of the cloud it acts as, and what
a test puts in them (a vault's secrets, a store's key-values: :class:`DataPlaneContent`).

Each SDK family declares, in its own module of :mod:`azenvcloud._dataplane`, which requests are
its services' and how the fake answers them (:class:`~azenvcloud._dataplane._fake.FakeRoute`): as
the real service does where the SDKs look (the token's scope must be the one the service
accepts, else a 401). This module only hands a request to the route that claims it. Requests are
logged like every other, with the service's name as their kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._dataplane._fake import Answer, FakeRoute
    from .._dataplane.appconfiguration import StoreValue
    from . import FakeCloud, RecordedRequest
    from ._server import State

__all__ = ["DataPlaneContent", "Kept", "answer", "service_of"]


def _route_of(request: RecordedRequest) -> FakeRoute | None:
    from .._dataplane import FAKE_ROUTES  # the families' routes (imports no SDK)

    return next((route for route in FAKE_ROUTES if route.matches(request.host, request.path)), None)


def service_of(request: RecordedRequest) -> str | None:
    """The data-plane service a request is for, by its host and path, or ``None``."""
    route = _route_of(request)
    return None if route is None else route.service


def answer(cloud: FakeCloud, request: RecordedRequest, body: bytes) -> Answer | None:
    """The answer of the data-plane service the request is for, or ``None`` if it is for none."""
    from .._dataplane._fake import FakeRequest
    from ._configurations import challenge_tenant

    route = _route_of(request)
    if route is None:
        return None
    with cloud._state.lock:
        scope = cloud._state.tokens.get(request.bearer or "")
    seen = FakeRequest(
        method=request.method,
        host=request.host,
        path=request.path,
        query=request.query,
        body=body,
        scope=scope,
        tenant_id=challenge_tenant(cloud, request.host),
        kept=Kept(cloud._state),
        client_id=request.client_id,
    )
    return route.answer(seen)


class Kept(MutableMapping[str, bytes]):
    """The fake's data-plane store (``_state.blobs``, cleared by ``reset()``), under its lock."""

    def __init__(self, state: State) -> None:
        self._state = state

    def __getitem__(self, key: str) -> bytes:
        with self._state.lock:
            return self._state.blobs[key]

    def __setitem__(self, key: str, value: bytes) -> None:
        with self._state.lock:
            self._state.blobs[key] = value

    def __delitem__(self, key: str) -> None:
        with self._state.lock:
            del self._state.blobs[key]

    def __iter__(self) -> Iterator[str]:
        with self._state.lock:
            return iter(list(self._state.blobs))

    def __len__(self) -> int:
        with self._state.lock:
            return len(self._state.blobs)


class DataPlaneContent:
    """What a test puts in the fake's data-plane services, in one call each: a Key Vault's secrets,
    an App Configuration store's key-values (methods of :class:`~azenvcloud.testing.FakeCloud`)."""

    _state: State

    def set_secrets(
        self,
        vault: str,
        secrets: Mapping[str, str],
        *,
        disabled: Iterable[str] = (),
        permissions: Iterable[str] = ("get", "list"),
    ) -> None:
        """Give the Key Vault ``vault`` exactly ``secrets`` (name -> value), until :meth:`reset`.

        ``vault`` is a vault's name (``"kv1"``: that vault under every cloud's Key Vault suffix,
        so the same call serves a test in any cloud) or its host (``"kv1.vault.azure.cn"``). The
        vault then answers as Key Vault does: names without regard to case, a missing one 404
        (``SecretNotFound``), one of ``disabled`` 403 to a get (``SecretDisabled``) and listed as
        not enabled; ``permissions`` (``"get"``, ``"list"``) is what every identity may do there,
        any other operation a 403 (``AccessDenied``). A vault never set answers every name with
        ``fake-value-of-<name>``.

        Raises:
            ValueError: A name Key Vault would refuse (only letters, digits and dashes), a
                disabled name not among ``secrets``, or an unknown permission.
        """
        from .._dataplane.keyvault import keep_vault

        keep_vault(Kept(self._state), vault, secrets, disabled=disabled, permissions=permissions)

    def set_store(
        self,
        store: str,
        values: Mapping[str, StoreValue],
        *,
        labels: Mapping[str, Mapping[str, StoreValue]] | None = None,
        snapshots: Mapping[str, Mapping[str, StoreValue]] | None = None,
        permissions: Iterable[str] = ("read",),
    ) -> None:
        """Give the App Configuration store ``store`` exactly these key-values, until :meth:`reset`.

        ``store`` is a store's name (``"cfg1"``: that store under every cloud's App Configuration
        suffixes, both host forms) or its host (``"cfg1.azconfig.azure.us"``). ``values`` are its
        key-values without a label: text, a :class:`KeyVaultReference` (``KeyVaultReference(
        "https://kv1.vault.usgovcloudapi.net/secrets/db-password")``), or JSON (a ``dict`` or
        ``list``); ``labels`` maps a label to its key-values; ``snapshots`` a snapshot's name to
        its key-values. The store answers ``GET /kv`` with key and label filters, in pages, and
        its snapshots, to a token for its cloud's App Configuration audience; ``permissions``
        (``"read"``) is what every identity may do there, none: a 403. A store never set holds
        no key-values.

        Raises:
            ValueError: An empty key, label or snapshot name, or an unknown permission.
            TypeError: A value of another type.
        """
        from .._dataplane.appconfiguration import keep_store

        kept = Kept(self._state)
        keep_store(kept, store, values, labels=labels, snapshots=snapshots, permissions=permissions)
