"""Cosmos DB (azure-cosmos): ``https://{account}.{Cosmos DB suffix}``. azure-cosmos has no audience
argument: it asks for its account's scope and falls back to the public
``https://cosmos.azure.com/.default``, so its credential is pinned to the cloud's scope."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

_COSMOS = Recipe(service="cosmos", url_argument="url", name_argument="account", audience="pinned")

RECIPES = {
    "azure.cosmos.cosmos_client.CosmosClient": _COSMOS,  # the sync client's public module
    "azure.cosmos.CosmosClient": _COSMOS,  # the async one's (azure.cosmos.aio._cosmos_client)
}
