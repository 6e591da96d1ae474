"""Built-in clouds: Azure CLI's values, azure-mgmt-core's scopes, names in every dialect."""

from __future__ import annotations

import pytest

from azenvcloud import BUILTIN_CLOUDS, ConfigurationError, cloud_from_name
from azenvcloud._clouds import cloud_name_for_authority_host, cloud_name_for_management_host


def test_builtin_clouds_are_the_azure_cli_list_in_order() -> None:
    assert list(BUILTIN_CLOUDS) == [
        "AzureCloud",
        "AzureChinaCloud",
        "AzureUSGovernment",
        "AzureBleuCloud",
        "AzureDelosCloud",  # not in the CLI's list: from Microsoft-published tools (see its comments)
    ]


@pytest.mark.parametrize(
    ("name", "authority", "arm", "audience"),
    [
        (
            "AzureCloud",
            "https://login.microsoftonline.com",
            "https://management.azure.com",
            "https://management.core.windows.net/",
        ),
        (
            "AzureChinaCloud",
            "https://login.chinacloudapi.cn",
            "https://management.chinacloudapi.cn",
            "https://management.core.chinacloudapi.cn/",
        ),
        (
            "AzureUSGovernment",
            "https://login.microsoftonline.us",
            "https://management.usgovcloudapi.net",
            "https://management.core.usgovcloudapi.net/",
        ),
        (
            "AzureBleuCloud",
            "https://login.sovcloud-identity.fr",
            "https://management.sovcloud-api.fr",
            "https://management.sovcloud-api.fr/",
        ),
    ],
)
def test_builtin_cloud_core_values(name: str, authority: str, arm: str, audience: str) -> None:
    cloud = BUILTIN_CLOUDS[name]
    assert (cloud.authority_host, cloud.resource_manager, cloud.audience) == (authority, arm, audience)


@pytest.mark.parametrize(
    ("name", "sdk_setting"),
    [
        ("AzureCloud", "AZURE_PUBLIC_CLOUD"),
        ("AzureChinaCloud", "AZURE_CHINA_CLOUD"),
        ("AzureUSGovernment", "AZURE_US_GOVERNMENT"),
    ],
)
def test_scopes_equal_azure_mgmt_core_defaults(name: str, sdk_setting: str) -> None:
    from azure.core import AzureClouds
    from azure.mgmt.core.tools import get_arm_endpoints

    cloud = BUILTIN_CLOUDS[name]
    expected = get_arm_endpoints(AzureClouds[sdk_setting])
    assert cloud.sdk_cloud_setting == sdk_setting
    assert list(cloud.credential_scopes) == expected["credential_scopes"]
    assert cloud.resource_manager + "/" == expected["resource_manager"]


def test_bleu_scope_is_its_audience_plus_default() -> None:
    assert BUILTIN_CLOUDS["AzureBleuCloud"].credential_scopes == (
        "https://management.sovcloud-api.fr/.default",
    )


def test_clouds_carry_every_azure_cli_endpoint_and_suffix() -> None:
    public = BUILTIN_CLOUDS["AzureCloud"]
    assert public.suffixes.keyvault_dns == ".vault.azure.net"
    assert public.suffixes.acr_login_server_endpoint == ".azurecr.io"
    assert public.endpoints.microsoft_graph_resource_id == "https://graph.microsoft.com/"
    assert public.endpoints.log_analytics_resource_id == "https://api.loganalytics.io"
    china = BUILTIN_CLOUDS["AzureChinaCloud"]
    assert china.suffixes.storage_endpoint == "core.chinacloudapi.cn"
    assert china.suffixes.postgresql_server_endpoint == ".postgres.database.chinacloudapi.cn"
    assert BUILTIN_CLOUDS["AzureUSGovernment"].suffixes.mhsm_dns == ".managedhsm.usgovcloudapi.net"
    assert BUILTIN_CLOUDS["AzureBleuCloud"].endpoints.portal == "https://portal.sovcloud-azure.fr"
    # Every public-cloud field the CLI's table defines is filled in; the mirror comes only from
    # metadata (the CLI's table has none either).
    defined = public.endpoints.model_dump(exclude={"azmirror_storage_account_resource_id"})
    assert all(value is not None for value in defined.values())
    assert all(value is not None for value in public.suffixes.model_dump().values())


