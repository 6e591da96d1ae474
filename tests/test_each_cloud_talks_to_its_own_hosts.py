"""The real azure-identity -> MSAL -> azure-mgmt chain, against the loopback fake cloud.

Built-in clouds keep their real host names: only name resolution is pointed at the fake (its
certificate covers those names), so the request log shows exactly which authority, scope and
Resource Manager host the real SDK used. The fake's Resource Manager refuses tokens issued for
any scope but the expected one, as Azure does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import azenvcloud
from azenvcloud.testing import BUILTIN_HOSTS, FakeCloud


def group_names() -> list[str]:
    return [group.name for group in azenvcloud.get_resource_client().resource_groups.list()]


def without_endpoints(env: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        env.delenv(name)


@pytest.mark.parametrize(
    ("cloud", "authority", "arm", "scope"),
    [
        pytest.param(
            "AzureCloud",
            "login.microsoftonline.com",
            "management.azure.com",
            "https://management.azure.com/.default",
            id="public",
        ),
        pytest.param(
            "AzureChinaCloud",
            "login.chinacloudapi.cn",
            "management.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/.default",
            id="china",
        ),
        pytest.param(
            "AzureUSGovernment",
            "login.microsoftonline.us",
            "management.usgovcloudapi.net",
            "https://management.core.usgovcloudapi.net/.default",
            id="usgov",
        ),
        pytest.param(
            "AzureBleuCloud",
            "login.sovcloud-identity.fr",
            "management.sovcloud-api.fr",
            "https://management.sovcloud-api.fr/.default",
            id="bleu",
        ),
    ],
)
def test_each_builtin_cloud_uses_its_authority_arm_and_scope_on_the_wire(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    cloud: str,
    authority: str,
    arm: str,
    scope: str,
) -> None:
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    azenvcloud_fake_cloud.accept_scopes(scope)
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert group_names() == ["rg-alpha", "rg-beta"]
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert (token.host, token.scope) == (authority, scope)
    assert token.form["client_secret"] == "<redacted>"
    (listing,) = azenvcloud_fake_cloud.requests_of("arm")
    assert (listing.host, listing.scope) == (arm, scope)
    assert listing.path.endswith("/resourcegroups")
    assert not azenvcloud_fake_cloud.requests_of("instance_discovery")
    assert {request.host for request in azenvcloud_fake_cloud.requests} == {authority, arm}


def test_only_a_china_authority_host_sends_everything_to_china(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    azenvcloud_fake_cloud.accept_scopes("https://management.chinacloudapi.cn/.default")
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert group_names() == ["rg-alpha", "rg-beta"]
    assert [(r.kind, r.host) for r in azenvcloud_fake_cloud.requests] == [
        ("openid", "login.chinacloudapi.cn"),
        ("token", "login.chinacloudapi.cn"),
        ("arm", "management.chinacloudapi.cn"),
    ]


@pytest.fixture
def workload_identity(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """AKS workload identity as the webhook sets it up: a federated token file, no secret."""
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text("fake-federated-service-account-token", encoding="utf-8")
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))


@pytest.mark.usefixtures("workload_identity")
def test_workload_identity_in_china_asks_the_china_authority(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    azenvcloud_fake_cloud.accept_scopes("https://management.chinacloudapi.cn/.default")
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert group_names() == ["rg-alpha", "rg-beta"]
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert token.host == "login.chinacloudapi.cn"
    assert token.form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert token.scope == "https://management.chinacloudapi.cn/.default"


@pytest.mark.usefixtures("workload_identity")
def test_managed_identity_wrapping_workload_identity_asks_the_configured_authority(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    """In the production chain managed identity wraps workload identity when the AKS webhook
    set AZURE_AUTHORITY_HOST. A cloud passed in code must win over the webhook's public host."""
    from azure.identity import ManagedIdentityCredential, WorkloadIdentityCredential

    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "prod")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com")
    azenvcloud.configure(cloud="china", authority_host="login.chinacloudapi.cn")
    chain = azenvcloud.get_credential().credentials
    (managed,) = [member for member in chain if isinstance(member, ManagedIdentityCredential)]
    # Checked before any token call, so that this test can never reach for IMDS.
    assert isinstance(managed._credential, WorkloadIdentityCredential)
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        managed.get_token("https://management.chinacloudapi.cn/.default")
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert token.host == "login.chinacloudapi.cn"


@pytest.mark.usefixtures("workload_identity")
def test_plain_sdk_sends_workload_identity_to_the_public_host(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    """Why the routing exists: DefaultAzureCredential(authority=...) alone gets this wrong."""
    from azure.identity import DefaultAzureCredential

    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    credential = DefaultAzureCredential(authority="https://login.chinacloudapi.cn")
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        credential.get_token("https://management.chinacloudapi.cn/.default")
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert token.host == "login.microsoftonline.com"


def test_custom_triple_stays_on_the_fake(azenvcloud_fake_cloud: FakeCloud) -> None:
    scope = "https://management.fake.azenvcloud.test//.default"  # audience ends in "/": kept (CLI)
    azenvcloud_fake_cloud.accept_scopes(scope)
    assert group_names() == ["rg-alpha", "rg-beta"]
    subscriptions = [s.subscription_id for s in azenvcloud.get_subscription_client().subscriptions.list()]
    assert subscriptions == list(azenvcloud_fake_cloud.subscriptions)
    assert {request.host for request in azenvcloud_fake_cloud.requests} == {"127.0.0.1"}
    assert [r.kind for r in azenvcloud_fake_cloud.requests] == ["openid", "token", "arm", "arm"]
    assert {r.scope for r in azenvcloud_fake_cloud.requests_of("arm")} == {scope}


def test_custom_authority_never_asks_for_instance_discovery(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    # Routing the public login host here would catch MSAL's discovery call if it were made.
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert group_names() == ["rg-alpha", "rg-beta"]
    assert not azenvcloud_fake_cloud.requests_of("instance_discovery")
    assert all(request.host == "127.0.0.1" for request in azenvcloud_fake_cloud.requests)


def test_one_token_request_per_scope_serves_every_client(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    group_names()
    list(azenvcloud.get_subscription_client().subscriptions.list())
    other = azenvcloud.get_client(ResourceManagementClient, api_version="2021-04-01")
    assert [group.name for group in other.resource_groups.list()] == ["rg-alpha", "rg-beta"]
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    assert azenvcloud_fake_cloud.requests_of("arm")[-1].query["api-version"] == "2021-04-01"


def test_wrong_scope_is_refused_by_the_fake_like_azure(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    azenvcloud_fake_cloud.accept_scopes("https://management.chinacloudapi.cn/.default")
    with pytest.raises(ClientAuthenticationError, match="InvalidAuthenticationTokenAudience"):
        group_names()


def test_stray_sdk_cloud_variable_is_refused_before_any_request(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    # azure-core refuses the first (case-sensitive member names) and would run the process's own
    # SDK clients in US Government with the second, while azenvcloud's go to the fake: both refused.
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", "AzureChinaCloud")
    with pytest.raises(azenvcloud.ConfigurationError, match="AZURE_SDK_CLOUD_CONF='AzureChinaCloud'"):
        group_names()
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", "AZURE_US_GOVERNMENT")
    with pytest.raises(azenvcloud.ConfigurationError, match="one process would talk to two clouds"):
        group_names()
    assert azenvcloud_fake_cloud.requests == []
