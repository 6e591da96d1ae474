"""Service Bus (azure-servicebus): a namespace's host name, ``{namespace}.{Service Bus suffix}``
(``fully_qualified_namespace``, not a URL). azure-servicebus hard-codes the public audience
(``https://servicebus.azure.net//.default``), so its credential is pinned to the cloud's scope."""

from __future__ import annotations

from ._recipe import Recipe

__all__ = ["RECIPES"]

RECIPES = {
    "azure.servicebus.ServiceBusClient": Recipe(
        service="servicebus",
        url_argument="fully_qualified_namespace",
        name_argument="namespace",
        audience="pinned",
        url_form="host",
    ),
}
