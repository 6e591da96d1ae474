"""Async twins of the getters, on ``azure.identity.aio`` and the clients' ``aio`` modules.

Same configuration, same rules as :mod:`azenvcloud` (the resolved authority for every
credential in the chain, workload identity included; the cloud's ``base_url``,
``credential_scopes`` and ``cloud_setting``; Azure Stack Hub API profiles). Objects are cached
per running event loop: one built in a loop is never handed out in another, because its
aiohttp session belongs to that loop. Call :func:`close` before the loop ends (for example at
the end of a FastAPI lifespan)::

    from azenvcloud import aio

    async def main() -> None:
        async for group in aio.get_resource_client().resource_groups.list():
            print(group.name)
        await aio.close()

Needs an async HTTP transport, aiohttp: ``pip install 'aiohttp>=3.9'`` (the ``[aio]`` extra's
package), or the extra from a checkout, ``pip install '/path/to/azenvcloud[aio]'``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import _clients
from ._configuration import Configuration
from ._configuration import configuration as _sync_configuration
from ._construction import cached_client, construct, first_request_scopes, has_subscription, recipe_for
from ._credentials import build_async_credential
from ._fork import after_fork
from ._named_credential import build_named_credential
from ._settings import get_settings

if TYPE_CHECKING:
    from azure.identity.aio import DefaultAzureCredential
    from azure.mgmt.resource.resources.aio import ResourceManagementClient
    from azure.mgmt.resource.subscriptions.aio import SubscriptionClient
    from msgraph import GraphServiceClient

    from ._settings import Settings
    from ._token_sharing import AsyncSharedCredential

__all__ = [
    "AsyncConfiguration",
    "close",
    "configuration",
    "get_client",
    "get_credential",
    "get_graph_client",
    "get_resource_client",
    "get_subscription_client",
]

_ClientT = TypeVar("_ClientT")

_log = logging.getLogger("azenvcloud")
_CREDENTIAL = "credential"
_RESOURCES = "resources"
_SUBSCRIPTIONS = "subscriptions"
_RECIPES = "recipes"  # key -> the recipe that built it, in each loop's objects

# Event loop -> that loop's objects. A loop runs in one thread and building is synchronous (no
# await between looking up and storing), so a loop's own dictionary needs no lock; the lock
# only guards adding a loop. Weak keys: a loop that is gone takes its entry with it.
_lock = threading.Lock()
_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Any]] = (
    weakref.WeakKeyDictionary()
)


def _objects(caller: str) -> dict[Hashable, Any]:
    return _loop_objects(
        _loops,
        f"azenvcloud.aio.{caller}()",
        f" (call it from a coroutine); synchronous code uses azenvcloud.{caller}()",
    )


def _loop_objects(
    loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Any]], called: str, hint: str
) -> dict[Hashable, Any]:
    """The running event loop's objects in ``loops`` (the default's, or a named configuration's),
    added on the loop's first use; ``called`` (and ``hint``) say which getter needs a loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(f"{called} needs a running event loop{hint}") from None
    objects = loops.get(loop)
    if objects is None:
        _require_async_transport()
        with _lock:
            objects = loops.setdefault(loop, {})
    return objects


def _require_async_transport() -> None:
    import importlib.util

    if importlib.util.find_spec("aiohttp") is None:
        from ._failure_hints import install_hint

        hint = install_hint("aio")
        raise ImportError(
            f"azenvcloud.aio needs an async HTTP transport, aiohttp, which is not installed: {hint}"
        )


def get_credential() -> DefaultAzureCredential:
    """This event loop's ``azure.identity.aio.DefaultAzureCredential`` for the resolved cloud.

    Raises:
        ConfigurationError: The configuration is invalid.
        RuntimeError: No event loop is running.
    """
    objects = _objects("get_credential")
    credential: DefaultAzureCredential | None = objects.get(_CREDENTIAL)
    if credential is None:
        settings = get_settings()
        credential = build_async_credential(settings)
        objects[_CREDENTIAL] = credential
        _log.debug("azenvcloud built async DefaultAzureCredential for authority %s", settings.authority_host)
    return credential


def get_resource_client(subscription_id: str | None = None) -> ResourceManagementClient:
    """This event loop's ``aio.ResourceManagementClient`` (default subscription ``AZURE_SUBSCRIPTION_ID``).

    Raises:
        ConfigurationError: The configuration is invalid, or no subscription is configured.
        RuntimeError: No event loop is running.
    """
    objects = _objects("get_resource_client")
    key = (_RESOURCES, subscription_id)
    client: ResourceManagementClient | None = objects.get(key)
    if client is not None:
        return client
    if has_subscription(subscription_id, get_settings()):
        _clients.prefetch_token(get_settings().credential_scopes, get_credential)  # during the import
    from azure.mgmt.resource.resources.aio import ResourceManagementClient

    return _build(objects, key, ResourceManagementClient, subscription_id, {})


