"""Named configurations (sync): ``azenvcloud.configuration("gov")``, a cached object with the
module's getters for that configuration alone, and ``configure``/``reset``/``close`` for itself.

Each :class:`Configuration` keeps its own settings, credential and clients, under its own lock,
built by the same recipes as the default's (:mod:`azenvcloud._construction`); nothing crosses
between configurations. The module-level ``configure()`` changes the default configuration only;
the module-level ``reset()`` resets every configuration (:func:`reset_all`). A forked child
forgets every configuration's objects (never closing them: they are the parent's) and keeps the
tokens in memory (:mod:`azenvcloud._token_store`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from . import _clients
from ._construction import cached_client, construct, first_request_scopes, has_subscription, recipe_for
from ._destinations import check_url
from ._fork import after_fork
from ._named_credential import build_named_credential
from ._named_settings import its_variables, require_declared, settings_of
from ._services import scope_of, url_of

if TYPE_CHECKING:
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    from ._settings import Settings
    from ._token_sharing import SharedCredential

__all__ = ["Configuration", "configuration", "reset_all"]

ClientT = TypeVar("ClientT")

_log = logging.getLogger("azenvcloud")
_CREDENTIAL = "credential"
_RESOURCES = "resources"
_SUBSCRIPTIONS = "subscriptions"


class Configuration:
    """A named configuration: its settings (its own ``GOV_`` variables), its credential and its
    clients, each built once on first use and cached; get it with :func:`azenvcloud.configuration`.

    Its getters are the module's (:func:`azenvcloud.get_resource_client` and the others), for this
    configuration alone. Its credential is a chain of the configuration's own identity (not a
    ``DefaultAzureCredential``: [how-to](../how-to/several-clouds.md)).

    Attributes:
        name: Its name, as ``AZENVCLOUD_CONFIGURATIONS`` declares it (``"gov"``).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.RLock()
        self._objects: dict[Hashable, Any] = {}
        self._arguments: dict[str, Any] = {}
        self._settings: Settings | None = None
        self._on_change: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"azenvcloud.configuration({self.name!r})"

    @property
    def settings(self) -> Settings:
        """Its resolved settings (:meth:`get_settings`)."""
        return self.get_settings()

    def get_settings(self) -> Settings:
        """Its resolved settings, built on first use and cached: the :meth:`configure` arguments
        over its own variables (``GOV_AZURE_CLOUD``, ...) from the environment and the ``.env`` file.

        Raises:
            ConfigurationError: Its configuration is invalid, naming its prefixed variables.
        """
        settings = self._settings
        if settings is not None:
            return settings
        with self._lock:
            if self._settings is None:
                self._settings = settings_of(self.name, **self._arguments)
            return self._settings

    def configure(self, **arguments: Any) -> Settings:
        """Set its configuration in code (the highest precedence), as :func:`azenvcloud.configure`
        does for the default; closes and forgets this configuration's credential and clients only.

        Raises:
            ConfigurationError: The resulting configuration is invalid; nothing changes then.
            TypeError: An argument is no setting's name.
        """
        settings = settings_of(self.name, **arguments)
        with self._lock:
            self._arguments = dict(arguments)
            self._settings = settings
            built = self._forget()
        _clients.close_built(built)
        return settings

    def reset(self) -> None:
        """Close and forget its credential, clients, settings and :meth:`configure` arguments."""
        with self._lock:
            self._settings = None
            self._arguments = {}
            built = self._forget()
        _clients.close_built(built)

    def close(self) -> None:
        """Close and forget its credential and clients (its settings stay); the next use rebuilds."""
        with self._lock:
            built = self._forget()
        _clients.close_built(built)

    def on_change(self, forget: Callable[[], None]) -> None:
        """Have :meth:`configure`, :meth:`reset` and :meth:`close` also call ``forget`` (how its
        async twin drops what it built)."""
        self._on_change.append(forget)

    def _forget(self) -> list[tuple[Hashable, Any]]:
        built = list(self._objects.items())
        self._objects.clear()
        for forget in self._on_change:
            forget()
        return built

    def _after_fork(self) -> None:
        self._lock = threading.RLock()
        self._objects.clear()

    def _cached(self, key: Hashable, build: Callable[[], Any]) -> Any:
        found = self._objects.get(key)
        if found is not None:
            return found
        self.get_settings()
        with self._lock:
            found = self._objects.get(key)
            if found is None:
                found = build()
                self._objects[key] = found
            return found

    def get_credential(self) -> SharedCredential:
        """Its credential: a chain of its own identity's credentials, with single flight,
        prefetch and the token store.

        Raises:
            ConfigurationError: It has no identity of its own (the process's is never used), or
                an incomplete one, naming its variables.
        """
        credential: SharedCredential | None = self._objects.get(_CREDENTIAL)
        if credential is not None:
            return credential
        return self._cached(_CREDENTIAL, self._build_credential)  # type: ignore[no-any-return]

    def _build_credential(self) -> SharedCredential:
        settings = self.get_settings()
        credential = build_named_credential(settings, asynchronous=False)
        _log.debug(
            "azenvcloud built the credential of %r for authority %s", self.name, settings.authority_host
        )
        return credential

    def get_resource_client(self, subscription_id: str | None = None) -> ResourceManagementClient:
        """Its cached ``ResourceManagementClient`` (default subscription ``GOV_AZURE_SUBSCRIPTION_ID``)."""
        client: ResourceManagementClient | None = self._objects.get((_RESOURCES, subscription_id))
        if client is not None:
            return client
        if has_subscription(subscription_id, self.get_settings()):
            self.prefetch_token(self.get_settings().credential_scopes)
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._cached(  # type: ignore[no-any-return]
            (_RESOURCES, subscription_id),
            lambda: self._construct(ResourceManagementClient, subscription_id, {}),
        )

    def get_subscription_client(self) -> SubscriptionClient:
        """Its cached ``SubscriptionClient``."""
        client: SubscriptionClient | None = self._objects.get(_SUBSCRIPTIONS)
        if client is not None:
            return client
        self.prefetch_token(self.get_settings().credential_scopes)
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return self._cached(_SUBSCRIPTIONS, lambda: self._construct(SubscriptionClient, None, {}))  # type: ignore[no-any-return]

    def get_client(
        self, client_class: type[ClientT], subscription_id: str | None = None, **kwargs: Any
    ) -> ClientT:
        """Its cached client of ``client_class``, as :func:`azenvcloud.get_client` builds one for
        the default (an explicit ``cloud_setting`` always: ``AZURE_SDK_CLOUD_CONF`` is the default's)."""
        key, client = cached_client(self._objects, client_class, subscription_id, kwargs)
        if client is not None:
            return client  # type: ignore[no-any-return]
        return self._cached(key, lambda: self._construct(client_class, subscription_id, kwargs))  # type: ignore[no-any-return]

    def _construct(
        self, client_class: type[ClientT], subscription_id: str | None, kwargs: dict[str, Any]
    ) -> ClientT:
        settings = self.get_settings()
        credential = self.get_credential()
        recipe = recipe_for(client_class, asynchronous=False)
        client = construct(
            client_class, subscription_id, kwargs, settings, credential, recipe=recipe, asynchronous=False
        )
        scopes = first_request_scopes(recipe, settings)
        if scopes:
            self.prefetch_token(scopes)
        _log.debug("azenvcloud built %s for %r", client_class.__name__, self.name)
        return client

    def prefetch_token(self, scopes: Sequence[str], credential: Callable[[], Any] | None = None) -> None:
        """Start its token request for ``scopes`` in the background (``GOV_AZENVCLOUD_TOKEN_PREFETCH``)."""
        if not self.get_settings().token_prefetch or _clients.is_offline():
            return
        (credential or self.get_credential)()._azenvcloud_prefetch(*scopes)

    def service_url(self, service: str, name: str | None = None) -> str:
        """The https URL of a resource of ``service`` in its cloud (:func:`azenvcloud.service_url`)."""
        settings = self.get_settings()
        with its_variables(self.name):
            return url_of(settings, service, name)

    def service_scope(self, service: str) -> str:
        """The token scope of ``service`` in its cloud (:func:`azenvcloud.service_scope`)."""
        settings = self.get_settings()
        with its_variables(self.name):
            return scope_of(settings, service)

    def check_service_url(self, service: str, url: str, *, argument: str = "url") -> str:
        """``url``, normalised, if its host may receive ``service``'s token in its cloud
        (:func:`azenvcloud.check_service_url`)."""
        settings = self.get_settings()
        with its_variables(self.name):
            return check_url(settings, service, url, argument=argument)


