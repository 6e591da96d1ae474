"""A named configuration's settings sources and telemetry, in its own cloud: with
``configuration="gov"``, ``KeyVaultSettingsSource``, ``AppConfigurationSettingsSource`` and
``azenvcloud.telemetry`` use gov's settings, credential, clients and URL checks, never the
default's, against the fake acting as two clouds at once (the default China, gov US Government).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
from helpers.naming_cases import settings_with
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

import azenvcloud
from azenvcloud import AppConfigurationSettingsSource, ConfigurationError, KeyVaultSettingsSource
from azenvcloud.telemetry import configure_azure_monitor, get_azure_monitor_options
from azenvcloud.testing import FakeCloud, KeyVaultReference

IKEY = "00000000-0000-4000-8000-00000000b2b2"
USGOV_INGESTION = "usgovvirginia-1.in.applicationinsights.azure.us"
USGOV_CONNECTION = (
    f"InstrumentationKey={IKEY};IngestionEndpoint=https://{USGOV_INGESTION}/;"
    "LiveEndpoint=https://usgovvirginia.livediagnostics.monitor.azure.us/"
)
CHINA_CONNECTION = (
    f"InstrumentationKey={IKEY};IngestionEndpoint=https://chinanorth3-0.in.applicationinsights.azure.cn/;"
    "LiveEndpoint=https://chinanorth3.livediagnostics.monitor.azure.cn/"
)


class Secrets(BaseSettings):
    model_config = SettingsConfigDict(hide_input_in_errors=True)
    db_password: SecretStr
    color: str = "none"


def reading(source: Callable[[type[BaseSettings]], PydanticBaseSettingsSource]) -> type[BaseSettings]:
    return settings_with(Secrets, source, after_init=True)


def _name(prefix: str) -> str:
    # azure-keyvault keeps each vault's challenge for the process: a vault no test asked before.
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture
def two_clouds(azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Callable[..., Any]) -> FakeCloud:
    """The default China, gov US Government, in one fake."""
    azenvcloud_fake_clouds(default="china", gov="usgov")
    return azenvcloud_fake_cloud


def _seen(fake: FakeCloud) -> list[tuple[str, str, str | None, str | None]]:
    return [(r.kind, r.host, r.scope, r.configuration) for r in fake.requests if r.kind != "openid"]


# -- Key Vault -----------------------------------------------------------------------------------


def test_a_key_vault_source_of_gov_reads_gov_s_vault_with_gov_s_token(two_clouds: FakeCloud) -> None:
    fake = two_clouds
    gov_vault, china_vault = _name("kvgov"), _name("kvcn")
    fake.set_secrets(gov_vault, {"db-password": "gov-pw"})
    gov: Any = reading(
        lambda cls: KeyVaultSettingsSource(cls, vault=gov_vault, dash_to_underscore=True, configuration="gov")
    )()
    assert gov.db_password.get_secret_value() == "gov-pw"
    host = f"{gov_vault}.vault.usgovcloudapi.net"
    assert {entry for entry in _seen(fake) if entry[0] != "keyvault" or entry[2]} == {
        ("token", "login.microsoftonline.us", "https://vault.usgovcloudapi.net/.default", "gov"),
        ("keyvault", host, "https://vault.usgovcloudapi.net/.default", "gov"),
    }
    fake.reset()
    fake.set_secrets(china_vault, {"db-password": "china-pw"})
    default: Any = reading(
        lambda cls: KeyVaultSettingsSource(cls, vault=china_vault, dash_to_underscore=True)
    )()
    assert default.db_password.get_secret_value() == "china-pw"
    assert {r.configuration for r in fake.requests if r.bearer or r.kind == "token"} == {"default"}
    assert {r.host for r in fake.requests if r.kind == "keyvault"} == {f"{china_vault}.vault.azure.cn"}


def test_a_vault_of_another_cloud_is_refused_for_gov_naming_that_cloud(two_clouds: FakeCloud) -> None:
    china_vault = f"https://{_name('kvcn')}.vault.azure.cn"
    with pytest.raises(ConfigurationError) as refused:
        KeyVaultSettingsSource(Secrets, vault=china_vault, configuration="gov")
    assert "AzureChinaCloud" in str(refused.value)
    assert "AzureUSGovernment" in str(refused.value)
    assert two_clouds.requests == []  # refused before any token request


def test_an_undeclared_configuration_is_the_error_configuration_gives() -> None:
    with pytest.raises(ConfigurationError) as expected:
        azenvcloud.configuration("nope")
    with pytest.raises(ConfigurationError) as vault:
        KeyVaultSettingsSource(Secrets, vault="kv1", configuration="nope")
    with pytest.raises(ConfigurationError) as store:
        AppConfigurationSettingsSource(Secrets, store="store1", configuration="nope")
    with pytest.raises(ConfigurationError) as telemetry:
        get_azure_monitor_options(configuration="nope")
    for caught in (vault, store, telemetry):
        assert (str(caught.value), caught.value.variables) == (str(expected.value), expected.value.variables)


# -- App Configuration ---------------------------------------------------------------------------


def test_an_app_configuration_source_of_gov_loads_gov_s_store_and_its_vault_with_gov_s_tokens(
    two_clouds: FakeCloud,
) -> None:
    fake = two_clouds
    store, vault = _name("store"), _name("kvgov")
    fake.set_store(
        store,
        {
            "color": "blue",
            "db-password": KeyVaultReference(f"https://{vault}.vault.usgovcloudapi.net/secrets/db-password"),
        },
    )
    fake.set_secrets(vault, {"db-password": "gov-pw"})
    settings: Any = reading(
        lambda cls: AppConfigurationSettingsSource(
            cls, store=store, dash_to_underscore=True, configuration="gov"
        )
    )()
    assert (settings.color, settings.db_password.get_secret_value()) == ("blue", "gov-pw")
    with_identity = [r for r in fake.requests if r.bearer or r.kind == "token"]
    assert {r.configuration for r in with_identity} == {"gov"}
    assert {r.host for r in with_identity} == {
        "login.microsoftonline.us",
        f"{store}.azconfig.azure.us",
        f"{vault}.vault.usgovcloudapi.net",
    }
    assert {r.scope for r in with_identity} == {
        "https://appconfig.azure.us/.default",
        "https://vault.usgovcloudapi.net/.default",
    }


def test_a_store_of_another_cloud_is_refused_for_gov(two_clouds: FakeCloud) -> None:
    with pytest.raises(ConfigurationError) as refused:
        AppConfigurationSettingsSource(Secrets, store="https://store1.azconfig.azure.cn", configuration="gov")
    assert "AzureChinaCloud" in str(refused.value)
    assert two_clouds.requests == []


@pytest.mark.parametrize("spelled", ["gov", "GOV"])  # found as azenvcloud.configuration() finds it
def test_a_cloud_without_app_configuration_values_names_gov_s_variables(
    azenvcloud_env: pytest.MonkeyPatch, spelled: str
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv("GOV_AZURE_CLOUD", "bleu")
    with pytest.raises(ConfigurationError) as missing:
        AppConfigurationSettingsSource(Secrets, store="store1", configuration=spelled)
    assert "GOV_AZURE_SERVICE_APPCONFIG_SUFFIX" in missing.value.variables
    assert "GOV_AZURE_SERVICE_APPCONFIG_SUFFIX" in str(missing.value)
    assert " AZURE_SERVICE_APPCONFIG" not in str(missing.value)


# -- telemetry -----------------------------------------------------------------------------------


def test_gov_s_telemetry_options_are_its_connection_string_cloud_and_credential(
    two_clouds: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOV_APPLICATIONINSIGHTS_CONNECTION_STRING", USGOV_CONNECTION)
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", CHINA_CONNECTION)  # the default's: not read
    options = get_azure_monitor_options(configuration="gov")
    assert "AADAudience=https://monitor.azure.us/" in options["connection_string"]
    assert f"IngestionEndpoint=https://{USGOV_INGESTION}" in options["connection_string"]
    assert options["credential"] is azenvcloud.configuration("gov").get_credential()
    assert "monitor.azure.cn" in get_azure_monitor_options()["connection_string"]  # the default: China


def test_gov_s_exporter_sends_to_us_government_ingestion_with_gov_s_token(
    two_clouds: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true")  # no thread of the exporter's own
    monkeypatch.setenv("GOV_APPLICATIONINSIGHTS_CONNECTION_STRING", USGOV_CONNECTION)
    exporter = AzureMonitorTraceExporter(
        **get_azure_monitor_options(configuration="gov"), disable_offline_storage=True
    )
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("app").start_as_current_span("first-export"):
        pass
    provider.shutdown()
    assert _seen(two_clouds) == [
        ("token", "login.microsoftonline.us", "https://monitor.azure.us//.default", "gov"),
        ("appinsights", USGOV_INGESTION, "https://monitor.azure.us//.default", "gov"),
    ]


def test_a_connection_string_of_another_cloud_is_refused_for_gov_naming_its_variable(
    two_clouds: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOV_APPLICATIONINSIGHTS_CONNECTION_STRING", CHINA_CONNECTION)
    with pytest.raises(ConfigurationError) as refused:
        get_azure_monitor_options(configuration="gov")
    assert "GOV_APPLICATIONINSIGHTS_CONNECTION_STRING" in refused.value.variables
    monkeypatch.delenv("GOV_APPLICATIONINSIGHTS_CONNECTION_STRING")
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", CHINA_CONNECTION)  # the default's
    with pytest.raises(ConfigurationError) as missing:
        configure_azure_monitor(configuration="gov")
    assert missing.value.variables[0] == "GOV_APPLICATIONINSIGHTS_CONNECTION_STRING"
    assert "GOV_APPLICATIONINSIGHTS_CONNECTION_STRING" in str(missing.value)
    assert two_clouds.requests == []
