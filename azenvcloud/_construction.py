"""One path builds every client: the one recipe for a client class, and the client built from it.

A recipe says what a client's constructor needs from the resolved cloud and builds it: one
serves every ``azure-mgmt-*`` class (:mod:`azenvcloud._management`), one each data-plane class
(:mod:`azenvcloud._dataplane`, Microsoft Graph's included). Every recipe answers the same
questions (:class:`~azenvcloud._client_recipe.ClientRecipe`), so nothing here asks which kind a
recipe is. The synchronous
getters (:mod:`azenvcloud._clients`) and the async ones (:mod:`azenvcloud.aio`) both call
:func:`construct`; they differ only in the registry that caches what it builds.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

from ._client_recipe import ClientRecipe, refuse_other_kind
from ._management import MANAGEMENT
from ._named_settings import its_variables
from ._parsers import InvalidValue, parse_subscription_id
from ._settings import Settings

__all__ = [
    "cached_client",
    "construct",
    "first_request_scopes",
    "has_subscription",
    "recipe_for",
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


def recipe_for(client_class: type[Any], *, asynchronous: bool) -> ClientRecipe:
    """The one recipe that builds ``client_class``: its SDK family's (:mod:`azenvcloud._dataplane`),
    or the management recipe for an ``azure-mgmt-*`` class.

    Raises:
        TypeError: The class is of the other kind (an async class for a sync getter, or the
            other way round), or azenvcloud has no recipe for it.
    """
    from ._dataplane import RECIPES
    from ._dataplane import recipe_for as family_recipe_for

    recipe: ClientRecipe | None = family_recipe_for(client_class)
    if recipe is None and MANAGEMENT.builds(client_class):
        recipe = MANAGEMENT
    refuse_other_kind(
        client_class, asynchronous, class_is_async=None if recipe is None else recipe.is_async(client_class)
    )
    if recipe is not None:
        return recipe
    built = ", ".join(sorted({key.rsplit(".", 1)[1] for key in RECIPES}))
    raise TypeError(
        f"get_client builds Azure management clients (azure-mgmt-*) and the data-plane clients it has "
        f"recipes for ({built}); {client_class.__module__}.{client_class.__qualname__} is neither. For "
        "any other SDK, build it with azenvcloud.get_credential() and the resolved cloud's values: "
        "azenvcloud.service_url(service, name) and azenvcloud.service_scope(service) (services: "
        "azenvcloud.SERVICE_NAMES)."
    )


def construct(
    client_class: type[ClientT],
    subscription_id: str | None,
    kwargs: dict[str, Any],
    settings: Settings,
    credential: Any,
    *,
    recipe: ClientRecipe,
    asynchronous: bool,
) -> ClientT:
    """``client_class`` for ``settings``'s cloud, built once from its recipe (:func:`recipe_for`).

    Raises:
        ConfigurationError: The recipe says the configuration cannot build the client (a missing
            value, naming its variable, a named configuration's own: ``GOV_AZURE_SUBSCRIPTION_ID``;
            a subscription; a pinned api-version).
        TypeError: An argument azenvcloud owns was passed, or one the class does not take.
    """
    with its_variables(settings.configuration):  # a recipe's error names the default's variables
        return recipe.build(
            client_class,
            subscription_id=subscription_id,
            kwargs=kwargs,
            settings=settings,
            credential=credential,
            asynchronous=asynchronous,
        )


def first_request_scopes(recipe: ClientRecipe, settings: Settings) -> tuple[str, ...] | None:
    """The scopes the first request of a client built from ``recipe`` asks a token for, where
    azenvcloud knows them (what a prefetch may ask for in advance), else ``None``."""
    return recipe.first_request_scopes(settings)


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
