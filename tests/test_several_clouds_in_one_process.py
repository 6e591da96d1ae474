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
from azenvcloud.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    FakeCloud,
    FakeConfiguration,
    RecordedRequest,
)

CHINA = "https://management.chinacloudapi.cn/.default"
US_GOV = "https://management.core.usgovcloudapi.net/.default"
Clouds = Callable[..., dict[str, FakeConfiguration]]


@pytest.fixture
def gov(azenvcloud_fake_clouds: Clouds) -> FakeConfiguration:
    """The default as Azure China (the fake's service principal), ``gov`` as Azure US Government
    with a service principal and secret of its own, which the fake accepts only at US Government's
    authority, in ``gov``'s tenant (``FakeCloud.as_clouds``)."""
    return azenvcloud_fake_clouds(default="china", gov="usgov")["gov"]


def signed_in_or_listed(fake: FakeCloud) -> list[RecordedRequest]:
    """The token and Resource Manager requests the fake received, in order."""
    return [request for request in fake.requests if request.kind in ("token", "arm")]


def who_went_where(fake: FakeCloud) -> set[tuple[str | None, str, str, str | None, str | None, str | None]]:
    """(configuration, kind, host, client ID, tenant, scope) of every token and Resource Manager
    request: which configuration made it, as the fake issued its identity."""
    return {
        (request.configuration, request.kind, request.host, request.client_id, request.tenant, request.scope)
        for request in signed_in_or_listed(fake)
    }


def groups(client: object) -> list[str]:
    return [group.name for group in client.resource_groups.list()]  # type: ignore[attr-defined]


def test_china_and_us_government_service_principals_list_resource_groups_in_one_process(
    azenvcloud_fake_cloud: FakeCloud, gov: FakeConfiguration, caplog: pytest.LogCaptureFixture
) -> None:
    fake = azenvcloud_fake_cloud
    # Each identity signs in with its own secret: the fake refuses gov's anywhere but at US
    # Government's authority in gov's tenant, and any other secret for gov's client ID.
    assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
    assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
    assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]  # tokens kept
    assert who_went_where(fake) == {
        ("default", "token", "login.chinacloudapi.cn", DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, CHINA),
        ("default", "arm", "management.chinacloudapi.cn", DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, CHINA),
        ("gov", "token", "login.microsoftonline.us", gov.client_id, gov.tenant_id, US_GOV),
        ("gov", "arm", "management.usgovcloudapi.net", gov.client_id, gov.tenant_id, US_GOV),
    }
    china_tokens = {r.bearer for r in fake.requests_of("arm") if r.configuration == "default"}
    gov_tokens = {r.bearer for r in fake.requests_of("arm") if r.configuration == "gov"}
    assert china_tokens
    assert gov_tokens
    assert not china_tokens & gov_tokens
    assert {r.host for r in fake.requests_of("arm") if r.bearer in gov_tokens} == {
        "management.usgovcloudapi.net"
    }
    assert [r.configuration for r in fake.requests_of("token")] == ["default", "gov"]  # the third: kept token
    assert all(r.configuration is not None for r in fake.requests_of("arm"))
    for record in caplog.records:
        assert gov.client_secret not in record.getMessage()


def test_workload_identity_for_a_second_cloud_reads_its_own_token_file(
    azenvcloud_fake_cloud: FakeCloud,
    gov: FakeConfiguration,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    fake = azenvcloud_fake_cloud
    gov_token_file = tmp_path / "gov-projected-token"
    gov_token_file.write_text("service-account-token-for-api://AzureADTokenExchangeUSGov", encoding="utf-8")
    # The webhook's projected token of the process: gov must never read it (it does not exist).
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "not-this-one"))
    with pytest.MonkeyPatch.context() as scoped:  # undone before as_clouds restores the environment
        scoped.delenv("GOV_AZURE_CLIENT_SECRET")
        scoped.setenv("GOV_AZURE_FEDERATED_TOKEN_FILE", str(gov_token_file))
        assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
        assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
        azenvcloud.reset()
    (gov_request,) = (r for r in fake.requests_of("token") if r.configuration == "gov")
    assert gov_request.host == "login.microsoftonline.us"
    assert (gov_request.client_id, gov_request.tenant) == (gov.client_id, gov.tenant_id)
    assert gov_request.form["client_assertion_type"].endswith("jwt-bearer")
    assert "client_secret" not in gov_request.form
    assert {(r.configuration, r.host) for r in fake.requests_of("token")} == {
        ("gov", "login.microsoftonline.us"),
        ("default", "login.chinacloudapi.cn"),
    }
    assert {(r.configuration, r.host) for r in fake.requests_of("arm")} == {
        ("gov", "management.usgovcloudapi.net"),
        ("default", "management.chinacloudapi.cn"),
    }


