"""Metadata documents in every shape seen in the wild, mapped the way the Azure CLI maps them."""

from __future__ import annotations

import json

import pytest
from helpers import DATA

from azenvcloud._metadata import MetadataProblem, cloud_from_metadata, metadata_urls
from azenvcloud._profiles import api_version_for, client_key


def load(name: str) -> object:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_2022_object_from_public_azure() -> None:
    cloud = cloud_from_metadata(load("metadata-2022-09-01-public.json"))
    assert cloud.name == "AzureCloud"
    assert (cloud.authority_host, cloud.resource_manager) == (
        "https://login.microsoftonline.com",
        "https://management.azure.com",
    )
    assert cloud.audience == "https://management.core.windows.net/"
    assert cloud.credential_scopes == ("https://management.azure.com/.default",)  # the SDK's own
    assert cloud.suffixes.keyvault_dns == ".vault.azure.net"  # the CLI adds the dot
    assert cloud.suffixes.storage_endpoint == "core.windows.net"  # ...but not here
    assert cloud.suffixes.sql_server_hostname == ".database.windows.net"
    assert cloud.endpoints.ossrdbms_resource_id == "https://ossrdbms-aad.database.windows.net"
    assert cloud.endpoints.microsoft_graph_resource_id == "https://graph.microsoft.com/"


@pytest.mark.parametrize(
    ("name", "queried", "expected"),
    [
        pytest.param("AzureChinaCloud", None, "AzureChinaCloud", id="by-azure-cloud-name"),
        pytest.param("azureusgovernment", None, "AzureUSGovernment", id="name-any-case"),
        pytest.param(
            None, "https://management.chinacloudapi.cn", "AzureChinaCloud", id="by-resource-manager"
        ),
    ],
)
def test_2019_array_picks_the_right_cloud(name: str | None, queried: str | None, expected: str) -> None:
    cloud = cloud_from_metadata(load("metadata-2019-05-01-public.json"), name=name, queried_arm=queried)
    assert cloud.name == expected


def test_2019_array_china_values_and_empty_suffix() -> None:
    cloud = cloud_from_metadata(load("metadata-2019-05-01-public.json"), name="AzureChinaCloud")
    assert cloud.audience == "https://management.core.chinacloudapi.cn"
    assert cloud.credential_scopes == ("https://management.chinacloudapi.cn/.default",)
    assert cloud.suffixes.keyvault_dns == ".vault.azure.cn"


def test_array_with_several_clouds_and_no_hint_names_them() -> None:
    with pytest.raises(MetadataProblem, match=r"several clouds \['AzureCloud', 'AzureChinaCloud'"):
        cloud_from_metadata(load("metadata-2019-05-01-public.json"))


def test_array_without_the_named_cloud_lists_what_it_offers() -> None:
    with pytest.raises(MetadataProblem, match="no cloud named 'USSec'"):
        cloud_from_metadata(load("metadata-2019-05-01-public.json"), name="USSec")


def test_2015_object_from_azure_stack_uses_the_queried_resource_manager() -> None:
    arm = "https://adminmanagement.local.azurestack.external"
    cloud = cloud_from_metadata(load("metadata-2015-01-01-azure-stack-aad.json"), queried_arm=arm)
    assert cloud.resource_manager == arm
    assert cloud.authority_host == "https://login.windows.net"
    assert cloud.credential_scopes == (
        "https://contoso.onmicrosoft.com/4de154de-f8a8-4017-af41-df619da68155/.default",
    )
    assert cloud.endpoints.gallery == "https://adminportal.local.azurestack.external:30015/"
    assert not cloud.adfs


def test_adfs_login_endpoint_becomes_the_host_with_tenant_adfs() -> None:
    document = [
        {
            "name": "AzureStackCloud",
            "authentication": {
                "loginEndpoint": "https://adfs.local.azurestack.external/adfs/",
                "audiences": [
                    "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155"
                ],
                "identityProvider": "ADFS",
                "tenant": "adfs",
            },
        }
    ]
    cloud = cloud_from_metadata(document, queried_arm="https://management.local.azurestack.external")
    assert cloud.authority_host == "https://adfs.local.azurestack.external"
    assert cloud.adfs
    assert cloud.resource_manager == "https://management.local.azurestack.external"


def test_az_cloud_show_output() -> None:
    cloud = cloud_from_metadata(load("az-cloud-show-ussec.json"))
    assert cloud.name == "USSec"
    assert cloud.authority_host == "https://login.microsoftonline.microsoft.scloud"
    assert cloud.resource_manager == "https://management.azure.microsoft.scloud"
    assert cloud.credential_scopes == ("https://management.core.microsoft.scloud//.default",)  # as the CLI
    assert cloud.suffixes.keyvault_dns == ".vault.cloudapi.microsoft.scloud"
    assert cloud.endpoints.portal == "https://portal.azure.microsoft.scloud"


def test_utf8_bom_is_stripped() -> None:
    text = "\ufeff" + (DATA / "metadata-2022-09-01-public.json").read_text(encoding="utf-8")
    assert cloud_from_metadata(text).name == "AzureCloud"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        pytest.param("<html>oops</html>", "not JSON", id="not-json"),
        pytest.param("[]", "empty list", id="empty-array"),
        pytest.param('"a string"', "wrong shape", id="json-string"),
        pytest.param('{"name": "x"}', "no 'authentication'", id="no-authentication"),
        pytest.param(
            '{"authentication": {"audiences": []}}', "lacks authentication.loginEndpoint", id="no-login"
        ),
        pytest.param(
            '{"authentication": {"loginEndpoint": "http://login.x", "audiences": ["https://a/"]}, '
            '"resourceManager": "https://arm.x"}',
            "only https",
            id="http-login",
        ),
    ],
)
def test_unusable_documents_say_why(document: str, problem: str) -> None:
    with pytest.raises(MetadataProblem, match=problem):
        cloud_from_metadata(document, queried_arm="https://arm.example")


def test_metadata_urls_newest_first_or_as_given() -> None:
    assert metadata_urls("https://management.local.azurestack.external/") == [
        "https://management.local.azurestack.external/metadata/endpoints?api-version=2022-09-01",
        "https://management.local.azurestack.external/metadata/endpoints?api-version=2019-05-01",
        "https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01",
    ]
    full = "https://arm.example/metadata/endpoints?api-version=2019-10-01"
    assert metadata_urls(full) == [full]


def test_profiles_pin_versions_by_client_class() -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.subscriptions import SubscriptionClient
    from azure.mgmt.resource.subscriptions.aio import SubscriptionClient as AsyncSubscriptionClient

    assert client_key(ResourceManagementClient) == "azure.mgmt.resource.resources.ResourceManagementClient"
    assert client_key(AsyncSubscriptionClient) == "azure.mgmt.resource.subscriptions.SubscriptionClient"
    assert api_version_for("2020-09-01-hybrid", ResourceManagementClient) == "2019-10-01"
    assert api_version_for("2019-03-01-hybrid", ResourceManagementClient) == "2018-05-01"
    assert api_version_for("2020-09-01-hybrid", SubscriptionClient) == "2016-06-01"
    assert api_version_for("latest", ResourceManagementClient) is None
