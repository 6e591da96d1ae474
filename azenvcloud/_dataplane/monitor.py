"""Azure Monitor: Log Analytics queries and logs ingestion (azure-monitor-query, -ingestion).

``LogsQueryClient`` talks to the cloud's one Log Analytics endpoint, which is also its audience
(the Azure CLI's ``log_analytics_resource_id``). ``LogsIngestionClient`` takes the data
collection endpoint the user gives and, having no ``audience=``, the cloud's Monitor scope as
``credential_scopes=`` (azure-monitor-ingestion ``_configuration.py``).
"""

from __future__ import annotations

from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES"]

RECIPES = {
    "azure.monitor.query.LogsQueryClient": Recipe(
        service="log_analytics",
        url_argument="endpoint",
        fixed_endpoint=True,
        audience="audience",
        prefetch=True,
    ),
    "azure.monitor.ingestion.LogsIngestionClient": Recipe(
        service="monitor_ingestion", url_argument="endpoint", name_argument=None, audience="credential_scopes"
    ),
}


def _query(request: FakeRequest) -> Answer:
    """A workspace query: one table with the workspace and the scope the token was for."""
    if request.scope != f"https://{request.host}/.default":
        return unauthorized(f"a token for https://{request.host}")
    workspace = request.path.split("/")[3]
    table = {
        "name": "PrimaryResult",
        "columns": [{"name": "workspace", "type": "string"}, {"name": "scope", "type": "string"}],
        "rows": [[workspace, request.scope]],
    }
    return 200, {"tables": [table]}, {}


FAKE_ROUTES = (
    FakeRoute(
        service="log_analytics",
        matches=lambda host, path: (
            host.split(".")[0] == "api"
            and "loganalytics" in host.split(".")
            and path.startswith("/v1/workspaces/")
        ),
        answer=_query,
    ),
)
