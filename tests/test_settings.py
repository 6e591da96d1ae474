"""Settings: precedence, provenance, cloud selection, consistency and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import azenvcloud
from azenvcloud import ConfigurationError, Settings, Source, configure, get_settings

CHINA_SCOPE = "https://management.chinacloudapi.cn/.default"


def write_env(path: Path, **variables: str) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in variables.items()), encoding="utf-8")
    return path


def test_nothing_set_is_the_public_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.cloud_name == "AzureCloud"
    assert settings.authority_host == "https://login.microsoftonline.com"
    assert settings.resource_manager == "https://management.azure.com"
    assert settings.credential_scopes == ["https://management.azure.com/.default"]
    assert settings.subscription_id is None
    assert settings.disable_instance_discovery is False
    assert settings.source_of("authority_host") == Source("default", "AzureCloud")


def test_only_azure_cloud_china_gives_china_everywhere(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    settings = Settings()
    assert (settings.cloud_name, settings.authority_host, settings.resource_manager) == (
        "AzureChinaCloud",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn",
    )
    assert settings.audience == "https://management.core.chinacloudapi.cn/"
    assert settings.credential_scopes == [CHINA_SCOPE]
    assert settings.suffixes.keyvault_dns == ".vault.azure.cn"
    assert settings.endpoints.portal == "https://portal.azure.cn"
    assert settings.sources["cloud"] == Source("environment")
    assert settings.sources["resource_manager"] == Source("default", "AzureChinaCloud")


def test_only_a_china_authority_host_selects_china(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    settings = Settings()
    assert settings.cloud_name == "AzureChinaCloud"
    assert settings.resource_manager == "https://management.chinacloudapi.cn"
    assert settings.credential_scopes == [CHINA_SCOPE]
    assert settings.sources["cloud"] == Source("derived", "from the host in AZURE_AUTHORITY_HOST")


def test_only_a_usgov_resource_manager_selects_us_government(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://management.usgovcloudapi.net/")
    settings = Settings()
    assert settings.cloud_name == "AzureUSGovernment"
    assert settings.authority_host == "https://login.microsoftonline.us"


def test_precedence_argument_over_environment_over_dotenv(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_env(
        tmp_path / ".env", AZURE_CLOUD="usgov", AZURE_SUBSCRIPTION_ID="11111111-1111-1111-1111-111111111111"
    )
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    settings = Settings(cloud="bleu")
    assert settings.cloud_name == "AzureBleuCloud"
    assert settings.sources["cloud"] == Source("argument")
    assert settings.subscription_id == "11111111-1111-1111-1111-111111111111"
    assert settings.sources["subscription_id"] == Source(
        "dotenv", str((tmp_path / ".env").resolve()), implicit=True
    )


def test_precedence_environment_over_dotenv(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_env(tmp_path / ".env", AZURE_CLOUD="usgov")
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    assert Settings().cloud_name == "AzureChinaCloud"


def test_precedence_dotenv_over_builtin_default(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_env(tmp_path / ".env", AZURE_CLOUD="usgov")
    settings = Settings()
    assert settings.cloud_name == "AzureUSGovernment"
    assert settings.sources["cloud"].kind == "dotenv"
    assert settings.env_file == str((tmp_path / ".env").resolve())


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_blank_environment_variable_counts_as_unset(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, blank: str
) -> None:
    write_env(tmp_path / ".env", AZURE_CLOUD="usgov")
    azenvcloud_env.setenv("AZURE_CLOUD", blank)
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", blank)
    assert Settings().cloud_name == "AzureUSGovernment"


def test_env_file_variable_points_at_another_file(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = write_env(tmp_path / "deploy.env", AZURE_CLOUD="china")
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(other))
    assert Settings().cloud_name == "AzureChinaCloud"


def test_env_file_argument_points_at_another_file(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = write_env(tmp_path / "other.env", AZURE_CLOUD="bleu")
    assert Settings(_env_file=other).cloud_name == "AzureBleuCloud"


def test_env_file_variable_naming_a_missing_file_is_an_error(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "/nonexistent/app.env")
    with pytest.raises(
        ConfigurationError,
        match=re.escape("AZENVCLOUD_ENV_FILE='/nonexistent/app.env' names no readable file"),
    ):
        Settings()


def test_an_endpoint_variable_overrides_just_that_value(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "AzureChinaCloud")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://127.0.0.1:8443")  # a local identity proxy
    settings = Settings()
    assert settings.cloud_name == "AzureChinaCloud"
    assert settings.authority_host == "https://127.0.0.1:8443"
    assert settings.cloud.endpoints.active_directory == "https://127.0.0.1:8443"
    assert settings.resource_manager == "https://management.chinacloudapi.cn"
    assert settings.credential_scopes == [CHINA_SCOPE]


def test_audience_override_derives_the_scope(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://management.core.windows.net/")
    settings = Settings()
    assert settings.credential_scopes == ["https://management.core.windows.net/.default"]
    assert settings.sources["credential_scopes"] == Source("derived", "from the audience")


def test_audience_given_as_scope_is_used_verbatim(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://management.core.windows.net//.default")
    settings = Settings()
    assert settings.credential_scopes == ["https://management.core.windows.net//.default"]
    assert settings.audience == "https://management.core.windows.net/"


def test_custom_triple_is_a_custom_cloud(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.contoso-sovereign.example")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://arm.contoso-sovereign.example/")
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://management.contoso-sovereign.example/")
    settings = Settings()
    assert settings.cloud_name == "Custom"
    assert settings.authority_host == "https://login.contoso-sovereign.example"
    assert settings.resource_manager == "https://arm.contoso-sovereign.example"
    # An audience of no built-in cloud keeps its trailing slash, as azure-cli-core does.
    assert settings.credential_scopes == ["https://management.contoso-sovereign.example//.default"]
    assert settings.disable_instance_discovery is True
    assert settings.suffixes.keyvault_dns is None


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        pytest.param(
            {"AZURE_AUTHORITY_HOST": "https://127.0.0.1:9", "AZURE_AUDIENCE": "https://x.example/"},
            ["AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"],
            id="two-of-three",
        ),
        pytest.param(
            {"AZURE_CLOUD": "Custom", "AZURE_RESOURCE_MANAGER": "https://arm.contoso.example"},
            ["AZURE_RESOURCE_MANAGER", "AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"],
            id="custom-named",
        ),
    ],
)
def test_incomplete_custom_cloud_names_the_missing_variables(
    azenvcloud_env: pytest.MonkeyPatch, variables: dict[str, str], named: list[str]
) -> None:
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert list(caught.value.variables) == named
    assert "a custom cloud needs" in str(caught.value)


@pytest.mark.parametrize(
    ("variables", "named", "clouds"),
    [
        pytest.param(
            {
                "AZURE_AUTHORITY_HOST": "login.chinacloudapi.cn",
                "AZURE_RESOURCE_MANAGER": "https://management.azure.com",
            },
            ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER"),
            ("AzureChinaCloud", "AzureCloud"),
            id="china-authority-public-arm",
        ),
        pytest.param(
            {"AZURE_CLOUD": "china", "AZURE_RESOURCE_MANAGER": "https://management.azure.com"},
            ("AZURE_CLOUD", "AZURE_RESOURCE_MANAGER"),
            ("AzureChinaCloud", "AzureCloud"),
            id="china-cloud-public-arm",
        ),
        pytest.param(
            {"AZURE_CLOUD": "usgov", "AZURE_AUDIENCE": "https://management.core.chinacloudapi.cn/"},
            ("AZURE_CLOUD", "AZURE_AUDIENCE"),
            ("AzureUSGovernment", "AzureChinaCloud"),
            id="gov-cloud-china-audience",
        ),
        pytest.param(
            {
                "AZURE_RESOURCE_MANAGER": "https://management.sovcloud-api.fr",
                "AZURE_AUDIENCE": "https://management.core.windows.net/",
            },
            ("AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"),
            ("AzureBleuCloud", "AzureCloud"),
            id="bleu-arm-public-audience",
        ),
    ],
)
def test_values_of_two_clouds_are_refused_naming_both(
    azenvcloud_env: pytest.MonkeyPatch,
    variables: dict[str, str],
    named: tuple[str, str],
    clouds: tuple[str, str],
) -> None:
    for name, value in variables.items():
        azenvcloud_env.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    message = str(caught.value)
    assert caught.value.variables == named
    assert all(variable in message for variable in named)
    assert all(cloud in message for cloud in clouds)
    assert "AADSTS500011" in message


def test_retired_cloud_host_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.microsoftonline.de")
    with pytest.raises(ConfigurationError, match=r"retired cloud.*2021-10-29"):
        Settings()


def test_authority_with_tenant_path_points_to_azure_tenant_id(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/contoso.onmicrosoft.com")
    with pytest.raises(ConfigurationError, match="AZURE_TENANT_ID") as caught:
        Settings()
    assert caught.value.variables == ("AZURE_AUTHORITY_HOST",)


def test_management_host_as_authority_is_called_out(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://management.azure.com")
    with pytest.raises(ConfigurationError, match="did you mean AZURE_RESOURCE_MANAGER or AZURE_AUDIENCE"):
        Settings()


def test_authority_host_as_resource_manager_is_called_out(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://login.microsoftonline.us")
    with pytest.raises(ConfigurationError, match="did you mean AZURE_AUTHORITY_HOST"):
        Settings()


def test_error_names_the_dotenv_file_the_bad_value_came_from(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_env(tmp_path / ".env", AZURE_SUBSCRIPTION_ID="not-a-guid")
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert str(caught.value).startswith(
        f"AZURE_SUBSCRIPTION_ID (from .env file {(tmp_path / '.env').resolve()})"
    )
    assert "'not-a-guid'" in str(caught.value)


def test_error_names_an_argument_as_passed_in_code(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ConfigurationError, match=r"AZURE_RESOURCE_MANAGER \(passed in code as resource_manager=\)"
    ):
        Settings(resource_manager="http://management.azure.com")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AZURE_CLOUD", "atlantis"),
        ("AZURE_DISABLE_INSTANCE_DISCOVERY", "maybe"),
        ("AZURE_SUBSCRIPTION_ID", "x" * 5000),
        ("AZURE_RESOURCE_MANAGER", "https://evil@management.azure.com"),
    ],
)
def test_bad_values_raise_configuration_error_never_pydantic(
    azenvcloud_env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    azenvcloud_env.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert not isinstance(caught.value, ValidationError)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert variable in str(caught.value)
    assert len(str(caught.value)) < 1000


def test_configuration_error_is_a_value_error() -> None:
    assert issubclass(ConfigurationError, ValueError)


def test_instance_discovery_is_disabled_for_unknown_authority_hosts(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://127.0.0.1:8443")
    assert Settings().disable_instance_discovery is True


def test_instance_discovery_variable_overrides_the_automatic_choice(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_DISABLE_INSTANCE_DISCOVERY", "true")
    settings = Settings()
    assert settings.disable_instance_discovery is True
    assert settings.sources["disable_instance_discovery"] == Source("environment")


def test_settings_are_immutable(azenvcloud_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.authority_host = "https://login.chinacloudapi.cn"  # type: ignore[misc]
    settings.credential_scopes.append("x")
    assert settings.credential_scopes == ["https://management.azure.com/.default"]


def test_get_settings_is_cached_until_reset(azenvcloud_env: pytest.MonkeyPatch) -> None:
    first = get_settings()
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    assert get_settings() is first
    azenvcloud.reset()
    assert get_settings().cloud_name == "AzureChinaCloud"


def test_configure_sets_arguments_with_top_precedence(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    settings = configure(cloud="usgov")
    assert get_settings() is settings
    assert settings.cloud_name == "AzureUSGovernment"


def test_configure_refuses_unknown_arguments_and_bad_values(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match="autority_host"):
        configure(autority_host="login.chinacloudapi.cn")
    with pytest.raises(ConfigurationError):
        configure(cloud="atlantis")
    assert get_settings().cloud_name == "AzureCloud"


def test_model_dump_has_the_resolved_values(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    dumped = Settings().model_dump()
    assert dumped["cloud_name"] == "AzureUSGovernment"
    assert dumped["credential_scopes"] == ["https://management.core.usgovcloudapi.net/.default"]
    assert dumped["cloud"]["suffixes"]["acr_login_server_endpoint"] == ".azurecr.us"


def test_unknown_resource_manager_alone_is_discovered_and_unreachable_is_clear(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    # Discovery is tried (its metadata endpoint), fails (nothing resolves here), and says how to skip it.
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://arm.contoso.example")
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    message = str(caught.value)
    assert caught.value.variables == ("AZURE_RESOURCE_MANAGER",)
    assert message.startswith(
        "AZURE_RESOURCE_MANAGER='https://arm.contoso.example': the cloud metadata cannot be had"
    )
    assert "set AZURE_AUTHORITY_HOST and AZURE_AUDIENCE too" in message