def test_clouds_are_immutable() -> None:
    with pytest.raises(ValueError, match="frozen"):
        BUILTIN_CLOUDS["AzureCloud"].name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        pytest.param("AzureChinaCloud", "AzureChinaCloud", id="azure-cli"),
        pytest.param("AZURE_CHINA_CLOUD", "AzureChinaCloud", id="azure-core-enum"),
        pytest.param("AZURE_CHINA", "AzureChinaCloud", id="azure-identity-constant"),
        pytest.param("china", "AzureChinaCloud", id="terraform"),
        pytest.param("azure-china-cloud", "AzureChinaCloud", id="kebab"),
        pytest.param("  ChInA ", "AzureChinaCloud", id="case-and-space"),
        pytest.param("AzureCloud", "AzureCloud", id="public-cli"),
        pytest.param("AZURE_PUBLIC_CLOUD", "AzureCloud", id="public-enum"),
        pytest.param("AzurePublicCloud", "AzureCloud", id="public-dotnet"),
        pytest.param("public", "AzureCloud", id="public-terraform"),
        pytest.param("AzureUSGovernment", "AzureUSGovernment", id="gov-cli"),
        pytest.param("AZURE_US_GOVERNMENT", "AzureUSGovernment", id="gov-enum"),
        pytest.param("AZURE_GOVERNMENT", "AzureUSGovernment", id="gov-identity-constant"),
        pytest.param("usgovernment", "AzureUSGovernment", id="gov-terraform"),
        pytest.param("usgov", "AzureUSGovernment", id="gov-pulumi"),
        pytest.param("AzureBleuCloud", "AzureBleuCloud", id="bleu-cli"),
        pytest.param("bleu", "AzureBleuCloud", id="bleu-short"),
    ],
)
def test_cloud_names_in_every_dialect(spelling: str, canonical: str) -> None:
    assert cloud_from_name(spelling).name == canonical


@pytest.mark.parametrize("spelling", ["AzureGermanCloud", "germany", "AZURE_GERMANY"])
def test_german_cloud_is_retired(spelling: str) -> None:
    with pytest.raises(ConfigurationError, match=r"closed on 2021-10-29") as caught:
        cloud_from_name(spelling)
    assert caught.value.variables == ("AZURE_CLOUD",)


def test_unknown_name_suggests_the_closest_and_lists_the_valid() -> None:
    with pytest.raises(ConfigurationError) as caught:
        cloud_from_name("AzureChinaClod")
    message = str(caught.value)
    assert "'AzureChinaClod'" in message
    assert "did you mean AzureChinaCloud?" in message
    for name in BUILTIN_CLOUDS:
        assert name in message


def test_custom_has_no_builtin_values() -> None:
    with pytest.raises(
        ConfigurationError, match="AZURE_AUTHORITY_HOST, AZURE_RESOURCE_MANAGER and AZURE_AUDIENCE"
    ):
        cloud_from_name("custom")


@pytest.mark.parametrize(
    ("host", "cloud"),
    [
        ("login.chinacloudapi.cn", "AzureChinaCloud"),
        ("LOGIN.MICROSOFTONLINE.US", "AzureUSGovernment"),
        ("login.windows.net", "AzureCloud"),
        ("login.contoso.example", None),
    ],
)
def test_authority_host_lookup(host: str, cloud: str | None) -> None:
    assert cloud_name_for_authority_host(host) == cloud


@pytest.mark.parametrize(
    ("host", "cloud"),
    [
        ("management.azure.com", "AzureCloud"),
        ("management.core.windows.net", "AzureCloud"),
        ("management.core.chinacloudapi.cn", "AzureChinaCloud"),
        ("management.sovcloud-api.fr", "AzureBleuCloud"),
        ("management.local.azurestack.external", None),
    ],
)
def test_management_host_lookup(host: str, cloud: str | None) -> None:
    assert cloud_name_for_management_host(host) == cloud
