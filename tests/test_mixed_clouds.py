"""One cloud, whatever each value came from: the mixed-cloud check on the final values (an audience
of another cloud's host included), a cloud that follows its Resource Manager (Azure Stack Hub with
Entra ID, metadata that lies), and azure-core's ``AZURE_SDK_CLOUD_CONF``, which selects the cloud
alone, must name the resolved cloud, and is read from the environment only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    DATA,
    STAMP_ARM,
    STAMP_AUDIENCE,
    dotenv,
    stamp_metadata,
)

import azenvcloud
from azenvcloud import (
    ConfigurationError,
    Settings,
    get_settings,
)
from azenvcloud._cli import main
from azenvcloud._metadata import MetadataProblem, cloud_from_metadata
from azenvcloud.testing import FakeCloud

PUBLIC_METADATA = DATA / "metadata-2022-09-01-public.json"


def snapshot(tmp_path: Path, document: object) -> str:
    path = tmp_path / "cloud.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


# -- 1. the mixed-cloud check holds whatever the values came from ----------------------------


@pytest.mark.parametrize("variable", ["AZURE_CLOUD_METADATA_URL", "ARM_CLOUD_METADATA_URL"])
def test_a_builtin_cloud_name_that_its_metadata_contradicts_is_refused_naming_both(
    azenvcloud_env: pytest.MonkeyPatch, variable: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv(variable, str(PUBLIC_METADATA))
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    message = str(caught.value)
    assert message.startswith("AZURE_CLOUD='china' selects AzureChinaCloud but ")
    assert "belongs to AzureCloud" in message
    assert "(from the metadata at " in message
    assert caught.value.variables[0] == "AZURE_CLOUD"


def test_a_known_authority_on_top_of_another_clouds_metadata_is_refused(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(PUBLIC_METADATA))
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert str(caught.value).startswith(
        "AZURE_AUTHORITY_HOST='login.chinacloudapi.cn' belongs to AzureChinaCloud but AZURE_RESOURCE_MANAGER"
    )
    assert caught.value.variables == ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER")


def test_the_same_pair_is_refused_with_or_without_metadata(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://management.azure.com")
    with pytest.raises(ConfigurationError, match="belongs to AzureChinaCloud but AZURE_RESOURCE_MANAGER"):
        Settings()


def test_the_builtin_cloud_the_metadata_agrees_with_is_accepted(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(PUBLIC_METADATA))
    settings = Settings()
    assert settings.cloud_name == "AzureCloud"
    assert settings.source_of("resource_manager").kind == "metadata"


def test_metadata_calling_itself_a_builtin_cloud_is_not_taken_at_its_word(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = stamp_metadata(name="AzureUSGovernment")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", snapshot(tmp_path, document))
    settings = Settings()
    assert settings.cloud_name == "Custom"
    assert settings.credential_scopes == [f"{STAMP_AUDIENCE}/.default"]  # not US Government's
    assert settings.cloud.sdk_cloud_setting != "AZURE_US_GOVERNMENT"
    assert settings.suffixes.keyvault_dns == ".vault.local.azurestack.external"
    assert settings.suffixes.storage_endpoint == "local.azurestack.external"
    assert settings.endpoints.microsoft_graph_resource_id is None  # not US Government's either


def test_metadata_with_the_hosts_of_two_clouds_is_refused() -> None:
    document = {
        "name": "AzureCloud",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.chinacloudapi.cn/",
            "audiences": ["https://management.core.windows.net/"],
        },
    }
    with pytest.raises(
        MetadataProblem, match="belongs to AzureChinaCloud but its resourceManager to AzureCloud"
    ):
        cloud_from_metadata(document)


# -- 2. the cloud follows its Resource Manager ------------------------------------------------


def test_an_entra_id_stamp_triple_is_a_custom_cloud_with_no_public_suffix(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", STAMP_ARM)
    azenvcloud_env.setenv("AZURE_AUDIENCE", STAMP_AUDIENCE)
    settings = Settings()
    assert settings.cloud_name == "Custom"
    assert settings.authority_host == "https://login.microsoftonline.com"
    assert settings.credential_scopes == [f"{STAMP_AUDIENCE}/.default"]
    assert settings.suffixes.keyvault_dns is None
    assert settings.suffixes.storage_endpoint is None
    assert settings.endpoints.microsoft_graph_resource_id is None


def test_an_entra_id_stamp_from_its_metadata_has_the_stamps_name_and_suffixes(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    fake.serve_metadata(
        {"2022-09-01": lambda base: stamp_metadata(resourceManager=f"{base}/")},
    )
    azenvcloud_env.delenv("AZURE_AUDIENCE")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com")
    settings = azenvcloud.get_settings()
    assert settings.cloud_name == "AzureStackCloud"
    assert settings.resource_manager == fake.url
    assert settings.audience == STAMP_AUDIENCE
    assert settings.suffixes.keyvault_dns == ".vault.local.azurestack.external"
    assert settings.source_of("authority_host").kind == "environment"
    assert settings.source_of("audience").kind == "metadata"


def test_a_builtin_cloud_name_with_a_resource_manager_of_no_builtin_cloud_is_refused(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "AzureCloud")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", STAMP_ARM)
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert str(caught.value).startswith(
        f"AZURE_RESOURCE_MANAGER='{STAMP_ARM}' is no Resource Manager of AzureCloud"
    )
    assert caught.value.variables == ("AZURE_RESOURCE_MANAGER", "AZURE_CLOUD")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param({"name": "USSec\nAZURE_CLIENT_ID=evil"}, "its name", id="newline-in-name"),
        pytest.param({"name": "\x1b[31mUSSec"}, "its name", id="escape-in-name"),
        pytest.param({"name": "x" * 65}, "its name", id="long-name"),
        pytest.param({"portal": "http://portal.local.azurestack.external"}, "its portal", id="http-endpoint"),
        pytest.param({"portal": "https://admin:pw@portal.example"}, "its portal", id="user-info-endpoint"),
        pytest.param({"portal": "https://portal.example/?sig=x"}, "its portal", id="query-endpoint"),
        pytest.param({"suffixes": {"keyVaultDns": "vault/evil"}}, "its keyvault_dns", id="path-in-suffix"),
        pytest.param({"suffixes": {"storage": "a..b"}}, "its storage_endpoint", id="empty-label-suffix"),
    ],
)
def test_strings_from_metadata_are_checked_like_the_environments(
    changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(MetadataProblem, match=problem):
        cloud_from_metadata(stamp_metadata(**changes))


def test_strings_from_az_cloud_show_are_checked_too() -> None:
    shown = json.loads((DATA / "az-cloud-show-ussec.json").read_text(encoding="utf-8"))
    shown["name"] = "USSec\x07"
    with pytest.raises(MetadataProblem, match="its name"):
        cloud_from_metadata(shown)
    shown["name"] = "USSec"
    shown["endpoints"]["portal"] = "javascript://portal"
    with pytest.raises(MetadataProblem, match="its portal"):
        cloud_from_metadata(shown)


def test_the_sdk_cloud_variable_alone_selects_the_cloud(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", "AZURE_CHINA_CLOUD")
    settings = get_settings()
    assert settings.cloud_name == "AzureChinaCloud"
    assert str(settings.source_of("cloud")) == "environment AZURE_SDK_CLOUD_CONF"
    assert main(["show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["values"]["sdk_cloud_conf"]
    assert shown == {"value": "AZURE_CHINA_CLOUD", "source": "environment AZURE_SDK_CLOUD_CONF"}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("AZURE_US_GOVERNMENT", "one process would talk to two clouds", id="another-cloud"),
        pytest.param(
            "AzureChinaCloud", "azure-core accepts only the exact names", id="refused-by-azure-core"
        ),
        pytest.param("azure_public_cloud", "azure-core accepts only the exact names", id="case-sensitive"),
    ],
)
def test_the_sdk_cloud_variable_must_name_the_resolved_cloud(
    azenvcloud_env: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", value)
    with pytest.raises(ConfigurationError, match=problem) as caught:
        get_settings()
    assert caught.value.variables[0] == "AZURE_SDK_CLOUD_CONF"


def test_the_sdk_cloud_variable_is_read_from_the_environment_only(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv(tmp_path / ".env", AZURE_SDK_CLOUD_CONF="AZURE_CHINA_CLOUD")  # azure-core never sees it
    assert get_settings().cloud_name == "AzureCloud"


def test_a_built_in_audience_with_a_customer_vm_host_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", "attacker.eastus.cloudapp.azure.com")
    with pytest.raises(ConfigurationError, match="is an audience of AzureCloud"):
        get_settings()


def test_a_public_audience_on_another_clouds_host_is_the_mixed_cloud_error(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", "blob.core.usgovcloudapi.net")
    with pytest.raises(ConfigurationError):
        get_settings()
