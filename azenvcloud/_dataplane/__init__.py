"""The SDK families: how ``get_client`` builds each data-plane SDK's client for the resolved
cloud, and what the fake cloud answers for it.

An SDK family is one module of this package (``keyvault.py``, ``storage.py``, ``eventgrid.py``,
...), found here by its name (every module whose name does not start with ``_``), holding:

- ``RECIPES``: its recipes, keyed by the client class's public dotted name
  (``azure.keyvault.secrets.SecretClient``; the ``aio`` twin shares it), so that finding one
  imports no SDK. A recipe names its service (checked at import: :func:`~azenvcloud._dataplane.
  _recipe.known_service`) and builds the client (:class:`~azenvcloud._dataplane._recipe.Recipe`).
- ``FAKE_ROUTES`` (optional): what :mod:`azenvcloud.testing` answers for its services
  (:class:`~azenvcloud._dataplane._fake.FakeRoute`).

The service's per-cloud values are not here: they live, sourced, in ``_builtin_services.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType, ModuleType
from typing import Any

from ._fake import FakeRoute
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "FAMILIES", "RECIPES", "Recipe", "recipe_for"]


def _families() -> tuple[ModuleType, ...]:
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


def _recipes(families: tuple[ModuleType, ...]) -> Mapping[str, Any]:
    found: dict[str, Any] = {}
    for family in families:
        for key, recipe in family.RECIPES.items():
            if key in found:
                raise ValueError(f"{family.__name__} registers {key}, which another family has a recipe for")
            found[key] = recipe
    return MappingProxyType(found)


FAMILIES: tuple[ModuleType, ...] = _families()
"""Every SDK family's module, by name."""

RECIPES: Mapping[str, Any] = _recipes(FAMILIES)
"""Every recipe, by the client class's public dotted name."""

FAKE_ROUTES: tuple[FakeRoute, ...] = tuple(
    route for family in FAMILIES for route in getattr(family, "FAKE_ROUTES", ())
)
"""What the fake cloud answers for the data plane, family by family."""


def recipe_for(client_class: type) -> Any:
    """The recipe that builds ``client_class`` (sync or async), or ``None`` for a class no family
    has a recipe for (a management client, or one azenvcloud does not build)."""
    from .._profiles import client_key

    return RECIPES.get(client_key(client_class))
