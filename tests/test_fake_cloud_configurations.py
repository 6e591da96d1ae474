"""The fake cloud serves several configurations in one test: the default acting as one built-in
cloud and a named configuration as another, or two configurations of one cloud with identities of
their own, each a service principal the fake issues, bound to its cloud's authority and tenant; its
request log says which configuration made each request, and never holds a secret or a token."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient

from azenvcloud import configuration, get_resource_client
from azenvcloud.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    FakeCloud,
    FakeConfiguration,
    isolated_environment,
)

Clouds = Callable[..., dict[str, FakeConfiguration]]


def client_of(prefix: str, acting: FakeConfiguration) -> ResourceManagementClient:
    """A Resource Manager client built by hand from a named configuration's prefixed variables,
    as code without azenvcloud would: the real azure-identity and azure-mgmt, proving the fake
    itself (azenvcloud's ``configuration("gov")`` is what the other tests use)."""
    cloud = acting.cloud
    credential = ClientSecretCredential(
        os.environ[f"{prefix}AZURE_TENANT_ID"],
        os.environ[f"{prefix}AZURE_CLIENT_ID"],
        os.environ[f"{prefix}AZURE_CLIENT_SECRET"],
        authority=cloud.authority_host,
    )
    return ResourceManagementClient(
        credential,
        os.environ[f"{prefix}AZURE_SUBSCRIPTION_ID"],
        base_url=cloud.resource_manager,
        credential_scopes=list(cloud.credential_scopes),
    )


def groups(client: ResourceManagementClient) -> list[str]:
    return [group.name for group in client.resource_groups.list()]


def who_went_where(fake: FakeCloud) -> set[tuple[str, str, str | None]]:
    """(kind, host, configuration) of every token and Resource Manager request."""
    return {
        (request.kind, request.host, request.configuration)
        for request in fake.requests
        if request.kind in ("token", "arm")
    }


def test_the_default_as_china_and_gov_as_us_government_in_one_fixture_call(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Clouds
) -> None:
    configurations = azenvcloud_fake_clouds(default="china", gov="usgov")
    default, gov = configurations["default"], configurations["gov"]
    assert (default.cloud.name, gov.cloud.name) == ("AzureChinaCloud", "AzureUSGovernment")
    assert os.environ["AZENVCLOUD_CONFIGURATIONS"] == "gov"
    assert os.environ["AZURE_CLOUD"] == "AzureChinaCloud"
    assert os.environ["GOV_AZURE_CLOUD"] == "AzureUSGovernment"
    assert gov.environment() == {
        name: os.environ[name]
        for name in (
            "GOV_AZURE_CLOUD",
            "GOV_AZURE_TENANT_ID",
            "GOV_AZURE_CLIENT_ID",
            "GOV_AZURE_CLIENT_SECRET",
            "GOV_AZURE_SUBSCRIPTION_ID",
        )
    }
    assert (gov.client_id, gov.tenant_id) != (DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID)
    assert gov.client_secret != default.client_secret

    assert groups(get_resource_client()) == ["rg-alpha", "rg-beta"]
    assert groups(configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]

    assert who_went_where(azenvcloud_fake_cloud) == {
        ("token", "login.chinacloudapi.cn", "default"),
        ("arm", "management.chinacloudapi.cn", "default"),
        ("token", "login.microsoftonline.us", "gov"),
        ("arm", "management.usgovcloudapi.net", "gov"),
    }
    for request in azenvcloud_fake_cloud.requests:
        if request.configuration == "gov":
            assert (request.client_id, request.tenant) == (gov.client_id, gov.tenant_id)
            assert request.scope == "https://management.core.usgovcloudapi.net/.default"
        elif request.configuration == "default":
            assert (request.client_id, request.tenant) == (DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID)
            assert request.scope == "https://management.chinacloudapi.cn/.default"
    # The subscription is listed in the tenant of the token presented.
    subscriptions = configuration("gov").get_subscription_client()
    assert [s.tenant_id for s in subscriptions.subscriptions.list()] == [gov.tenant_id]


def test_the_fake_outside_pytest_serves_two_clouds_and_restores_the_environment() -> None:
    with (
        FakeCloud() as fake,
        isolated_environment({**fake.environment(), "AZENVCLOUD_CONFIGURATIONS": "backup"}),
    ):
        before = dict(os.environ)
        with fake.as_clouds({"default": "china"}, gov="usgovernment") as configurations:
            assert os.environ["AZENVCLOUD_CONFIGURATIONS"] == "backup,gov"
            assert "AZURE_RESOURCE_MANAGER" not in os.environ  # the fake's own endpoint would win
            assert groups(get_resource_client()) == ["rg-alpha", "rg-beta"]
            assert groups(client_of("GOV_", configurations["gov"])) == ["rg-alpha", "rg-beta"]
        assert dict(os.environ) == before
        assert who_went_where(fake) == {
            ("token", "login.chinacloudapi.cn", "default"),
            ("arm", "management.chinacloudapi.cn", "default"),
            ("token", "login.microsoftonline.us", "gov"),
            ("arm", "management.usgovcloudapi.net", "gov"),
        }


def test_two_configurations_of_one_cloud_have_identities_and_tokens_of_their_own(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Clouds
) -> None:
    configurations = azenvcloud_fake_clouds(default="usgov", customer1="usgov", customer2="usgov")
    one, two = configurations["customer1"], configurations["customer2"]
    assert len({one.client_id, two.client_id, DEFAULT_CLIENT_ID}) == 3
    assert len({one.tenant_id, two.tenant_id, DEFAULT_TENANT_ID}) == 3
    assert one.client_secret != two.client_secret
    assert os.environ["AZENVCLOUD_CONFIGURATIONS"] == "customer1,customer2"
    for name in ("customer1", "customer2"):
        assert groups(configuration(name).get_resource_client()) == ["rg-alpha", "rg-beta"]
    assert groups(get_resource_client()) == ["rg-alpha", "rg-beta"]
    arm = azenvcloud_fake_cloud.requests_of("arm")
    assert [request.configuration for request in arm] == ["customer1", "customer2", "default"]
    assert len({request.bearer for request in arm}) == 3  # a token each
    assert {request.host for request in arm} == {"management.usgovcloudapi.net"}


@pytest.mark.parametrize(
    ("authority", "tenant", "secret", "code"),
    [
        pytest.param(
            "https://login.chinacloudapi.cn", None, None, "AADSTS700016", id="another-clouds-authority"
        ),
        pytest.param(None, DEFAULT_TENANT_ID, None, "AADSTS700016", id="another-tenant"),
        pytest.param(None, None, "not-its-secret", "AADSTS7000215", id="another-secret"),
    ],
)
def test_an_identity_signs_in_only_at_its_own_clouds_authority_in_its_tenant_with_its_secret(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_fake_clouds: Clouds,
    authority: str | None,
    tenant: str | None,
    secret: str | None,
    code: str,
) -> None:
    gov = azenvcloud_fake_clouds(default="china", gov="usgov")["gov"]
    credential = ClientSecretCredential(
        tenant or gov.tenant_id,
        gov.client_id,
        secret or gov.client_secret,
        authority=authority or gov.cloud.authority_host,
    )
    with pytest.raises(ClientAuthenticationError, match=code):
        credential.get_token(*gov.cloud.credential_scopes)
    (token_request,) = azenvcloud_fake_cloud.requests_of("token")
    assert token_request.configuration == "gov"
    assert token_request.host == (authority or gov.cloud.authority_host).removeprefix("https://")


def test_each_clouds_resource_manager_accepts_only_its_own_scope(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Clouds
) -> None:
    configurations = azenvcloud_fake_clouds(default="china", gov="usgov")
    gov, china = configurations["gov"], configurations["default"].cloud
    credential = ClientSecretCredential(
        gov.tenant_id, gov.client_id, gov.client_secret, authority=gov.cloud.authority_host
    )
    misdirected = ResourceManagementClient(
        credential,
        gov.subscription_id,
        base_url=china.resource_manager,  # a US Government token at China's Resource Manager
        credential_scopes=list(gov.cloud.credential_scopes),
    )
    with pytest.raises(HttpResponseError, match="InvalidAuthenticationTokenAudience"):
        groups(misdirected)
    (arm,) = azenvcloud_fake_cloud.requests_of("arm")
    assert (arm.host, arm.configuration) == ("management.chinacloudapi.cn", "gov")


def test_no_secret_or_token_in_the_requests_or_configurations_repr_or_the_log_file(
    tmp_path: Path,
) -> None:
    log = tmp_path / "requests.jsonl"
    with FakeCloud(request_log=log) as fake, isolated_environment(fake.environment()):
        with fake.as_clouds(default="china", gov="usgov") as configurations:
            groups(get_resource_client())
            groups(configuration("gov").get_resource_client())
            shown = repr(fake.requests) + repr(configurations)
            tokens = {request.bearer for request in fake.requests if request.bearer}
        lines: list[dict[str, Any]] = [
            json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
        ]
    assert len(tokens) == 2
    for secret in (*tokens, *(c.client_secret for c in configurations.values())):
        assert secret not in shown
        assert secret not in log.read_text(encoding="utf-8")
    assert {(line["kind"], line["configuration"]) for line in lines} >= {("token", "gov"), ("arm", "default")}


@pytest.mark.parametrize(
    "clouds",
    [
        pytest.param({}, id="none"),
        pytest.param({"gov_eu": "usgov"}, id="underscore"),
        pytest.param({"vite": "usgov"}, id="another-tools-prefix"),
        pytest.param({"Gov": "usgov"}, id="upper-case"),
    ],
)
def test_a_name_no_configuration_may_take_is_refused(
    azenvcloud_fake_cloud: FakeCloud, clouds: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="configuration"), azenvcloud_fake_cloud.as_clouds(clouds):
        pass


def test_a_configuration_the_fake_already_acts_for_is_refused(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.as_clouds(gov="usgov"):
        with (
            pytest.raises(ValueError, match="already acts for"),
            azenvcloud_fake_cloud.as_clouds(gov="china"),
        ):
            pass
        assert os.environ["GOV_AZURE_CLOUD"] == "AzureUSGovernment"
    assert "GOV_AZURE_CLOUD" not in os.environ


def test_an_isolated_environment_clears_a_named_configurations_variables(
    monkeypatch: pytest.MonkeyPatch, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    assert "GOV_AZURE_CLIENT_SECRET" not in os.environ
    monkeypatch.setenv("GOV_AZURE_CLIENT_SECRET", "from-the-developers-shell")
    monkeypatch.setenv("BACKUP_AZENVCLOUD_TOKEN_CACHE", "memory")
    with isolated_environment({}):
        assert "GOV_AZURE_CLIENT_SECRET" not in os.environ
        assert "BACKUP_AZENVCLOUD_TOKEN_CACHE" not in os.environ
    assert os.environ["GOV_AZURE_CLIENT_SECRET"] == "from-the-developers-shell"
