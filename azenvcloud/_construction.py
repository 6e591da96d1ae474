"""The constructor arguments that put a management client in step with the resolved cloud.

Shared by the synchronous getters (:mod:`azenvcloud.clients`) and the async ones
(:mod:`azenvcloud.aio`): one set of rules for ``base_url``, ``credential_scopes``,
``cloud_setting``, the subscription and Azure Stack Hub API profiles.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

from ._client_kind import refuse_other_kind
from ._management import RESERVED, check_pinned_api_version, client_arguments
from ._values import InvalidValue, parse_subscription_id
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
