"""The getters of the resolved configuration (sync): the cached, thread- and fork-safe credential
and clients, a data-plane service's URL and scope, and :func:`reset`.

Every object is built once, on first use, under one re-entrant lock with double-checked
creation; afterwards a call is a single dictionary lookup with no lock. After ``os.fork()`` the
child forgets the parent's objects (without closing them: they are the parent's) and builds
its own. :func:`reset` closes and forgets everything, settings included.

Building the first client of a scope starts that scope's token request in the background (token
prefetch, ``AZENVCLOUD_TOKEN_PREFETCH``): the client's first request takes its token or error.

:func:`service_url`, :func:`service_scope` and :func:`check_service_url` read the resolved
settings and hand them to the service model (:mod:`azenvcloud._services`) and the destination
check (:mod:`azenvcloud._destinations`), which take settings as an argument and sit below them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from ._construction import cached_client, construct, first_request_scopes, has_subscription, recipe_for
from ._credentials import build_credential, withdraw_exported_variables
from ._destinations import check_url
from ._fork import after_fork
from ._services import scope_of, url_of
from ._settings import get_settings, on_change, reset_settings

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.subscriptions import SubscriptionClient

__all__ = [
    "check_service_url",
    "close_built",
    "get_client",
    "get_credential",
    "get_resource_client",
    "get_subscription_client",
    "reset",
    "service_scope",
    "service_url",
]

ClientT = TypeVar("ClientT")

_log = logging.getLogger("azenvcloud")
_CREDENTIAL = "credential"
_RESOURCES = "resources"
_SUBSCRIPTIONS = "subscriptions"

_lock = threading.RLock()
_objects: dict[Hashable, Any] = {}
_reset_hooks: list[Callable[[], None]] = []
_reset_all_hooks: list[Callable[[], None]] = []  # reset() alone: every named configuration too
_offline: ContextVar[bool] = ContextVar("azenvcloud_offline", default=False)


def _cached(key: Hashable, build: Callable[[], Any]) -> Any:
    found = _objects.get(key)
    if found is not None:
        return found
    # Resolve outside our lock, so that threads failing on a broken configuration or metadata
    # endpoint share one attempt (get_settings is single-flight) instead of queueing here.
    get_settings()
    with _lock:
        found = _objects.get(key)
        if found is None:
            found = build()
            _objects[key] = found
        return found


def get_credential() -> DefaultAzureCredential:
    """The process's one ``DefaultAzureCredential``, configured for the resolved cloud.

    Every credential in the chain that talks to an identity authority uses the resolved
    ``authority_host`` (workload identity included); instance discovery is off for authority
    hosts MSAL does not know. azure-identity's variables (``AZURE_CLIENT_ID``,
    ``AZURE_TOKEN_CREDENTIALS``, ...) keep their meaning and may also come from the .env file.

    Raises:
        ConfigurationError: The configuration is invalid.
    """
    credential: DefaultAzureCredential | None = _objects.get(_CREDENTIAL)
    if credential is not None:
        return credential
    return _cached(_CREDENTIAL, _build_credential)  # type: ignore[no-any-return]


def _build_credential() -> DefaultAzureCredential:
    settings = get_settings()
    credential = build_credential(settings)
    _log.debug("azenvcloud built DefaultAzureCredential for authority %s", settings.authority_host)
    return credential


def get_resource_client(subscription_id: str | None = None) -> ResourceManagementClient:
    """The cached ``ResourceManagementClient`` for a subscription (default ``AZURE_SUBSCRIPTION_ID``).

    Its token request starts before azure-mgmt-resource is imported (``AZENVCLOUD_TOKEN_PREFETCH``).

    Raises:
        ConfigurationError: The configuration is invalid, or no subscription is configured.
    """
    client: ResourceManagementClient | None = _objects.get((_RESOURCES, subscription_id))
    if client is not None:
        return client
    if has_subscription(subscription_id, get_settings()):
        prefetch_token(get_settings().credential_scopes)  # while azure-mgmt-resource is imported
    from azure.mgmt.resource.resources import ResourceManagementClient

    return _cached(  # type: ignore[no-any-return]
        (_RESOURCES, subscription_id), lambda: _construct(ResourceManagementClient, subscription_id, {})
    )


def get_subscription_client() -> SubscriptionClient:
    """The cached ``SubscriptionClient`` (lists subscriptions and tenants; needs no subscription)."""
    client: SubscriptionClient | None = _objects.get(_SUBSCRIPTIONS)
    if client is not None:
        return client
    prefetch_token(get_settings().credential_scopes)  # while azure-mgmt-resource-subscriptions is imported
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    return _cached(_SUBSCRIPTIONS, lambda: _construct(SubscriptionClient, None, {}))  # type: ignore[no-any-return]


def get_client(client_class: type[ClientT], subscription_id: str | None = None, **kwargs: Any) -> ClientT:
    """The cached client of any ``azure-mgmt-*`` class, built for the resolved cloud.

    The client gets the shared credential, the cloud's ``base_url`` and ``credential_scopes``,
    and an explicit ``cloud_setting`` where the class accepts one. Classes with a
    ``subscription_id`` parameter get ``subscription_id`` or ``AZURE_SUBSCRIPTION_ID``. Under an
    Azure Stack Hub ``AZURE_API_PROFILE`` the class gets that profile's ``api_version`` (an
    explicit ``api_version=`` wins). A management client's token request (and that of a data-plane
    client whose first scope is known) starts once it is built (``AZENVCLOUD_TOKEN_PREFETCH``).

    Args:
        client_class: For example ``azure.mgmt.compute.ComputeManagementClient``.
        subscription_id: The subscription, for classes that take one.
        **kwargs: Further constructor arguments (``api_version=...``, ``retry_total=...``);
            part of the cache key, so they must be hashable.

    Raises:
        ConfigurationError: The configuration is invalid, or the class needs a subscription
            and none is configured.
        TypeError: An argument azenvcloud owns (``credential``, ``base_url``,
            ``credential_scopes``, ``cloud_setting``) was passed, or an argument is unhashable.
    """
    key, client = cached_client(_objects, client_class, subscription_id, kwargs)
    if client is not None:
        return client  # type: ignore[no-any-return]
    return _cached(key, lambda: _construct(client_class, subscription_id, kwargs))  # type: ignore[no-any-return]


def _construct(client_class: type[ClientT], subscription_id: str | None, kwargs: dict[str, Any]) -> ClientT:
    settings = get_settings()
    credential = get_credential()
    recipe = recipe_for(client_class, asynchronous=False)
    client = construct(
        client_class, subscription_id, kwargs, settings, credential, recipe=recipe, asynchronous=False
    )
    scopes = first_request_scopes(recipe, settings)
    if scopes:  # a client that could not be built makes no request
        prefetch_token(scopes)
    _log.debug("azenvcloud built %s", client_class.__name__)
    return client


def prefetch_token(scopes: Sequence[str], credential: Callable[[], Any] = get_credential) -> None:
    """Start the token request for ``scopes`` in the background (``AZENVCLOUD_TOKEN_PREFETCH``),
    once per credential (``credential()``, the sync one or this loop's async one): the client's
    first request takes its token, or its error."""
    settings = get_settings()
    if not settings.token_prefetch or _offline.get():
        return
    if credential()._azenvcloud_prefetch(*scopes):
        _log.debug(
            "azenvcloud prefetching a token for %s from %s in the background",
            " ".join(scopes),
            settings.authority_host,
        )


def is_offline() -> bool:
    """Whether clients are being built without prefetching tokens (:func:`offline`)."""
    return _offline.get()


@contextmanager
def offline() -> Iterator[None]:
    """Build clients without prefetching tokens: for ``azenvcloud check``, which builds them to
    validate the configuration and promises to contact nothing."""
    token = _offline.set(True)
    try:
        yield
    finally:
        _offline.reset(token)


def service_url(service: str, name: str | None = None) -> str:
    """The https URL of a resource of ``service`` in the resolved cloud.

    For an SDK without a recipe: ``service_url("blob", "st1")`` is
    ``https://st1.blob.core.chinacloudapi.cn`` under ``AZURE_CLOUD=china``.

    Args:
        service: A service name (:data:`~azenvcloud.SERVICE_NAMES`), such as ``"keyvault"`` or
            ``"blob"``.
        name: The resource's short name (``"kv1"``): a DNS label. ``None`` for a service with a
            fixed endpoint (``"log_analytics"``, ``"graph"``).

    Raises:
        ConfigurationError: The cloud has no known suffix (or endpoint) for the service, or the
            name is no DNS label.
        ValueError: ``service`` is no service azenvcloud knows.
    """
    return url_of(get_settings(), service, name)


def service_scope(service: str) -> str:
    """The token scope (``<audience>/.default``) of ``service`` in the resolved cloud, to ask
    ``get_credential()`` for a token of an SDK without a recipe.

    Raises:
        ConfigurationError: The cloud has no known audience for the service (for Key Vault, whose
            audience comes from each vault's challenge, the message points to ``get_client``).
        ValueError: ``service`` is no service azenvcloud knows.
    """
    return scope_of(get_settings(), service)


def check_service_url(service: str, url: str, *, argument: str = "url") -> str:
    """``url``, normalised, if its host may receive ``service``'s token in the resolved cloud.

    What ``get_client`` does with a URL given in code, for an SDK without a recipe. First, a host
    another cloud owns (any of its sourced hosts or suffixes, for any service, or a name in its
    DNS zone, such as a public data collection endpoint under ``monitor.azure.com``) is the
    mixed-cloud error, whatever ``AZENVCLOUD_ACCEPTED_HOSTS`` lists: that is the commonest
    data-plane failure, a hard-coded public host (``https://kv1.vault.azure.net`` under
    ``AZURE_CLOUD=china``), caught before any token request. Then accepted: a host of ``service``
    in the resolved cloud (its suffixes, its endpoint, or a sourced alternative form such as
    Storage's DNS-zone endpoints); any host where the resolved cloud has no known host for the
    service at all (a data collection endpoint under Bleu); and a host a trusted source listed in
    ``AZENVCLOUD_ACCEPTED_HOSTS`` (the environment, a named .env file, or code: a custom domain in
    front of a storage account). A zone never makes a host acceptable:
    ``<vm>.<region>.cloudapp.azure.com`` is a virtual machine anyone can rent.

    Args:
        service: A service name (:data:`~azenvcloud.SERVICE_NAMES`).
        url: The URL (``https://kv1.vault.azure.cn``).
        argument: How the errors name the URL (the argument of your code that holds it).

    Raises:
        ConfigurationError: The URL is malformed, or its host is not of the resolved cloud (the
            message names the cloud that owns it, when one does).
        ValueError: ``service`` is no service azenvcloud knows.
    """
    return check_url(get_settings(), service, url, argument=argument)


def on_reset(forget: Callable[[], None]) -> None:
    """Have :func:`reset` also call ``forget`` (how :mod:`azenvcloud.aio` drops its objects)."""
    _reset_hooks.append(forget)


def on_reset_all(reset: Callable[[], None]) -> None:
    """Have :func:`reset`, and it alone (not ``configure()``), also call ``reset`` (how every
    named configuration is reset with the default)."""
    _reset_all_hooks.append(reset)


def reset() -> None:
    """Close and forget the credential, every client, the settings and the :func:`configure`
    arguments, of the default configuration and of every named one
    (:func:`azenvcloud.configuration`); the next use reads the environment and the .env file again.

    For tests and configuration reloads. Objects handed out earlier are closed: drop them too.
    The azure-identity variables azenvcloud copied from a .env file into the environment (and
    ``AZURE_TENANT_ID=adfs``) are taken back, so the next credential reads the .env file as it
    is now. Async objects (:mod:`azenvcloud.aio`) are forgotten but not closed, since closing
    needs their event loop: ``await azenvcloud.aio.close()`` first.
    """
    with _lock:  # together: nothing is built from new settings and an old credential
        reset_settings()
        _forget_built()
    for reset_named in _reset_all_hooks:
        reset_named()


def _forget_built() -> None:
    """Close and forget what was built from the settings (they changed or were forgotten)."""
    with _lock:
        built = list(_objects.items())
        _objects.clear()
        for forget in _reset_hooks:
            forget()
        withdraw_exported_variables()
    close_built(built)


def close_built(built: Sequence[tuple[Hashable, Any]]) -> None:
    """Close what a configuration built (``(key, object)`` pairs): its clients first, then the
    credential they use; a failure to close one does not stop the rest."""
    for key, obj in sorted(built, key=lambda item: item[0] == _CREDENTIAL):
        close = getattr(obj, "close", None)
        if close is None:
            continue
        try:
            close()
        except Exception:  # closing one must not stop the rest from closing
            _log.debug("azenvcloud: closing %r failed", key, exc_info=True)


def building() -> threading.RLock:
    """The lock objects are built under; :func:`configure` and :func:`reset` replace the
    settings and forget the objects under it, so a build sees old settings and old credential,
    or new and new."""
    return _lock


on_change(_forget_built, guard=building)


def _forget_tokens() -> None:
    # reset() and configure() forget the tokens kept in memory (none before the first credential).
    import sys

    store = sys.modules.get("azenvcloud._token_store")
    if store is not None:
        store.forget()


on_reset(_forget_tokens)


def _forget_after_fork() -> None:
    # The child must not share the parent's connections, nor inherit a lock another thread held.
    global _lock  # noqa: PLW0603
    _lock = threading.RLock()
    _objects.clear()


after_fork(_forget_after_fork)
