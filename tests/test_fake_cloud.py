"""The test aids are as strict as the suite: the loopback fence matches loopback exactly, host
routing survives contexts closed out of order, and the fake cloud answers honestly (404 for
what it does not serve, 401 for a wrong secret) and serves what a user adds."""

from __future__ import annotations

import socket

import pytest

from azenvcloud import get_client, get_resource_client
from azenvcloud.testing import FakeCloud, refuse_non_loopback_dns


@pytest.mark.parametrize(
    "name",
    ["127.attacker.example", "127.0.0.1.nip.io", "localhost.", "localhost.attacker.example", "::1.example"],
)
def test_the_dns_fence_refuses_names_that_only_look_like_loopback(name: str) -> None:
    with refuse_non_loopback_dns(), pytest.raises(socket.gaierror, match="refusing to resolve"):
        socket.getaddrinfo(name, 443)


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "127.1.2.3", "::1"])
def test_the_dns_fence_lets_loopback_through(name: str) -> None:
    with refuse_non_loopback_dns():
        assert socket.getaddrinfo(name, 443)


def test_route_hosts_closed_out_of_order_restores_name_resolution(
    azenvcloud_fake_cloud_server: FakeCloud,
) -> None:
    fake = azenvcloud_fake_cloud_server
    before = socket.getaddrinfo
    first = fake.route_hosts("login.chinacloudapi.cn")
    second = fake.route_hosts("management.chinacloudapi.cn")
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer one closes first
    assert socket.getaddrinfo("management.chinacloudapi.cn", 443)[0][4] == ("127.0.0.1", fake.port)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("login.chinacloudapi.cn", 443)  # its route went with its context
    second.__exit__(None, None, None)
    assert socket.getaddrinfo is before


def test_an_unserved_path_is_an_honest_404(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.compute import ComputeManagementClient

    with pytest.raises(ResourceNotFoundError) as caught:
        list(get_client(ComputeManagementClient).virtual_machines.list_all())
    assert caught.value.error is not None
    assert caught.value.error.code == "NotFound"
    assert "FakeCloud.serve()" in str(caught.value)


def test_a_user_serves_their_own_provider_path_behind_the_same_token_check(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    fake = azenvcloud_fake_cloud
    subscription = fake.subscriptions[0]
    fake.serve(
        f"/subscriptions/{subscription}/providers/Microsoft.Compute/virtualMachines",
        {"value": [{"name": "vm-1", "location": "fakeregion", "id": f"/subscriptions/{subscription}/vm-1"}]},
    )
    machines = list(get_client(ComputeManagementClient).virtual_machines.list_all())
    assert [machine.name for machine in machines] == ["vm-1"]
    (call,) = [r for r in fake.requests_of("arm") if "virtualMachines" in r.path]
    assert call.scope == f"{fake.audience}/.default"  # the audience's trailing slash kept (CLI)


def test_a_served_path_refuses_a_token_for_another_scope(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    fake = azenvcloud_fake_cloud
    fake.serve(f"/subscriptions/{fake.subscriptions[0]}/resourcegroups/", lambda request: {"name": "rg-x"})
    fake.accept_scopes("https://management.other.example/.default")
    with pytest.raises(ClientAuthenticationError):
        get_resource_client().resource_groups.get("rg-x")


def _served_certificate(fake: FakeCloud, host: str) -> dict[str, object]:
    """The certificate the fake presents for ``host``, verified against its CA and that name."""
    import ssl

    context = ssl.create_default_context(cafile=fake.ca_bundle)
    with (
        socket.create_connection(("127.0.0.1", fake.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,  # verifies the name
    ):
        return tls.getpeercert()  # type: ignore[return-value]


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("t1.westus2-1.eventgrid.azure.net", id="regional-two-labels"),
        pytest.param("kv1.vault.azure.cn", id="one-label"),
        pytest.param("a.b.c.blob.core.fake.azenvcloud.test", id="three-labels"),
    ],
)
def test_every_host_the_routes_accept_gets_a_certificate_for_it(
    azenvcloud_fake_cloud: FakeCloud, host: str
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.route_hosts(host):  # refused before issue 30 for a name two labels below a wildcard
        assert socket.getaddrinfo(host, 443)[0][4][0] == "127.0.0.1"
        certificate = _served_certificate(fake, host)
    assert certificate["subjectAltName"]


def test_a_name_under_no_served_wildcard_is_still_refused(azenvcloud_fake_cloud: FakeCloud) -> None:
    with (
        pytest.raises(ValueError, match="does not cover"),
        azenvcloud_fake_cloud.route_hosts("t1.example.org"),
    ):
        pass


def test_a_wildcard_route_covers_regional_hosts_below_it(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    with fake.route_hosts("*.eventgrid.azure.us"):
        assert socket.getaddrinfo("t1.usgovvirginia-1.eventgrid.azure.us", 443)[0][4][0] == "127.0.0.1"
        assert _served_certificate(fake, "t1.usgovvirginia-1.eventgrid.azure.us")