def test_configure_of_the_default_leaves_gov_clients_working(
    azenvcloud_fake_cloud: FakeCloud, gov: FakeConfiguration
) -> None:
    fake = azenvcloud_fake_cloud
    named = azenvcloud.configuration("gov")
    client = named.get_resource_client()
    assert groups(client) == ["rg-alpha", "rg-beta"]
    azenvcloud.configure(cloud="public")
    assert groups(client) == ["rg-alpha", "rg-beta"]  # not closed
    assert named.get_resource_client() is client
    assert azenvcloud.get_settings().cloud_name == "AzureCloud"
    assert {r.configuration for r in signed_in_or_listed(fake)} == {"gov"}


def test_each_configuration_resets_and_closes_only_itself(
    azenvcloud_fake_cloud: FakeCloud, gov: FakeConfiguration, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    with pytest.MonkeyPatch.context() as scoped:  # undone before as_clouds restores the environment
        scoped.setenv("GOV_AZENVCLOUD_TOKEN_PREFETCH", "false")
        default_client = azenvcloud.get_resource_client()
        named = azenvcloud.configuration("gov")
        gov_client = named.get_resource_client()
        named.close()
        assert named.get_resource_client() is not gov_client
        assert azenvcloud.get_resource_client() is default_client
        named.configure(cloud="china")
        assert named.settings.cloud_name == "AzureChinaCloud"
        assert azenvcloud.get_resource_client() is default_client
        named.reset()
        assert named.settings.cloud_name == "AzureUSGovernment"
        kept = named.get_resource_client()
        azenvcloud.reset()  # every configuration
        assert azenvcloud.configuration("gov") is not named
        assert named.get_resource_client() is not kept  # the one handed out before was reset too
        azenvcloud.reset()
    assert not azenvcloud_fake_cloud.requests


def test_two_configurations_of_one_cloud_with_different_service_principals_get_separate_tokens(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Clouds, tmp_path: Path
) -> None:
    """A multi-tenant worker: two service principals of one cloud, each in its tenant with its
    own secret, separate in memory and in the token store (one folder for both)."""
    fake = azenvcloud_fake_cloud
    acting = azenvcloud_fake_clouds(tenanta="usgov", tenantb="usgov")
    a, b = acting["tenanta"], acting["tenantb"]
    with pytest.MonkeyPatch.context() as scoped:  # undone before as_clouds restores the environment
        for prefix in ("TENANTA_", "TENANTB_"):
            scoped.setenv(f"{prefix}AZENVCLOUD_TOKEN_CACHE", "unencrypted")
            scoped.setenv(f"{prefix}AZENVCLOUD_CACHE_DIR", str(tmp_path / "cache"))  # one folder for both
        _separate_tokens(fake, a, b, tmp_path / "cache")
        azenvcloud.reset()


def test_two_service_principals_of_one_tenant_get_separate_tokens(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two client IDs in one tenant (a job whose Key Vault identity is not its Resource Manager
    identity): the token store's key tells them apart by client ID alone. ``as_clouds`` gives each
    named configuration a tenant of its own, so these are client IDs the fake did not issue, which
    it accepts with its own secret (``request.configuration`` is ``None`` for them)."""
    fake = azenvcloud_fake_cloud
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "tenanta,tenantb")
    for name, client in (("TENANTA", CLIENT_A), ("TENANTB", CLIENT_B)):
        for variable, value in fake.environment().items():
            if variable.startswith(("AZURE_", "AZENVCLOUD_")) and variable != "AZURE_TOKEN_CREDENTIALS":
                azenvcloud_env.setenv(f"{name}_{variable}", value)
        azenvcloud_env.setenv(f"{name}_AZURE_CLIENT_ID", client)
        azenvcloud_env.setenv(f"{name}_AZENVCLOUD_TOKEN_CACHE", "unencrypted")
        azenvcloud_env.setenv(f"{name}_AZENVCLOUD_CACHE_DIR", str(tmp_path / "cache"))  # one folder for both
    issued = _separate_tokens(fake, None, None, tmp_path / "cache")
    assert set(issued) == {CLIENT_A, CLIENT_B}
    assert {(r.client_id, r.tenant) for r in fake.requests_of("token")} == {
        (CLIENT_A, DEFAULT_TENANT_ID),
        (CLIENT_B, DEFAULT_TENANT_ID),
    }


CLIENT_A = "0c0ffee0-0000-4000-8000-0000000000aa"
CLIENT_B = "0c0ffee0-0000-4000-8000-0000000000bb"


def _separate_tokens(
    fake: FakeCloud, a: FakeConfiguration | None, b: FakeConfiguration | None, cache: Path
) -> dict[str | None, str | None]:
    """``tenanta`` and ``tenantb`` list resource groups with tokens of their own; after a reset,
    each takes its own token from the token store's files, asking nobody. The tokens by client ID."""
    first, second = azenvcloud.configuration("tenanta"), azenvcloud.configuration("tenantb")
    assert (
        groups(first.get_resource_client()) == groups(second.get_resource_client()) == ["rg-alpha", "rg-beta"]
    )
    issued = {r.client_id: r.bearer for r in fake.requests_of("arm")}
    assert len(issued) == 2
    assert len(set(issued.values())) == 2
    if a is not None and b is not None:  # identities the fake issued: it says whose each request was
        assert {(r.configuration, r.kind, r.client_id, r.tenant) for r in signed_in_or_listed(fake)} == {
            ("tenanta", "token", a.client_id, a.tenant_id),
            ("tenanta", "arm", a.client_id, a.tenant_id),
            ("tenantb", "token", b.client_id, b.tenant_id),
            ("tenantb", "arm", b.client_id, b.tenant_id),
        }
    # The token store holds an entry per identity in the one folder, and after a reset each
    # configuration takes its own token from there, asking nobody.
    entries = [entry for entry in (cache / "tokens").iterdir() if not entry.name.endswith(".lock")]
    assert len(entries) == 2
    azenvcloud.reset()  # memory forgotten: the files serve
    before = len(fake.requests)
    for name in ("tenanta", "tenantb"):
        assert groups(azenvcloud.configuration(name).get_resource_client()) == ["rg-alpha", "rg-beta"]
    after = fake.requests[before:]
    assert [r.kind for r in after] == ["arm", "arm"]
    assert {r.client_id: r.bearer for r in after} == issued
    if a is not None:
        assert [r.configuration for r in after] == ["tenanta", "tenantb"]
    return issued


def test_the_async_twin_lists_gov_resource_groups_with_its_own_identity(
    azenvcloud_fake_cloud: FakeCloud, gov: FakeConfiguration
) -> None:
    fake = azenvcloud_fake_cloud
    from azenvcloud import aio

    async def main() -> list[str]:
        named = aio.configuration("gov")
        assert named is aio.configuration("gov")
        client = named.get_resource_client()
        assert named.get_resource_client() is client  # cached in this loop
        found = [group.name async for group in client.resource_groups.list()]
        await named.close()
        return found

    assert asyncio.run(main()) == ["rg-alpha", "rg-beta"]
    assert {(r.configuration, r.host, r.client_id) for r in fake.requests_of("token")} == {
        ("gov", "login.microsoftonline.us", gov.client_id)
    }
    assert {(r.configuration, r.host) for r in fake.requests_of("arm")} == {
        ("gov", "management.usgovcloudapi.net")
    }


def test_a_forked_worker_keeps_every_configurations_tokens(
    azenvcloud_fake_cloud: FakeCloud, gov: FakeConfiguration, forked: Callable[[Callable[[], object]], object]
) -> None:
    fake = azenvcloud_fake_cloud
    named = azenvcloud.configuration("gov")
    assert groups(azenvcloud.get_resource_client()) == ["rg-alpha", "rg-beta"]
    assert groups(named.get_resource_client()) == ["rg-alpha", "rg-beta"]
    parent = named.get_resource_client()
    tokens = len(fake.requests_of("token"))
    assert {r.configuration for r in fake.requests_of("token")} == {"default", "gov"}

    def child() -> object:
        own = azenvcloud.configuration("gov").get_resource_client()
        return [own is not parent, groups(own), groups(azenvcloud.get_resource_client())]

    assert forked(child) == [True, ["rg-alpha", "rg-beta"], ["rg-alpha", "rg-beta"]]
    assert len(fake.requests_of("token")) == tokens  # the child asked for no token


def test_a_certificate_signs_gov_in_at_its_own_clouds_authority(
    azenvcloud_fake_cloud: FakeCloud,
    gov: FakeConfiguration,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The chain's certificate member: ``GOV_AZURE_CLIENT_CERTIFICATE_PATH`` in place of the secret."""
    import trustme

    rsa = trustme.KeyType.RSA  # azure-identity signs its assertions with RS256
    certificate = tmp_path / "gov-service-principal.pem"
    issued = trustme.CA(key_type=rsa).issue_cert("gov-service-principal", key_type=rsa)
    issued.private_key_and_cert_chain_pem.write_to_path(str(certificate))
    azenvcloud_env.delenv("GOV_AZURE_CLIENT_SECRET")
    azenvcloud_env.setenv("GOV_AZURE_CLIENT_CERTIFICATE_PATH", str(certificate))
    assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
    (signed_in,) = azenvcloud_fake_cloud.requests_of("token")
    assert (signed_in.configuration, signed_in.host) == ("gov", "login.microsoftonline.us")
    assert (signed_in.client_id, signed_in.tenant) == (gov.client_id, gov.tenant_id)
    assert signed_in.form["client_assertion_type"].endswith("jwt-bearer")
    assert "client_secret" not in signed_in.form
    assert {(r.configuration, r.host) for r in azenvcloud_fake_cloud.requests_of("arm")} == {
        ("gov", "management.usgovcloudapi.net")
    }
