"""The constructor arguments that put a management client in step with the resolved cloud.

Shared by the synchronous getters (:mod:`azenvcloud.clients`) and the async ones
(:mod:`azenvcloud.aio`): one set of rules for ``base_url``, ``credential_scopes``,
``cloud_setting``, the subscription and Azure Stack Hub API profiles.
"""

from __future__ import annotations

import inspect
from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

from ._values import InvalidValue, parse_subscription_id
from .errors import ConfigurationError
from .profiles import api_version_for
from .settings import Settings

__all__ = [
    "RESERVED",
    "cached_client",
    "check_pinned_api_version",
    "client_arguments",
    "construct",
    "first_request_scopes",
    "has_subscription",
    "refuse_other_kind",
]

ClientT = TypeVar("ClientT")

# Arguments azenvcloud owns: passing them would take a client out of step with its cloud.
RESERVED = frozenset({"credential", "base_url", "endpoint", "credential_scopes", "cloud_setting"})


def cached_client(
    objects: Mapping[Hashable, Any],
    client_class: type[Any],
    subscription_id: str | None,
    kwargs: dict[str, Any],
) -> tuple[Hashable, Any]:
    """The key a client is cached under in ``objects``, and the client found there (or ``None``).

    Raises:
        TypeError: An argument is unhashable (the lookup is the one hash of the key).
    """
    key = (client_class, subscription_id, tuple(sorted(kwargs.items())))
    try:
        return key, objects.get(key)
    except TypeError:
        raise TypeError(
            f"get_client({client_class.__name__}, ...) caches clients by their arguments, so "
            "every keyword argument must be hashable"
        ) from None


def construct(
    client_class: type[ClientT],
    subscription_id: str | None,
    kwargs: dict[str, Any],
    settings: Settings,
    credential: Any,
    *,
    asynchronous: bool,
) -> ClientT:
    """``client_class`` for ``settings``'s cloud: a data-plane client from its recipe
    (:mod:`azenvcloud.dataplane`), any other by the management-client rules below.

    Raises:
        ConfigurationError: As :func:`client_arguments`, the data-plane recipes and
            :func:`check_pinned_api_version` say.
        TypeError: As they say.
    """
    from .dataplane import recipe_for

    recipe = recipe_for(client_class)
    if recipe is not None:
        from .dataplane._build import build_client

        return build_client(
            recipe,
            client_class,
            subscription_id=subscription_id,
            kwargs=kwargs,
            settings=settings,
            credential=credential,
            asynchronous=asynchronous,
        )
    arguments = client_arguments(client_class, subscription_id, kwargs, settings, asynchronous=asynchronous)
    from ._transports import with_transport

    client = client_class(credential, **with_transport(arguments, asynchronous=asynchronous))  # type: ignore[call-arg]
    try:
        check_pinned_api_version(client, client_class, arguments)
    except Exception:
        if not asynchronous:  # an async client has opened no session yet, and closing it needs a loop
            client.close()  # type: ignore[attr-defined]
        raise
    return client


def first_request_scopes(client_class: type[Any], settings: Settings) -> tuple[str, ...] | None:
    """The scopes ``client_class``'s first request asks a token for, where azenvcloud knows them
    (what a prefetch may ask for in advance), else ``None``."""
    from .dataplane import recipe_for

    recipe = recipe_for(client_class)
    if recipe is not None:
        from .dataplane._build import first_request_scope

        scope = first_request_scope(recipe, settings)
        return None if scope is None else (scope,)
    if client_class.__module__.startswith("azure.mgmt."):
        return tuple(settings.credential_scopes)
    return None


def has_subscription(subscription_id: str | None, settings: Settings) -> bool:
    """Whether a client that needs a subscription will get a valid one (``subscription_id`` or
    ``AZURE_SUBSCRIPTION_ID``), so that building it will not fail for want of one."""
    if subscription_id is None:
        return settings.subscription_id is not None
    try:
        parse_subscription_id(subscription_id)
    except InvalidValue:
        return False
    return True


