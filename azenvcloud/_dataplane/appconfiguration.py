"""App Configuration (azure-appconfiguration): ``https://{store}.{App Configuration suffix}``, with
the audience passed as ``audience=``; the SDK would otherwise infer one from the host and give a
private host the public audience (azure-appconfiguration ``_audience.py``)."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

RECIPES = {
    "azure.appconfiguration.AzureAppConfigurationClient": Recipe(
        service="appconfig",
        url_argument="base_url",
        name_argument="store",
        audience="audience",
        audience_suffix="/",  # azure-appconfiguration appends ".default" to the audience as it is
        prefetch=True,
    ),
}
