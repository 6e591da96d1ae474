"""Container Registry (azure-containerregistry): ``https://{registry}.{ACR suffix}``, with the
audience passed as ``audience=`` (the SDK's default is the public ``DEFAULT_AUDIENCE``)."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

RECIPES = {
    "azure.containerregistry.ContainerRegistryClient": Recipe(
        service="acr", url_argument="endpoint", name_argument="registry", audience="audience"
    ),
}
