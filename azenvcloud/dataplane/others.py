"""Container Registry, App Configuration, AI Search, Cosmos DB, Service Bus and Event Hubs.

The first three take ``audience=``; App Configuration would otherwise infer one from the host and
give a private host the public audience (azure-appconfiguration ``_audience.py``). Cosmos DB,
Service Bus and Event Hubs have no audience argument (azure-cosmos falls back to the public
``cosmos.azure.com``; the messaging SDKs hard-code theirs), so their credential is pinned to the
cloud's scope. Service Bus and Event Hubs take a namespace's host name, not a URL.
"""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

_COSMOS = Recipe(service="cosmos", url_argument="url", name_argument="account", audience="pinned")
_SERVICE_BUS = Recipe(
    service="servicebus",
    url_argument="fully_qualified_namespace",
    name_argument="namespace",
    audience="pinned",
    url_form="host",
)
_EVENT_HUBS = Recipe(
    service="eventhubs",
    url_argument="fully_qualified_namespace",
    name_argument="namespace",
    audience="pinned",
    url_form="host",
)

RECIPES = {
    "azure.containerregistry.ContainerRegistryClient": Recipe(
        service="acr", url_argument="endpoint", name_argument="registry", audience="audience"
    ),
    "azure.appconfiguration.AzureAppConfigurationClient": Recipe(
        service="appconfig",
        url_argument="base_url",
        name_argument="store",
        audience="audience",
        audience_suffix="/",  # azure-appconfiguration appends ".default" to the audience as it is
        prefetch=True,
    ),
    "azure.search.documents.SearchClient": Recipe(
        service="search", url_argument="endpoint", name_argument="service", audience="audience", prefetch=True
    ),
    "azure.search.documents.indexes.SearchIndexClient": Recipe(
        service="search", url_argument="endpoint", name_argument="service", audience="audience", prefetch=True
    ),
    "azure.cosmos.cosmos_client.CosmosClient": _COSMOS,  # the sync client's public module
    "azure.cosmos.CosmosClient": _COSMOS,  # the async one's (azure.cosmos.aio._cosmos_client)
    "azure.servicebus.ServiceBusClient": _SERVICE_BUS,
    "azure.eventhub.EventHubProducerClient": _EVENT_HUBS,
    "azure.eventhub.EventHubConsumerClient": _EVENT_HUBS,
}
