"""Azure Monitor: Log Analytics queries and logs ingestion (azure-monitor-query, -ingestion).

``LogsQueryClient`` talks to the cloud's one Log Analytics endpoint, which is also its audience
(the Azure CLI's ``log_analytics_resource_id``). ``LogsIngestionClient`` takes the data
collection endpoint the user gives and, having no ``audience=``, the cloud's Monitor scope as
``credential_scopes=`` (azure-monitor-ingestion ``_configuration.py``).
"""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

RECIPES = {
    "azure.monitor.query.LogsQueryClient": Recipe(
        service="log_analytics", url_argument="endpoint", audience="audience", prefetch=True
    ),
    "azure.monitor.ingestion.LogsIngestionClient": Recipe(
        service="monitor_ingestion", url_argument="endpoint", name_argument=None, audience="credential_scopes"
    ),
}
