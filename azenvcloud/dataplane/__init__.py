"""Recipes for data-plane clients: how ``get_client`` builds each SDK's client for the resolved cloud.

A recipe is data, keyed by the client class's public dotted name (``azure.keyvault.secrets.
SecretClient``; the ``aio`` twin shares it), so finding one imports no SDK. It says which
service's values apply (:mod:`azenvcloud.services`), which constructor argument takes the URL,
which short-name argument users pass instead (``vault="kv1"``), and which argument carries the
token audience. Each SDK family registers its recipes in a module of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._recipe import Recipe
from .keyvault import RECIPES as _KEYVAULT
from .monitor import RECIPES as _MONITOR
from .others import RECIPES as _OTHERS
from .storage import RECIPES as _STORAGE

__all__ = ["RECIPES", "Recipe", "recipe_for"]

RECIPES: Mapping[str, Recipe] = MappingProxyType({**_KEYVAULT, **_STORAGE, **_MONITOR, **_OTHERS})
"""Every recipe, by the client class's public dotted name."""


def recipe_for(client_class: type) -> Recipe | None:
    """The recipe that builds ``client_class`` (sync or async), or ``None`` for a management client."""
    from ..profiles import client_key

    return RECIPES.get(client_key(client_class))
