"""The sovereign clouds MSAL knows beyond the Azure CLI's list: Delos (Germany) built in from
its sourced values, GovSG (Singapore) recognised by name and authority host only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import (
    BUILTIN_CLOUDS,
    ConfigurationError,
    Settings,
    check_service_url,
    cloud_from_name,
    get_client,
)
from azenvcloud._cli import main
from azenvcloud._clouds import cloud_name_for_authority_host
from azenvcloud.testing import BUILTIN_HOSTS, FakeCloud

DELOS = "AzureDelosCloud"
GOVSG_AUTHORITY = "https://login.sovcloud-identity.sg"
# What GovSG's own metadata would say: its authority (sourced, MSAL) and a Resource Manager of no
# built-in cloud (none is sourced), as a snapshot file or a Resource Manager's answer.
GOVSG_ARM = "https://management.govsg.contoso.example"
GOVSG_AUDIENCE = "https://management.core.govsg.contoso.example/"


def without_endpoints(env: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        env.delenv(name, raising=False)


def govsg_document(login: str = GOVSG_AUTHORITY, arm: str = GOVSG_ARM) -> dict[str, Any]:
    return {
        "name": "GovSG",
        "authentication": {"loginEndpoint": login, "audiences": [GOVSG_AUDIENCE], "identityProvider": "AAD"},
        "resourceManager": arm,
        "suffixes": {"keyVaultDns": "vault.govsg.contoso.example"},
    }


# -- Delos: built in, every value sourced ---------------------------------------------------------


def test_delos_has_exactly_its_sourced_values() -> None:
    delos = BUILTIN_CLOUDS[DELOS]
    assert (delos.authority_host, delos.resource_manager, delos.audience, delos.credential_scopes) == (
        "https://login.sovcloud-identity.de",  # ARMClient AADLoginUrl, MSAL AZURE_GOV_DE
        "https://management.sovcloud-api.de",  # ARMClient ARMUrl
        "https://management.core.sovcloud-api.de/",  # ARMClient ARMResource
        ("https://management.core.sovcloud-api.de/.default",),  # a built-in cloud's form, as Bleu's
    )
    endpoints = {key: value for key, value in delos.endpoints.model_dump().items() if value is not None}
    assert endpoints == {
        "active_directory": "https://login.sovcloud-identity.de",
        "active_directory_resource_id": "https://management.core.sovcloud-api.de/",
        "management": "https://management.core.sovcloud-api.de/",
        "microsoft_graph_resource_id": "https://graph.svc.sovcloud.de",  # not Bleu's (older ARMClient)
        "resource_manager": "https://management.sovcloud-api.de",
    }
    suffixes = {key: value for key, value in delos.suffixes.model_dump().items() if value is not None}
    assert suffixes == {"keyvault_dns": ".vault.sovcloud-api.de", "mhsm_dns": ".managedhsm.sovcloud-api.de"}


def test_delos_values_name_their_source_and_commit() -> None:
    source = (Path(azenvcloud.__file__).parent / "_builtin_clouds.py").read_text(encoding="utf-8")
    assert "projectkudu/ARMClient ``ARMClient.Authentication/ARMConfiguration.cs`` at commit" in source
    assert "1991b5b7940337f9738037bbcb688adcffc2bfa9" in source
    assert "c82185048142415250f1fc1880ad8b97539dc383" in source  # dotnet/SqlClient


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        pytest.param("AzureDelosCloud", DELOS, id="microsoft-tools"),
        pytest.param("DelosCloud", DELOS, id="graph-powershell"),
        pytest.param("delos", DELOS, id="short"),
        pytest.param("AZURE_GOV_DE", DELOS, id="msal-constant"),
        pytest.param("AZURE_GOV_FR", "AzureBleuCloud", id="msal-constant-bleu"),
        pytest.param("BleuCloud", "AzureBleuCloud", id="graph-powershell-bleu"),
    ],
)
def test_delos_and_bleu_by_the_names_in_use(spelling: str, canonical: str) -> None:
    assert cloud_from_name(spelling).name == canonical


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"AZURE_CLOUD": "delos"}, id="name"),
        pytest.param({"AZURE_AUTHORITY_HOST": "login.sovcloud-identity.de"}, id="authority-host"),
        pytest.param({"AZURE_RESOURCE_MANAGER": "https://management.sovcloud-api.de"}, id="resource-manager"),
    ],
)
def test_delos_is_selected_like_any_builtin_cloud(
    azenvcloud_env: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    without_endpoints(azenvcloud_env)
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    settings = Settings()
    assert settings.cloud == BUILTIN_CLOUDS[DELOS]
    assert settings.disable_instance_discovery is False  # MSAL knows its authority


@pytest.mark.parametrize("spelling", ["germany", "AzureGermanCloud"])
def test_germany_stays_the_retired_cloud_and_points_to_delos(spelling: str) -> None:
    with pytest.raises(ConfigurationError, match="retired cloud") as caught:
        cloud_from_name(spelling)
    assert "AZURE_CLOUD=delos" in str(caught.value)


def test_delos_lists_resource_groups_on_the_wire_with_its_scope(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("delos") as expected:
        groups = [group.name for group in azenvcloud.get_resource_client().resource_groups.list()]
    assert groups == ["rg-alpha", "rg-beta"]
    (token,) = fake.requests_of("token")
    assert (token.host, token.scope) == (
        "login.sovcloud-identity.de",
        "https://management.core.sovcloud-api.de/.default",
    )
    (listing,) = fake.requests_of("arm")
    assert (listing.host, listing.scope) == ("management.sovcloud-api.de", expected.credential_scopes[0])
    assert not fake.requests_of("instance_discovery")


def test_delos_reads_a_key_vault_secret_on_the_wire_with_the_sourced_scope(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    from azure.keyvault.secrets import SecretClient

    fake = azenvcloud_fake_cloud
    with fake.as_cloud("AzureDelosCloud"), fake.route_hosts("kv1.vault.sovcloud-api.de"):
        assert get_client(SecretClient, vault="kv1").get_secret("s").value == "fake-value-of-s"
    (token,) = fake.requests_of("token")
    # ARMClient's Delos KeyVaultResource, named by the vault's own challenge.
    assert (token.host, token.scope) == (
        "login.sovcloud-identity.de",
        "https://vault.sovcloud-api.de/.default",
    )
    assert [request.host for request in fake.requests_of("keyvault")] == ["kv1.vault.sovcloud-api.de"] * 2


def test_the_fake_cloud_covers_delos_and_govsg_hosts() -> None:
    for host in ("login.sovcloud-identity.de", "management.sovcloud-api.de", "*.vault.sovcloud-api.de"):
        assert host in BUILTIN_HOSTS
    assert "login.sovcloud-identity.sg" in BUILTIN_HOSTS


def test_clouds_and_show_list_delos_and_name_govsg(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clouds", "--json"]) == 0
    (delos,) = [cloud for cloud in json.loads(capsys.readouterr().out) if cloud["name"] == DELOS]
    assert {"AZURE_GOV_DE", "DelosCloud", "delos"} <= set(delos["names"])
    assert delos["services"]["graph"]["endpoint"] == "https://graph.svc.sovcloud.de"
    assert main(["clouds"]) == 0
    assert "no Resource Manager: GovSGCloud, AZURE_GOV_SG, govsg" in capsys.readouterr().out
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_CLOUD", "delos")
    assert main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cloud_name"] == DELOS
    assert document["values"]["resource_manager"]["source"] == f"default of {DELOS}"


# -- Two clouds' values in one configuration -----------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "clouds"),
    [
        pytest.param(
            {
                "AZURE_AUTHORITY_HOST": "login.sovcloud-identity.de",
                "AZURE_RESOURCE_MANAGER": "management.sovcloud-api.fr",
            },
            ("AzureDelosCloud", "AzureBleuCloud"),
            id="delos-authority-bleu-arm",
        ),
        pytest.param(
            {"AZURE_CLOUD": "bleu", "AZURE_AUDIENCE": "https://management.core.sovcloud-api.de/"},
            ("AzureBleuCloud", "AzureDelosCloud"),
            id="bleu-name-delos-audience",
        ),
        pytest.param(
            {"AZURE_CLOUD": "delos", "AZURE_AUTHORITY_HOST": "login.sovcloud-identity.fr"},
            ("AzureDelosCloud", "AzureBleuCloud"),
            id="delos-name-bleu-authority",
        ),
        pytest.param(
            {
                "AZURE_AUTHORITY_HOST": "login.sovcloud-identity.sg",
                "AZURE_RESOURCE_MANAGER": "management.sovcloud-api.fr",
            },
            ("GovSGCloud", "AzureBleuCloud"),
            id="govsg-authority-bleu-arm",
        ),
        pytest.param(
            {"AZURE_CLOUD": "govsg", "AZURE_RESOURCE_MANAGER": "management.sovcloud-api.de"},
            ("GovSGCloud", "AzureDelosCloud"),
            id="govsg-name-delos-arm",
        ),
    ],
)
def test_a_delos_or_govsg_value_with_another_clouds_is_refused(
    azenvcloud_env: pytest.MonkeyPatch, variables: dict[str, str], clouds: tuple[str, str]
) -> None:
    without_endpoints(azenvcloud_env)
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    with pytest.raises(ConfigurationError, match="two clouds") as caught:
        Settings()
    message = str(caught.value)
    assert all(cloud in message for cloud in clouds)


def test_a_delos_vault_url_in_bleu_is_refused_naming_delos(azenvcloud_env: pytest.MonkeyPatch) -> None:
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv("AZURE_CLOUD", "bleu")
    with pytest.raises(ConfigurationError, match="belongs to AzureDelosCloud"):
        check_service_url("keyvault", "https://kv1.vault.sovcloud-api.de", argument="vault_url")


# -- GovSG: known by name and authority, its Resource Manager from metadata -----------------------


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [
        pytest.param(
            "AZURE_AUTHORITY_HOST", "login.sovcloud-identity.sg", "AZURE_AUTHORITY_HOST=", id="authority"
        ),
        pytest.param("AZURE_CLOUD", "govsg", "AZURE_CLOUD='govsg'", id="short-name"),
        pytest.param("AZURE_CLOUD", "GovSGCloud", "AZURE_CLOUD='GovSGCloud'", id="graph-powershell-name"),
        pytest.param("AZURE_CLOUD", "AZURE_GOV_SG", "AZURE_CLOUD='AZURE_GOV_SG'", id="msal-constant"),
    ],
)
def test_govsg_alone_is_one_line_naming_it_and_what_to_set(
    azenvcloud_env: pytest.MonkeyPatch, variable: str, value: str, shown: str
) -> None:
    without_endpoints(azenvcloud_env)
    azenvcloud_env.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(shown)
    assert re.search(r"(selects|belongs to) GovSG, Singapore's government cloud \(GovSGCloud\)", message)
    for expected in ("AZURE_RESOURCE_MANAGER", "AZURE_CLOUD_METADATA_URL"):
        assert expected in message
    assert "Traceback" not in message


def test_govsg_by_name_has_no_builtin_values() -> None:
    with pytest.raises(ConfigurationError, match=r"GovSG.*AZURE_RESOURCE_MANAGER.*AZURE_CLOUD_METADATA_URL"):
        cloud_from_name("govsg")
    assert "GovSGCloud" not in BUILTIN_CLOUDS
    assert cloud_name_for_authority_host("login.sovcloud-identity.sg") == "GovSGCloud"


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"AZURE_AUTHORITY_HOST": "login.sovcloud-identity.sg"}, id="authority"),
        pytest.param({"AZURE_CLOUD": "govsg"}, id="name"),
        pytest.param({}, id="metadata-alone"),
    ],
)
def test_govsg_with_a_metadata_url_resolves_as_a_private_cloud(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, variables: dict[str, str]
) -> None:
    without_endpoints(azenvcloud_env)
    snapshot = tmp_path / "govsg.json"
    snapshot.write_text(json.dumps(govsg_document()), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    settings = Settings()
    assert settings.cloud_name == "GovSGCloud"  # its authority agrees with GovSG's
    assert settings.authority_host == GOVSG_AUTHORITY
    assert settings.resource_manager == GOVSG_ARM  # the cloud follows its Resource Manager
    assert settings.credential_scopes == [GOVSG_AUDIENCE + "/.default"]  # no built-in audience: CLI form
    assert settings.suffixes.keyvault_dns == ".vault.govsg.contoso.example"
    assert settings.disable_instance_discovery is False


def test_govsg_metadata_with_another_authority_is_refused_when_govsg_is_named(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    without_endpoints(azenvcloud_env)
    snapshot = tmp_path / "other.json"
    snapshot.write_text(
        json.dumps(govsg_document(login="https://login.microsoftonline.us")), encoding="utf-8"
    )
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    azenvcloud_env.setenv("AZURE_CLOUD", "govsg")
    with pytest.raises(ConfigurationError, match=r"selects GovSGCloud but .* belongs to AzureUSGovernment"):
        Settings()


def test_govsg_with_its_resource_manager_reads_its_metadata_on_the_wire(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    fake.serve_metadata({"2022-09-01": lambda base: govsg_document(arm=f"{base}/")})
    azenvcloud_env.delenv("AZURE_AUDIENCE")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.sovcloud-identity.sg")  # and AZURE_RESOURCE_MANAGER
    settings = azenvcloud.get_settings()
    assert (settings.cloud_name, settings.authority_host) == ("GovSGCloud", GOVSG_AUTHORITY)
    assert settings.resource_manager == fake.url
    assert [request.kind for request in fake.requests] == ["metadata"]
