"""Cloud values exactly as the Azure CLI writes them: the three gaps a differential run against
azure-cli-core 2.91 (``_arm_to_cli_mapper``, ``az cloud register``, ``resource_to_scopes``) found."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import DATA

from azenvcloud import BUILTIN_CLOUDS
from azenvcloud._clouds import resource_manager_scope
from azenvcloud._metadata import cloud_from_metadata, cloud_to_snapshot

MIRROR = "https://azcliextensionsync.blob.core.windows.net/"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# -- azmirrorStorageAccountResourceId: in the CLI's ARM_METADATA_INDEX, kept ---------------------


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


# -- endpoints.resource_manager / active_directory: the document's strings -----------------------


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


# -- the scope of a Resource Manager audience, one test per form ---------------------------------


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
