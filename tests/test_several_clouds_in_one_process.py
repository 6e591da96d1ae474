"""Several clouds and identities in one process, against the loopback fake cloud with the real
azure-identity, MSAL and azure-mgmt code: the default configuration as Azure China with its
service principal and ``gov`` as Azure US Government with its own, each identity's secret, token
requests and tokens only at its own cloud's hosts; two identities of one cloud apart in memory and
in the token store; the default's ``configure()`` leaving ``gov``'s clients working."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud.testing import BUILTIN_HOSTS, DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, FakeCloud

CHINA = "https://management.chinacloudapi.cn/.default"
US_GOV = "https://management.core.usgovcloudapi.net/.default"
GOV_TENANT = "9a1b2c3d-0000-4000-8000-00000000a0a0"
GOV_CLIENT = "0c0ffee0-0000-4000-8000-00000000a0a0"
GOV_SECRET = "Zq8f3a9c1e7b2d4f60a5c3e9d1b7f2a4c6"  # random-looking: a remembered secret is redacted in parts


@pytest.fixture
def china_and_gov(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """The default as Azure China (the fake's service principal), ``gov`` as Azure US Government."""
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    azenvcloud_env.setenv("GOV_AZURE_SUBSCRIPTION_ID", azenvcloud_fake_cloud.subscriptions[0])
    azenvcloud_env.setenv("GOV_AZURE_TENANT_ID", GOV_TENANT)
    azenvcloud_env.setenv("GOV_AZURE_CLIENT_ID", GOV_CLIENT)
    azenvcloud_env.setenv("GOV_AZURE_CLIENT_SECRET", GOV_SECRET)
    azenvcloud_fake_cloud.accept_scopes(CHINA, US_GOV)
    return azenvcloud_fake_cloud


def groups(client: object) -> list[str]:
    return [group.name for group in client.resource_groups.list()]  # type: ignore[attr-defined]


def test_china_and_us_government_service_principals_list_resource_groups_in_one_process(
    china_and_gov: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    fake = china_and_gov
    gov = azenvcloud.configuration("gov")
    with fake.route_hosts(*BUILTIN_HOSTS):
        # The fake accepts one secret at a time: each identity's token request must carry its own.
        assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
        fake.client_secret = GOV_SECRET
        assert groups(gov.get_resource_client()) == ["rg-alpha", "rg-beta"]
        assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]  # tokens kept
    tokens = {(r.host, r.client_id, r.tenant, r.scope) for r in fake.requests_of("token")}
    assert tokens == {
        ("login.chinacloudapi.cn", DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, CHINA),
        ("login.microsoftonline.us", GOV_CLIENT, GOV_TENANT, US_GOV),
    }
    arm = {(r.host, r.client_id, r.scope) for r in fake.requests_of("arm")}
    assert arm == {
        ("management.chinacloudapi.cn", DEFAULT_CLIENT_ID, CHINA),
        ("management.usgovcloudapi.net", GOV_CLIENT, US_GOV),
    }
    china_tokens = {r.bearer for r in fake.requests_of("arm") if r.host.endswith(".cn")}
    gov_tokens = {r.bearer for r in fake.requests_of("arm") if r.host.endswith(".net")}
    assert china_tokens
    assert gov_tokens
    assert not china_tokens & gov_tokens
    assert len(fake.requests_of("token")) == 2  # one each: the third listing used the kept token
    for record in caplog.records:
        assert GOV_SECRET not in record.getMessage()


def test_workload_identity_for_a_second_cloud_reads_its_own_token_file(
    china_and_gov: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = china_and_gov
    gov_token_file = tmp_path / "gov-projected-token"
    gov_token_file.write_text("service-account-token-for-api://AzureADTokenExchangeUSGov", encoding="utf-8")
    azenvcloud_env.delenv("GOV_AZURE_CLIENT_SECRET")
    azenvcloud_env.setenv("GOV_AZURE_FEDERATED_TOKEN_FILE", str(gov_token_file))
    # The webhook's projected token of the process: gov must never read it (it does not exist).
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "not-this-one"))
    with fake.route_hosts(*BUILTIN_HOSTS):
        assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
        assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
    gov_request = next(r for r in fake.requests_of("token") if r.host == "login.microsoftonline.us")
    assert (gov_request.client_id, gov_request.tenant) == (GOV_CLIENT, GOV_TENANT)
    assert gov_request.form["client_assertion_type"].endswith("jwt-bearer")
    assert "client_secret" not in gov_request.form
    assert {r.host for r in fake.requests_of("token")} == {
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
    }


def test_configure_of_the_default_leaves_gov_clients_working(china_and_gov: FakeCloud) -> None:
    fake = china_and_gov
    gov = azenvcloud.configuration("gov")
    fake.client_secret = GOV_SECRET
    with fake.route_hosts(*BUILTIN_HOSTS):
        client = gov.get_resource_client()
        assert groups(client) == ["rg-alpha", "rg-beta"]
        azenvcloud.configure(cloud="public")
        assert groups(client) == ["rg-alpha", "rg-beta"]  # not closed
        assert gov.get_resource_client() is client
    assert azenvcloud.get_settings().cloud_name == "AzureCloud"


