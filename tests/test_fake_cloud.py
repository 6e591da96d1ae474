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