def get_subscription_client() -> SubscriptionClient:
    """This event loop's ``aio.SubscriptionClient`` (subscriptions and tenants; needs no subscription)."""
    objects = _objects("get_subscription_client")
    client: SubscriptionClient | None = objects.get(_SUBSCRIPTIONS)
    if client is not None:
        return client
    _clients.prefetch_token(get_settings().credential_scopes, get_credential)  # during the import
    from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

    return _build(objects, _SUBSCRIPTIONS, SubscriptionClient, None, {})


def get_client(client_class: type[_ClientT], subscription_id: str | None = None, **kwargs: Any) -> _ClientT:
    """This event loop's client of any async ``azure-mgmt-*`` class (from its ``aio`` module).

    The rules and arguments are those of :func:`azenvcloud.get_client`.

    Raises:
        ConfigurationError: As :func:`azenvcloud.get_client`.
        TypeError: As :func:`azenvcloud.get_client`.
        RuntimeError: No event loop is running.
    """
    return _get("get_client", client_class, subscription_id, kwargs)


def _get(
    caller: str, client_class: type[_ClientT], subscription_id: str | None, kwargs: dict[str, Any]
) -> _ClientT:
    objects = _objects(caller)
    key, client = cached_client(objects, client_class, subscription_id, kwargs)
    if client is not None:
        return client  # type: ignore[no-any-return]
    return _build(objects, key, client_class, subscription_id, kwargs)


def get_graph_client() -> GraphServiceClient:
    """This event loop's ``msgraph.GraphServiceClient`` for the resolved cloud's Microsoft Graph.

    Its requests go to the cloud's Graph root (``https://microsoftgraph.chinacloudapi.cn/v1.0``
    under ``AZURE_CLOUD=china``; ``https://dod-graph.microsoft.us`` under ``dod``), with that root's
    scope, and tokens are sent to that host only. msgraph-sdk is asynchronous, hence only here.

    Raises:
        ConfigurationError: The cloud has no known Graph endpoint (naming the variable to set).
        ImportError: msgraph-sdk is not installed.
        RuntimeError: No event loop is running.
    """
    _objects("get_graph_client")  # no running loop: say which getter needs one
    from ._dataplane.graph import graph_client_class

    return _get("get_graph_client", graph_client_class(), None, {})  # its recipe: _dataplane/graph.py


def _build(
    objects: dict[Hashable, Any],
    key: Hashable,
    client_class: type[_ClientT],
    subscription_id: str | None,
    kwargs: dict[str, Any],
) -> _ClientT:
    # The loop's own dictionary, and nothing awaited between lookup and store; the registry's
    # lock only keeps configure() from replacing the settings between them and the credential.
    with _clients.building():
        objects = _objects("get_client")  # after a configure(), the new one
        settings = get_settings()
        credential = get_credential()
        recipe = recipe_for(client_class, asynchronous=True)
        client = construct(
            client_class, subscription_id, kwargs, settings, credential, recipe=recipe, asynchronous=True
        )
        objects[key] = client
        objects.setdefault(_RECIPES, {})[key] = recipe  # how close() closes it
    scopes = first_request_scopes(recipe, settings)
    if scopes:  # a client that could not be built makes no request
        _clients.prefetch_token(scopes, get_credential)
    _log.debug("azenvcloud built async %s", client_class.__name__)
    return client


async def close() -> None:
    """Close and forget this event loop's credential and clients; the next use rebuilds.

    Call it before the loop ends: their aiohttp sessions belong to the loop.
    """
    await _close_objects(_objects("close"))


async def _close_objects(objects: dict[Hashable, Any]) -> None:
    recipes: dict[Hashable, Any] = objects.pop(_RECIPES, {})
    built = list(objects.items())
    objects.clear()
    # Clients first: they use the credential. Each client is closed as its recipe says.
    for key, obj in sorted(built, key=lambda item: item[0] == _CREDENTIAL):
        try:
            recipe = recipes.get(key)
            await (obj.close() if recipe is None else recipe.aclose(obj))
        except Exception:  # closing one must not stop the rest from closing
            _log.debug("azenvcloud: closing %r failed", key, exc_info=True)


def _forget_everything() -> None:
    # Used by azenvcloud.reset() (the settings changed) and after fork (the child must not use
    # the parent's connections). Nothing is closed: that needs each object's own loop.
    global _lock  # noqa: PLW0603 - a lock held by another thread at fork time stays held
    _lock = threading.Lock()
    _loops.clear()


