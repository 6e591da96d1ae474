"""Event Hubs (azure-eventhub): a namespace's host name, ``{namespace}.{Event Hubs suffix}``
(``fully_qualified_namespace``, not a URL). azure-eventhub hard-codes the public audience
(``https://eventhubs.azure.net//.default``), so its credential is pinned to the cloud's scope."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

_EVENT_HUBS = Recipe(
    service="eventhubs",
    url_argument="fully_qualified_namespace",
    name_argument="namespace",
    audience="pinned",
    url_form="host",
)

RECIPES = {
    "azure.eventhub.EventHubProducerClient": _EVENT_HUBS,
    "azure.eventhub.EventHubConsumerClient": _EVENT_HUBS,
}
