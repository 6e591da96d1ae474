"""AI Search (azure-search-documents): ``https://{service}.{Search suffix}``, with the audience
passed as ``audience=`` (the SDK's default is the public ``https://search.azure.com``)."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

_SEARCH = Recipe(
    service="search", url_argument="endpoint", name_argument="service", audience="audience", prefetch=True
)

RECIPES = {
    "azure.search.documents.SearchClient": _SEARCH,
    "azure.search.documents.indexes.SearchIndexClient": _SEARCH,
}