def test_each_configuration_resets_and_closes_only_itself(
    china_and_gov: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    azenvcloud_env.setenv("GOV_AZENVCLOUD_TOKEN_PREFETCH", "false")
    default_client = azenvcloud.get_resource_client()
    gov = azenvcloud.configuration("gov")
    gov_client = gov.get_resource_client()
    gov.close()
    assert gov.get_resource_client() is not gov_client
    assert azenvcloud.get_resource_client() is default_client
    gov.configure(cloud="china")
    assert gov.settings.cloud_name == "AzureChinaCloud"
    assert azenvcloud.get_resource_client() is default_client
    gov.reset()
    assert gov.settings.cloud_name == "AzureUSGovernment"
    kept = gov.get_resource_client()
    azenvcloud.reset()  # every configuration
    assert azenvcloud.configuration("gov") is not gov
    assert gov.get_resource_client() is not kept  # the one handed out before was reset too
    assert not china_and_gov.requests


CLIENT_A = "0c0ffee0-0000-4000-8000-0000000000aa"
CLIENT_B = "0c0ffee0-0000-4000-8000-0000000000bb"


def test_two_configurations_of_one_cloud_with_different_service_principals_get_separate_tokens(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "tenanta,tenantb")
    for name, client in (("TENANTA", CLIENT_A), ("TENANTB", CLIENT_B)):
        for variable, value in fake.environment().items():
            if variable.startswith(("AZURE_", "AZENVCLOUD_")) and variable != "AZURE_TOKEN_CREDENTIALS":
                azenvcloud_env.setenv(f"{name}_{variable}", value)
        azenvcloud_env.setenv(f"{name}_AZURE_CLIENT_ID", client)
        azenvcloud_env.setenv(f"{name}_AZENVCLOUD_TOKEN_CACHE", "unencrypted")
        azenvcloud_env.setenv(f"{name}_AZENVCLOUD_CACHE_DIR", str(tmp_path / "cache"))  # one folder for both
    a, b = azenvcloud.configuration("tenanta"), azenvcloud.configuration("tenantb")
    assert groups(a.get_resource_client()) == groups(b.get_resource_client()) == ["rg-alpha", "rg-beta"]
    issued = {r.client_id: r.bearer for r in fake.requests_of("arm")}
    assert set(issued) == {CLIENT_A, CLIENT_B}
    assert len(set(issued.values())) == 2
    assert {(r.client_id, r.tenant) for r in fake.requests_of("token")} == {
        (CLIENT_A, DEFAULT_TENANT_ID),
        (CLIENT_B, DEFAULT_TENANT_ID),
    }
    # The token store holds an entry per identity in the one folder, and after a reset each
    # configuration takes its own token from there, asking nobody.
    entries = [
        entry for entry in (tmp_path / "cache" / "tokens").iterdir() if not entry.name.endswith(".lock")
    ]
    assert len(entries) == 2
    azenvcloud.reset()  # memory forgotten: the files serve
    before = len(fake.requests)
    for name in ("tenanta", "tenantb"):
        assert groups(azenvcloud.configuration(name).get_resource_client()) == ["rg-alpha", "rg-beta"]
    after = fake.requests[before:]
    assert [r.kind for r in after] == ["arm", "arm"]
    assert {r.client_id: r.bearer for r in after} == issued


def test_the_async_twin_lists_gov_resource_groups_with_its_own_identity(china_and_gov: FakeCloud) -> None:
    fake = china_and_gov
    fake.client_secret = GOV_SECRET
    from azenvcloud import aio

    async def main() -> list[str]:
        gov = aio.configuration("gov")
        assert gov is aio.configuration("gov")
        client = gov.get_resource_client()
        assert gov.get_resource_client() is client  # cached in this loop
        found = [group.name async for group in client.resource_groups.list()]
        await gov.close()
        return found

    with fake.route_hosts(*BUILTIN_HOSTS):
        assert asyncio.run(main()) == ["rg-alpha", "rg-beta"]
    assert {(r.host, r.client_id) for r in fake.requests_of("token")} == {
        ("login.microsoftonline.us", GOV_CLIENT)
    }
    assert {r.host for r in fake.requests_of("arm")} == {"management.usgovcloudapi.net"}


def test_a_forked_worker_keeps_every_configurations_tokens(
    china_and_gov: FakeCloud, forked: Callable[[Callable[[], object]], object]
) -> None:
    fake = china_and_gov
    gov = azenvcloud.configuration("gov")
    with fake.route_hosts(*BUILTIN_HOSTS):
        assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
        fake.client_secret = GOV_SECRET
        assert groups(gov.get_resource_client()) == ["rg-alpha", "rg-beta"]
        parent = gov.get_resource_client()
        tokens = len(fake.requests_of("token"))

        def child() -> object:
            own = azenvcloud.configuration("gov").get_resource_client()
            return [own is not parent, groups(own), groups(azenvcloud.get_resource_client())]

        assert forked(child) == [True, ["rg-alpha", "rg-beta"], ["rg-alpha", "rg-beta"]]
    assert len(fake.requests_of("token")) == tokens  # the child asked for no token
