"""A named configuration never signs in with the process's identity: with the default's service
principal (client ID, secret, tenant) and a workload identity token file in the process
environment, ``gov``'s managed identity (its own opt-in) asks the managed identity endpoint for
its own identity only, with the real azure-identity against the loopback fake acting as App
Service's endpoint. (azure-identity asks App Service's endpoint before it would wrap the process's
workload identity; that the member never wraps it is
``test_named_configurations.py::test_the_chain_has_only_the_configurations_own_members``.) And a
configuration that an implicit ``./.env`` declares has no identity of the environment's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError
from azenvcloud.testing import DEFAULT_CLIENT_ID, FakeCloud, FakeConfiguration

US_GOV_ARM = "https://management.core.usgovcloudapi.net"
Clouds = Callable[..., dict[str, FakeConfiguration]]


@pytest.fixture
def gov_on_managed_identity(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_fake_clouds: Clouds,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[pytest.MonkeyPatch]:
    """``gov`` as US Government without a service principal of its own; the process holds the
    default's service principal (``AZURE_CLIENT_ID``, secret, tenant), a workload identity token
    file, and App Service's managed identity endpoint (the fake)."""
    fake = azenvcloud_fake_cloud
    azenvcloud_fake_clouds(default="china", gov="usgov")
    process_token = tmp_path / "process-projected-token"
    process_token.write_text("the-process-workload-identity-assertion", encoding="utf-8")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(process_token))
    for name, value in fake.managed_identity_environment().items():
        if name != "AZURE_TOKEN_CREDENTIALS":  # the default's narrowing, not gov's
            azenvcloud_env.setenv(name, value)
    with pytest.MonkeyPatch.context() as scoped:  # undone before as_clouds restores the environment
        for name in ("GOV_AZURE_CLIENT_ID", "GOV_AZURE_CLIENT_SECRET", "GOV_AZURE_TENANT_ID"):
            scoped.delenv(name)
        scoped.setenv("GOV_AZENVCLOUD_TOKEN_PREFETCH", "false")
        yield scoped
        azenvcloud.reset()


def groups(client: object) -> list[str]:
    return [group.name for group in client.resource_groups.list()]  # type: ignore[attr-defined]


def test_a_system_assigned_managed_identity_never_takes_the_processes_client_id(
    azenvcloud_fake_cloud: FakeCloud, gov_on_managed_identity: pytest.MonkeyPatch
) -> None:
    gov_on_managed_identity.setenv("GOV_AZENVCLOUD_MANAGED_IDENTITY", "system")
    assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
    (asked,) = azenvcloud_fake_cloud.requests_of("token")
    assert asked.path == "/msi/token"  # the endpoint, not workload identity's exchange
    assert asked.query["resource"] == US_GOV_ARM
    assert "client_id" not in asked.query  # system-assigned: not the process's AZURE_CLIENT_ID
    assert "client_assertion" not in asked.form
    assert {r.host for r in azenvcloud_fake_cloud.requests_of("arm")} == {"management.usgovcloudapi.net"}


def test_a_user_assigned_managed_identity_is_its_own_client_id(
    azenvcloud_fake_cloud: FakeCloud, gov_on_managed_identity: pytest.MonkeyPatch
) -> None:
    own = "0c0ffee0-0000-4000-8000-00000000600d"
    gov_on_managed_identity.setenv("GOV_AZURE_CLIENT_ID", own)
    assert groups(azenvcloud.configuration("gov").get_resource_client()) == ["rg-alpha", "rg-beta"]
    (asked,) = azenvcloud_fake_cloud.requests_of("token")
    assert (asked.path, asked.query.get("client_id")) == ("/msi/token", own)
    assert DEFAULT_CLIENT_ID not in str(asked.query)


def test_without_an_opt_in_gov_asks_no_managed_identity_and_no_workload_identity(
    azenvcloud_fake_cloud: FakeCloud, gov_on_managed_identity: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_resource_client()
    assert "GOV_AZENVCLOUD_MANAGED_IDENTITY=system" in str(caught.value)
    assert azenvcloud_fake_cloud.requests == []


def test_a_configuration_the_implicit_dotenv_declares_has_no_identity_of_the_environments(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path
) -> None:
    # The environment is the fake's service principal (unprefixed); the file declares `evil`.
    (tmp_path / ".env").write_text(
        "AZENVCLOUD_CONFIGURATIONS=evil\nEVIL_AZURE_CLOUD=usgov\n", encoding="utf-8"
    )
    evil = azenvcloud.configuration("evil")
    assert evil.settings.authority_host == "https://login.microsoftonline.us"
    with pytest.raises(ConfigurationError, match="EVIL_AZURE_CLIENT_SECRET") as caught:
        evil.get_credential()  # refused as it is built: no token is ever asked for
    assert caught.value.variables[:2] == ("EVIL_AZURE_CLIENT_ID", "EVIL_AZURE_TENANT_ID")
    assert azenvcloud_fake_cloud.requests == []