def client_arguments(
    client_class: type[Any],
    subscription_id: str | None,
    kwargs: dict[str, Any],
    settings: Settings,
    *,
    asynchronous: bool,
) -> dict[str, Any]:
    """Every constructor argument but the credential, for ``client_class`` in ``settings``'s cloud.

    Raises:
        ConfigurationError: The class needs a subscription and none is configured, or the one
            given is not a GUID.
        TypeError: ``kwargs`` holds an argument azenvcloud owns, the class takes no
            subscription and one was given, or an async class was given to the sync getter (or
            the other way round).
    """
    refuse_other_kind(client_class, asynchronous)
    if not client_class.__module__.startswith("azure.mgmt."):
        from .dataplane import RECIPES

        built = ", ".join(sorted({key.rsplit(".", 1)[1] for key in RECIPES}))
        raise TypeError(
            f"get_client builds Azure management clients (azure-mgmt-*) and the data-plane clients it has "
            f"recipes for ({built}); {client_class.__module__}.{client_class.__qualname__} is neither. For "
            "any other SDK, build it with azenvcloud.get_credential() and the resolved cloud's values: "
            "azenvcloud.service_url(service, name) and azenvcloud.service_scope(service) (services: "
            "azenvcloud.services.SERVICE_NAMES)."
        )
    owned = sorted(RESERVED & kwargs.keys())
    if owned:
        raise TypeError(
            f"{', '.join(owned)} {'is' if len(owned) == 1 else 'are'} set by azenvcloud from the resolved "
            "cloud; configure AZURE_* variables (or azenvcloud.configure) instead of passing them"
        )
    from azure.core import AzureClouds

    parameters = inspect.signature(client_class).parameters
    arguments: dict[str, Any] = {"credential_scopes": settings.credential_scopes}
    arguments["endpoint" if "endpoint" in parameters and "base_url" not in parameters else "base_url"] = (
        settings.resource_manager
    )
    if "cloud_setting" in parameters:
        arguments["cloud_setting"] = AzureClouds[settings.cloud.sdk_cloud_setting]
    if "subscription_id" in parameters:
        arguments["subscription_id"] = _subscription(subscription_id, settings, client_class)
    elif subscription_id is not None:
        raise TypeError(f"{client_class.__name__} takes no subscription_id")
    pinned = api_version_for(settings.api_profile, client_class)
    if pinned is not None and "api_version" not in kwargs:
        arguments["api_version"] = pinned
    return {**arguments, **kwargs}


def refuse_other_kind(client_class: type[Any], asynchronous: bool) -> None:
    """Refuse an async client class given to a sync getter, or the other way round."""
    if _is_async(client_class) != asynchronous:
        right, wrong = (
            ("azenvcloud.aio.get_client", "an async")
            if not asynchronous
            else ("azenvcloud.get_client", "a sync")
        )
        raise TypeError(
            f"{client_class.__module__}.{client_class.__qualname__} is {wrong.split()[1]} client class; "
            f"build it with {right} (this getter builds {'async' if asynchronous else 'sync'} clients, "
            f"from {'the aio modules' if asynchronous else 'the packages themselves, not their aio modules'})"
        )


def _is_async(client_class: type[Any]) -> bool:
    # Azure SDKs keep their async clients in an `aio` package (azure.mgmt.compute.aio).
    return "aio" in client_class.__module__.split(".")


def check_pinned_api_version(client: Any, client_class: type[Any], arguments: Mapping[str, Any]) -> None:
    """Refuse a client that does not use the api-version ``AZURE_API_PROFILE`` pinned for it.

    Current SDKs of several services (azure-mgmt-compute 35+, for one) accept ``api_version=`` as
    any keyword and ignore it: their operations send their own fixed versions, which an Azure
    Stack Hub stamp refuses. Their configuration then has no ``api_version``, or another one.

    Raises:
        ConfigurationError: The client will send other api-versions than the profile's.
    """
    pinned = arguments.get("api_version")
    if pinned is None:
        return
    used = getattr(getattr(client, "_config", None), "api_version", None)
    if used == pinned:
        return
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    top = client_class.__module__.split(".")[0]
    module = client_class.__module__.split("._")[0]
    distributions = packages_distributions().get(top, [])
    package = next((name for name in distributions if name.replace("-", ".").startswith(module)), None)
    package = package or module.replace(".", "-")
    try:
        installed = f"{package} {version(package)}"
    except PackageNotFoundError:
        installed = package
    raise ConfigurationError(
        f"AZURE_API_PROFILE pins {client_class.__name__} to api-version {pinned}, but {installed} does not "
        f"use the api_version it is given (its client sends {used or 'its own fixed api-versions'}), so "
        f"an Azure Stack Hub stamp would refuse its requests. Accepted: pin {package} to a release "
        f"whose {client_class.__name__} takes api_version {pinned} (its _configuration.api_version), "
        "or use AZURE_API_PROFILE=latest where the cloud serves the latest versions.",
        variables=("AZURE_API_PROFILE",),
    )


def _subscription(subscription_id: str | None, settings: Settings, client_class: type[Any]) -> str:
    if subscription_id is not None:
        try:
            return parse_subscription_id(subscription_id)
        except InvalidValue as exc:
            raise exc.configuration_error(
                "subscription_id", subscription_id, variables=("AZURE_SUBSCRIPTION_ID",)
            ) from None
    if settings.subscription_id is None:
        raise ConfigurationError(
            f"{client_class.__name__} needs a subscription and none is configured: set "
            "AZURE_SUBSCRIPTION_ID (a GUID) or pass subscription_id=.",
            variables=("AZURE_SUBSCRIPTION_ID",),
        )
    return settings.subscription_id
