"""Event Grid (azure-eventgrid): publishing to a topic or domain, and a namespace's publisher and
consumer.

A topic's endpoint is regional, ``https://{topic}.{region}-1.{Event Grid suffix}/api/events``, so
there is no short name: the caller passes ``endpoint=`` (a URL of the resolved cloud, checked
like every other). azure-eventgrid has no audience argument for a topic (its basic-tier client
hard-codes the public ``DEFAULT_EVENTGRID_SCOPE``, ``https://eventgrid.azure.net/.default``,
azure-eventgrid 4.22 ``_legacy/_constants.py``), so the credential is pinned to the cloud's scope.
The basic-tier client passes none of its keyword arguments on (a ``transport`` included): it
trusts ``REQUESTS_CA_BUNDLE`` as azure-core's default transport does.
"""

from __future__ import annotations

import json

from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES"]

_EVENT_GRID = Recipe(service="eventgrid", url_argument="endpoint", audience="pinned")

RECIPES = {
    "azure.eventgrid.EventGridPublisherClient": _EVENT_GRID,
    "azure.eventgrid.EventGridConsumerClient": _EVENT_GRID,
}


def _publish(request: FakeRequest) -> Answer:
    """A topic's events: accepted (200, as Event Grid answers) for a token of the topic's cloud's
    Event Grid audience (its host from ``eventgrid`` on), kept in the order they came."""
    labels = request.host.split(".")
    resource = "https://" + ".".join(labels[labels.index("eventgrid") :])
    if request.scope != f"{resource}/.default":
        return unauthorized(f"a token for {resource}")
    key = f"{request.host}{request.path}"
    kept = json.loads(request.kept.get(key, b"[]"))
    request.kept[key] = json.dumps([*kept, *json.loads(request.body or b"[]")]).encode()
    return 200, b"", {}


FAKE_ROUTES = (
    FakeRoute(
        service="eventgrid",
        matches=lambda host, path: "eventgrid" in host.split(".")[1:] and path == "/api/events",
        answer=_publish,
    ),
)
