"""Event Grid, an SDK family added by the one-module recipe (ARCHITECTURE.md, "How to add an SDK
family"): the real azure-eventgrid publishes to a regional topic host of the resolved cloud, with
that cloud's Event Grid scope, against the fake cloud."""

from __future__ import annotations

import asyncio
import json

import pytest
from azure.eventgrid import EventGridEvent, EventGridPublisherClient

import azenvcloud
from azenvcloud import aio, get_client
from azenvcloud._errors import ConfigurationError
from azenvcloud.testing import FakeCloud

EVENT = {"subject": "orders/1", "event_type": "Orders.Created", "data": {"id": 1}, "data_version": "1.0"}


@pytest.mark.parametrize(
    ("cloud", "host", "scope"),
    [
        pytest.param(
            "public", "t1.westus2-1.eventgrid.azure.net", "https://eventgrid.azure.net/.default", id="public"
        ),
        pytest.param(
            "china", "t1.chinanorth3-1.eventgrid.azure.cn", "https://eventgrid.azure.cn/.default", id="china"
        ),
        pytest.param(
            "usgov",
            "t1.usgovvirginia-1.eventgrid.azure.us",
            "https://eventgrid.azure.us/.default",
            id="usgov",
        ),
    ],
)
def test_an_event_goes_to_the_regional_topic_host_with_the_clouds_scope(
    azenvcloud_fake_cloud: FakeCloud, cloud: str, host: str, scope: str
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud(cloud):  # routes *.eventgrid.<zone>: a regional host two labels below it too
        client = get_client(EventGridPublisherClient, endpoint=f"https://{host}/api/events")
        client.send([EventGridEvent(**EVENT)])
        assert get_client(EventGridPublisherClient, endpoint=f"https://{host}/api/events") is client
    (published,) = fake.requests_of("eventgrid")
    assert (published.host, published.path, published.method) == (host, "/api/events", "POST")
    assert [request.scope for request in fake.requests_of("token")] == [scope]
    (sent,) = json.loads(fake._state.blobs[f"{host}/api/events"])
    assert (sent["subject"], sent["eventType"], sent["data"]) == ("orders/1", "Orders.Created", {"id": 1})


def test_the_async_publisher_takes_the_same_recipe(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.eventgrid.aio import EventGridPublisherClient as AsyncPublisher

    host = "t1.chinanorth3-1.eventgrid.azure.cn"

    async def main() -> None:
        try:
            await aio.get_client(AsyncPublisher, endpoint=f"https://{host}/api/events").send(
                [EventGridEvent(**EVENT)]
            )
        finally:
            await aio.close()

    with azenvcloud_fake_cloud.as_cloud("china"):
        asyncio.run(main())
    assert [r.host for r in azenvcloud_fake_cloud.requests_of("eventgrid")] == [host]
    assert [r.scope for r in azenvcloud_fake_cloud.requests_of("token")] == [
        "https://eventgrid.azure.cn/.default"
    ]


def test_a_public_topic_under_china_is_the_mixed_cloud_error_before_any_request(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"), pytest.raises(ConfigurationError) as caught:
        get_client(EventGridPublisherClient, endpoint="https://t1.westus2-1.eventgrid.azure.net/api/events")
    assert "belongs to AzureCloud" in str(caught.value)
    assert azenvcloud_fake_cloud.requests == []


def test_a_topic_needs_its_endpoint(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"), pytest.raises(TypeError, match=r"needs endpoint="):
        get_client(EventGridPublisherClient)


def test_a_cloud_with_no_sourced_audience_names_the_variable_never_the_public_value(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "bleu")
    azenvcloud.reset()
    with pytest.raises(ConfigurationError) as caught:
        get_client(
            EventGridPublisherClient, endpoint="https://t1.francecentral-1.eventgrid.example.fr/api/events"
        )
    assert caught.value.variables == ("AZURE_SERVICE_EVENTGRID_AUDIENCE",)


def test_the_clouds_event_grid_values_are_the_sourced_ones() -> None:
    from azenvcloud._clouds import BUILTIN_CLOUDS

    found = {
        name: (cloud.services["eventgrid"].suffix, cloud.services["eventgrid"].audience)
        for name, cloud in BUILTIN_CLOUDS.items()
        if cloud.services["eventgrid"].suffix
    }
    assert found == {
        "AzureCloud": ("eventgrid.azure.net", "https://eventgrid.azure.net"),
        "AzureChinaCloud": ("eventgrid.azure.cn", "https://eventgrid.azure.cn"),
        "AzureUSGovernment": ("eventgrid.azure.us", "https://eventgrid.azure.us"),
    }