_registry_lock = threading.Lock()
_registry: dict[str, Configuration] = {}


def configuration(name: str) -> Configuration:
    """The named configuration ``name``, declared by ``AZENVCLOUD_CONFIGURATIONS`` (``gov``: its
    variables are ``GOV_AZURE_CLOUD``, ``GOV_AZURE_CLIENT_ID``, ...), cached: the same object on
    every call until :func:`azenvcloud.reset`.

    Raises:
        ConfigurationError: ``name`` is not declared, or ``AZENVCLOUD_CONFIGURATIONS`` is not usable.
    """
    found = _registry.get(name)
    if found is not None:
        return found
    canonical = require_declared(name)
    with _registry_lock:
        found = _registry.get(canonical)
        if found is None:
            found = _registry[canonical] = Configuration(canonical)
        _registry[name] = found
        return found


def reset_all() -> None:
    """Reset every named configuration and forget them (``azenvcloud.reset()``): the next
    :func:`configuration` reads ``AZENVCLOUD_CONFIGURATIONS`` again."""
    with _registry_lock:
        known = {id(item): item for item in _registry.values()}
        _registry.clear()
    for item in known.values():
        item.reset()


def _forget_after_fork() -> None:
    global _registry_lock  # noqa: PLW0603 - a lock held by another thread at fork time stays held
    _registry_lock = threading.Lock()
    for item in {id(item): item for item in _registry.values()}.values():
        item._after_fork()


_clients.on_reset_all(reset_all)
after_fork(_forget_after_fork)