def _forget_after_fork() -> None:
    # The child must not use the parent's connections, of any configuration.
    _forget_everything()
    for twin in _named.values():
        twin._loops.clear()


_clients.on_reset(_forget_everything)  # the default's only: a named one's on its own reset
after_fork(_forget_after_fork)


class AsyncConfiguration:
    """The async twin of a named configuration (:func:`azenvcloud.configuration`): the same
    settings, its credential and clients on ``azure.identity.aio`` and the clients' ``aio``
    modules, cached per running event loop; get it with :func:`configuration`.

    Attributes:
        name: Its name (``"gov"``).
    """

    def __init__(self, configuration: Configuration) -> None:
        self.name = configuration.name
        self._configuration = configuration
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Any]] = (
            weakref.WeakKeyDictionary()
        )
        configuration.on_change(self._loops.clear)  # its configure/reset/close: built anew

    def __repr__(self) -> str:
        return f"azenvcloud.aio.configuration({self.name!r})"

    @property
    def settings(self) -> Settings:
        """Its resolved settings (those of :func:`azenvcloud.configuration`)."""
        return self._configuration.get_settings()

    def configure(self, **arguments: Any) -> Settings:
        """:meth:`azenvcloud.Configuration.configure`: forgets this twin's objects too (close them first)."""
        return self._configuration.configure(**arguments)

    def reset(self) -> None:
        """:meth:`azenvcloud.Configuration.reset`: forgets this twin's objects too (close them first)."""
        self._configuration.reset()

    def _objects(self, caller: str) -> dict[Hashable, Any]:
        return _loop_objects(self._loops, f"azenvcloud.aio.configuration({self.name!r}).{caller}()", "")

    def get_credential(self) -> AsyncSharedCredential:
        """This event loop's credential of the configuration's own identity."""
        objects = self._objects("get_credential")
        credential: AsyncSharedCredential | None = objects.get(_CREDENTIAL)
        if credential is None:
            credential = cast(
                "AsyncSharedCredential", build_named_credential(self.settings, asynchronous=True)
            )
            objects[_CREDENTIAL] = credential
        return credential

    def get_resource_client(self, subscription_id: str | None = None) -> ResourceManagementClient:
        """This event loop's ``aio.ResourceManagementClient`` of the configuration."""
        from azure.mgmt.resource.resources.aio import ResourceManagementClient

        return self.get_client(ResourceManagementClient, subscription_id)

    def get_subscription_client(self) -> SubscriptionClient:
        """This event loop's ``aio.SubscriptionClient`` of the configuration."""
        from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

        return self.get_client(SubscriptionClient)

    def get_client(
        self, client_class: type[_ClientT], subscription_id: str | None = None, **kwargs: Any
    ) -> _ClientT:
        """This event loop's client of ``client_class`` for the configuration (as :func:`get_client`)."""
        objects = self._objects("get_client")
        key, client = cached_client(objects, client_class, subscription_id, kwargs)
        if client is not None:
            return client  # type: ignore[no-any-return]
        settings = self.settings
        credential = self.get_credential()
        recipe = recipe_for(client_class, asynchronous=True)
        client = construct(
            client_class, subscription_id, kwargs, settings, credential, recipe=recipe, asynchronous=True
        )
        objects[key] = client
        objects.setdefault(_RECIPES, {})[key] = recipe
        scopes = first_request_scopes(recipe, settings)
        if scopes:
            self._configuration.prefetch_token(scopes, self.get_credential)
        return client

    def service_url(self, service: str, name: str | None = None) -> str:
        """As :meth:`azenvcloud.Configuration.service_url`."""
        return self._configuration.service_url(service, name)

    def service_scope(self, service: str) -> str:
        """As :meth:`azenvcloud.Configuration.service_scope`."""
        return self._configuration.service_scope(service)

    async def close(self) -> None:
        """Close and forget this event loop's credential and clients of the configuration."""
        await _close_objects(self._objects("close"))


_named: dict[str, AsyncConfiguration] = {}


def configuration(name: str) -> AsyncConfiguration:
    """The async twin of :func:`azenvcloud.configuration` (``name`` declared by
    ``AZENVCLOUD_CONFIGURATIONS``), cached: its credential and clients per running event loop.

    Raises:
        ConfigurationError: ``name`` is not declared.
    """
    sync = _sync_configuration(name)
    found = _named.get(sync.name)
    if found is None or found._configuration is not sync:  # after azenvcloud.reset(): a new one
        found = _named[sync.name] = AsyncConfiguration(sync)
    return found
