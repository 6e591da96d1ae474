"""Metadata documents in every shape seen in the wild, mapped the way the Azure CLI maps them, and
cloud values exactly as the Azure CLI writes them (the gaps a differential run against
azure-cli-core 2.91 found: ``_arm_to_cli_mapper``, ``az cloud register``, ``resource_to_scopes``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import DATA

from azenvcloud import BUILTIN_CLOUDS
from azenvcloud._clouds import resource_manager_scope
from azenvcloud._metadata import MetadataProblem, cloud_from_metadata, cloud_to_snapshot, metadata_urls
from azenvcloud._profiles import api_version_for, client_key


def load(name: str) -> Any:
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


MIRROR = "https://azcliextensionsync.blob.core.windows.net/"


def test_the_extension_mirror_is_kept_from_metadata() -> None:
    document = load("metadata-2022-09-01-public.json") | {"azmirrorStorageAccountResourceId": MIRROR}
    cloud = cloud_from_metadata(document)
    assert cloud.endpoints.azmirror_storage_account_resource_id == MIRROR


def test_the_extension_mirror_is_kept_from_az_cloud_show_and_back() -> None:
    document = load("az-cloud-show-ussec.json")
    document["endpoints"]["azmirrorStorageAccountResourceId"] = MIRROR
    cloud = cloud_from_metadata(document)
    assert cloud.endpoints.azmirror_storage_account_resource_id == MIRROR
    assert cloud_to_snapshot(cloud)["endpoints"]["azmirrorStorageAccountResourceId"] == MIRROR


def test_public_cloud_from_metadata_has_the_builtin_endpoint_strings() -> None:
    cloud = cloud_from_metadata(load("metadata-2022-09-01-public.json"))
    builtin = BUILTIN_CLOUDS["AzureCloud"]
    assert (
        cloud.endpoints.resource_manager
        == builtin.endpoints.resource_manager
        == "https://management.azure.com/"
    )
    assert cloud.endpoints.active_directory == builtin.endpoints.active_directory
    assert cloud.resource_manager == builtin.resource_manager == "https://management.azure.com"  # normalised


@pytest.mark.parametrize("name", list(BUILTIN_CLOUDS))
def test_a_builtin_cloud_read_back_from_its_snapshot_is_the_same_cloud(name: str) -> None:
    builtin = BUILTIN_CLOUDS[name]
    assert cloud_from_metadata(cloud_to_snapshot(builtin)) == builtin


def test_az_cloud_show_endpoints_keep_their_trailing_slash() -> None:
    document = load("az-cloud-show-ussec.json")
    document["endpoints"]["activeDirectory"] = "https://login.microsoftonline.microsoft.scloud/"
    cloud = cloud_from_metadata(document)
    assert cloud.endpoints.resource_manager == "https://management.azure.microsoft.scloud/"
    assert cloud.endpoints.active_directory == "https://login.microsoftonline.microsoft.scloud/"
    assert cloud.authority_host == "https://login.microsoftonline.microsoft.scloud"  # normalised
    assert cloud.resource_manager == "https://management.azure.microsoft.scloud"


@pytest.mark.parametrize(
    ("audience", "scope"),
    [
        pytest.param(
            "https://management.core.microsoft.scloud/",
            "https://management.core.microsoft.scloud//.default",
            id="no-builtin-cloud-trailing-slash-kept",
        ),
        pytest.param(
            "https://management.contoso.example",
            "https://management.contoso.example/.default",
            id="no-builtin-cloud-no-slash",
        ),
        pytest.param(
            "https://management.sovcloud-api.fr/",
            "https://management.sovcloud-api.fr/.default",
            id="builtin-cloud-host-unchanged",
        ),
        pytest.param(
            "https://management.core.windows.net/",
            "https://management.core.windows.net/.default",
            id="public-audience-unchanged",
        ),
    ],
)
def test_resource_manager_scope_per_form(audience: str, scope: str) -> None:
    assert resource_manager_scope(audience) == scope


def test_a_private_cloud_from_metadata_gets_the_cli_scope() -> None:
    cloud = cloud_from_metadata(load("az-cloud-show-ussec.json"))
    assert cloud.audience == "https://management.core.microsoft.scloud/"
    # azure-cli-core resource_to_scopes: the audience as registered, slash and all, + /.default
    assert cloud.credential_scopes == ("https://management.core.microsoft.scloud//.default",)
