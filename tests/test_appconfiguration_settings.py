"""``AppConfigurationSettingsSource``: a settings class's values from an App Configuration store of
the resolved cloud, with that cloud's audience, its Key Vault references read from that cloud's
vaults only, on the wire against the fake."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import pytest
from azure.appconfiguration.provider import SettingSelector
from helpers.naming_cases import settings_with
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from azenvcloud import AppConfigurationSettingsSource, ConfigurationError, reset
from azenvcloud._parsers import host_of
from azenvcloud.testing import FakeCloud, KeyVaultReference

HIDDEN = SettingsConfigDict(hide_input_in_errors=True)
# cloud -> (App Configuration audience, the two store suffixes, Key Vault suffix)
CLOUDS = {
    "usgov": (
        "https://appconfig.azure.us",
        ("azconfig.azure.us", "appconfig.azure.us"),
        "vault.usgovcloudapi.net",
    ),
    "china": ("https://appconfig.azure.cn", ("azconfig.azure.cn", "appconfig.azure.cn"), "vault.azure.cn"),
}


def _name(prefix: str) -> str:
    # azure-keyvault keeps each vault's challenge for the process: a vault no test asked before.
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Database(BaseModel):
    host: str
    port: int = 5432


def reading(model: type[BaseSettings], store: str, **options: Any) -> type[BaseSettings]:
    """``model`` with the App Configuration source alone after the init arguments."""
    return settings_with(
        model, lambda cls: AppConfigurationSettingsSource(cls, store=store, **options), after_init=True
    )


class AppSettings(BaseSettings):
    model_config = HIDDEN
    color: str
    db_password: SecretStr
    database: Database
    log_level: str = "info"


def _values(vault_url: str) -> dict[str, Any]:
    return {
        "color": "blue",
        "db-password": KeyVaultReference(f"{vault_url}/secrets/db-password"),
        "database": {"host": "db.internal"},
    }


@pytest.mark.parametrize("form", [0, 1], ids=["azconfig-name", "appconfig-url"])
@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_a_store_and_its_key_vault_reference_load_with_the_clouds_audience_and_vault_scope(
    azenvcloud_fake_cloud: FakeCloud, cloud: str, form: int
) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    audience, suffixes, vault_suffix = CLOUDS[cloud]
    fake.set_store(store, _values(f"https://{vault}.{vault_suffix}"))
    fake.set_secrets(vault, {"db-password": "pw-456"})
    where = store if form == 0 else f"https://{store}.{suffixes[1]}"
    with fake.as_cloud(cloud) as expected:
        settings: Any = reading(AppSettings, where, dash_to_underscore=True)()
    assert (settings.color, settings.database.host, settings.database.port) == ("blue", "db.internal", 5432)
    assert settings.db_password.get_secret_value() == "pw-456"
    tokens = fake.requests_of("token")
    assert {token.host for token in tokens} == {host_of(expected.authority_host)}
    assert sorted(token.scope for token in tokens) == sorted(
        [f"{audience}/.default", f"https://{vault_suffix}/.default"]
    )
    stores = fake.requests_of("appconfig")
    assert {request.host for request in stores} == {f"{store}.{suffixes[form]}"}
    assert {request.scope for request in stores} == {f"{audience}/.default"}
    vaults = fake.requests_of("keyvault")
    assert {request.host for request in vaults} == {f"{vault}.{vault_suffix}"}
    assert {request.scope for request in vaults if request.bearer} == {f"https://{vault_suffix}/.default"}


def test_a_custom_clouds_store_works_once_its_variables_give_its_suffix_and_audience(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)  # the Resource Manager alone: Key Vault's suffix from its metadata
    fake.set_store(store, _values(f"https://{vault}.vault.fake.azenvcloud.test"))
    fake.set_secrets(vault, {"db-password": "pw-456"})
    with pytest.raises(ConfigurationError) as unknown:
        reading(AppSettings, store, dash_to_underscore=True)()
    assert unknown.value.variables == ("AZURE_SERVICE_APPCONFIG_SUFFIX", "AZURE_SERVICE_APPCONFIG_AUDIENCE")
    assert "FakeCloud has no known suffix or audience for App Configuration" in str(unknown.value)
    assert fake.requests_of("appconfig") == fake.requests_of("token") == []
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_SUFFIX", "appconfig.fake.azenvcloud.test")
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_AUDIENCE", "https://appconfig.fake.azenvcloud.test")
    reset()  # the settings are resolved once per process
    with fake.route_hosts(f"{store}.appconfig.fake.azenvcloud.test", f"{vault}.vault.fake.azenvcloud.test"):
        settings: Any = reading(AppSettings, store, dash_to_underscore=True)()
    assert (settings.color, settings.db_password.get_secret_value()) == ("blue", "pw-456")
    assert sorted(token.scope for token in fake.requests_of("token")) == [
        "https://appconfig.fake.azenvcloud.test/.default",
        "https://vault.fake.azenvcloud.test/.default",
    ]
    assert {r.host for r in fake.requests_of("appconfig")} == {f"{store}.appconfig.fake.azenvcloud.test"}
    assert {r.host for r in fake.requests_of("keyvault")} == {f"{vault}.vault.fake.azenvcloud.test"}


@pytest.mark.parametrize("cloud", ["bleu", "delos"])
def test_a_cloud_without_sourced_app_configuration_values_names_the_variables_and_works_once_set(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, cloud: str
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "green"})
    with fake.as_cloud(cloud) as expected:
        with pytest.raises(ConfigurationError) as by_name:
            reading(Colored, store)()
        with pytest.raises(ConfigurationError) as by_url:
            reading(Colored, f"https://{store}.appconfig.fake.azenvcloud.test")()
        assert fake.requests == []  # refused before any token request, never the public cloud's value
        assert by_name.value.variables == (
            "AZURE_SERVICE_APPCONFIG_SUFFIX",
            "AZURE_SERVICE_APPCONFIG_AUDIENCE",
        )
        assert by_url.value.variables == ("AZURE_SERVICE_APPCONFIG_AUDIENCE",)  # a URL needs no suffix
        assert f"{expected.name} has no known audience for App Configuration" in str(by_url.value)
        azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_SUFFIX", "appconfig.fake.azenvcloud.test")
        azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_AUDIENCE", "https://appconfig.fake.azenvcloud.test")
        reset()  # the settings are resolved once per process
        with fake.route_hosts(f"{store}.appconfig.fake.azenvcloud.test"):
            settings: Any = reading(Colored, store)()
    assert settings.color == "green"
    (token,) = fake.requests_of("token")
    assert (token.host, token.scope) == (
        host_of(expected.authority_host),
        "https://appconfig.fake.azenvcloud.test/.default",
    )


class Colored(BaseSettings):
    model_config = HIDDEN
    color: str = "none"


# -- Key Vault references: only to this cloud's vaults, only what a field uses ----------------------


@pytest.mark.parametrize(
    ("cloud", "reference", "owner"),
    [
        pytest.param(
            "china", "https://kv1.vault.azure.net/secrets/db-password", "AzureCloud", id="public-under-china"
        ),
        pytest.param(
            "usgov",
            "https://kv1.vault.azure.cn/secrets/db-password",
            "AzureChinaCloud",
            id="china-under-usgov",
        ),
        pytest.param(
            "custom",
            "https://kv1.vault.usgovcloudapi.net/secrets/db-password",
            "AzureUSGovernment",
            id="usgov-under-a-custom-cloud",
        ),
    ],
)
def test_a_reference_to_another_clouds_vault_is_refused_naming_the_key(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    cloud: str,
    reference: str,
    owner: str,
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue", "db-password": KeyVaultReference(reference)})
    fake.set_secrets("kv1", {"db-password": "pw-of-another-cloud"})
    # The other cloud's vault answers here too: without the check, its secret would be read.
    if cloud == "custom":
        azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_SUFFIX", "appconfig.fake.azenvcloud.test")
        azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_AUDIENCE", "https://appconfig.fake.azenvcloud.test")
        routes = fake.route_hosts(f"{store}.appconfig.fake.azenvcloud.test", host_of(reference))
    else:
        routes = fake.as_cloud(cloud)
    with routes, fake.route_hosts(host_of(reference)), pytest.raises(ConfigurationError) as refused:
        reading(Secretive, store, dash_to_underscore=True)()
    message = str(refused.value)
    assert f"key 'db-password' refers to '{reference}'" in message
    assert f"belongs to {owner}" in message
    assert "No request went to that vault" in message
    assert fake.requests_of("keyvault") == []
    assert refused.value.__cause__ is None


class Secretive(BaseSettings):
    model_config = HIDDEN
    color: str
    db_password: SecretStr


def test_a_reference_to_a_host_of_no_key_vault_kind_is_refused_naming_the_key_and_label(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(
        store,
        {"color": "blue"},
        labels={
            "prod": {"db-password": KeyVaultReference("https://secrets.example.org/secrets/db-password")}
        },
    )
    selects = [SettingSelector(key_filter="*"), SettingSelector(key_filter="*", label_filter="prod")]
    with fake.as_cloud("usgov"), pytest.raises(ConfigurationError) as refused:
        reading(Secretive, store, dash_to_underscore=True, selects=selects)()
    message = str(refused.value)
    assert (
        "key 'db-password' (label 'prod') refers to 'https://secrets.example.org/secrets/db-password'"
        in message
    )
    assert "is not a Key Vault host of AzureUSGovernment" in message


def test_a_reference_no_field_uses_is_checked_but_never_read(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    fake.set_store(
        store,
        {"color": "blue", "unused-secret": KeyVaultReference(f"https://{vault}.vault.azure.cn/secrets/x")},
    )
    with fake.as_cloud("china"):
        settings: Any = reading(Colored, store)()
    assert settings.color == "blue"
    assert fake.requests_of("keyvault") == []
    assert [token.scope for token in fake.requests_of("token")] == ["https://appconfig.azure.cn/.default"]


def test_a_reference_to_a_missing_secret_is_one_error_naming_the_key(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    fake.set_store(
        store,
        {"color": "c", "db-password": KeyVaultReference(f"https://{vault}.vault.azure.cn/secrets/gone")},
    )
    fake.set_secrets(vault, {"other": "x"})
    with fake.as_cloud("china"), pytest.raises(ConfigurationError) as unread:
        reading(Secretive, store, dash_to_underscore=True)()
    message = str(unread.value)
    assert f"key 'db-password' refers to 'https://{vault}.vault.azure.cn/secrets/gone'" in message
    assert "no such enabled secret, 404" in message
    assert "SecretNotFound" in message


def test_a_reference_without_a_secret_url_is_refused_naming_the_key(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "c", "db-password": KeyVaultReference("db-password")})
    with fake.as_cloud("usgov"), pytest.raises(ConfigurationError) as bad:
        reading(Secretive, store, dash_to_underscore=True)()
    assert "key 'db-password' has the content type of a Key Vault reference but no secret URL" in str(
        bad.value
    )
    assert fake.requests_of("keyvault") == []


def test_a_versioned_reference_reads_that_version(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    fake.set_store(
        store,
        {
            "color": "c",
            "db-password": KeyVaultReference(f"https://{vault}.vault.azure.cn/secrets/db-password/0123"),
        },
    )
    fake.set_secrets(vault, {"db-password": "pw"})
    with fake.as_cloud("china"):
        settings: Any = reading(Secretive, store, dash_to_underscore=True)()
    assert settings.db_password.get_secret_value() == "pw"
    assert "/secrets/db-password/0123" in {request.path for request in fake.requests_of("keyvault")}


# -- the store: its URL, its selection, its keys ----------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "url", "owner"),
    [
        pytest.param("china", "https://cfg1.azconfig.io", "AzureCloud", id="public-under-china"),
        pytest.param("usgov", "https://cfg1.appconfig.azure.cn", "AzureChinaCloud", id="china-under-usgov"),
    ],
)
def test_a_store_url_of_another_cloud_is_refused_before_any_request(
    azenvcloud_fake_cloud: FakeCloud, cloud: str, url: str, owner: str
) -> None:
    fake = azenvcloud_fake_cloud
    fake.set_store("cfg1", {"color": "blue"})
    with (
        fake.as_cloud(cloud),
        fake.route_hosts(host_of(url)),
        pytest.raises(ConfigurationError, match=f"store='{url}' belongs to {owner}"),
    ):
        reading(Colored, url)()
    assert fake.requests == []


def test_labels_selectors_and_trim_prefixes_are_the_providers(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(
        store,
        {"app:color": "blue", "app:size": "10", "other:color": "never"},
        labels={"prod": {"app:color": "red"}, "dev": {"app:color": "yellow"}},
    )
    selects = [SettingSelector(key_filter="app:*"), SettingSelector(key_filter="app:*", label_filter="prod")]
    with fake.as_cloud("usgov"):
        settings: Any = reading(Sized, store, selects=selects, trim_prefixes=["app:"])()
    assert (settings.color, settings.size) == ("red", 10)  # the later selector's value wins
    queries = [request.query for request in fake.requests_of("appconfig")]
    assert [(query["key"], query["label"]) for query in queries] == [("app:*", "\0"), ("app:*", "prod")]


class Sized(BaseSettings):
    model_config = HIDDEN
    color: str
    size: int


def test_a_snapshot_selector_loads_the_snapshot(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(
        store, {"color": "live", "size": "1"}, snapshots={"release-7": {"color": "frozen", "size": "7"}}
    )
    with fake.as_cloud("china"):
        settings: Any = reading(Sized, store, selects=[SettingSelector(snapshot_name="release-7")])()
    assert (settings.color, settings.size) == ("frozen", 7)
    assert [request.path for request in fake.requests_of("appconfig")] == ["/snapshots/release-7", "/kv"]


class Nested(BaseSettings):
    model_config = HIDDEN
    database: Database
    hosts: list[str] = []


@pytest.mark.parametrize(
    ("values", "options"),
    [
        pytest.param({"database--host": "h1", "database--port": "6432"}, {}, id="key-vault-delimiter"),
        pytest.param(
            {"Database:Host": "h1", "Database:Port": "6432"}, {"env_nested_delimiter": ":"}, id="colons"
        ),
        pytest.param({"database": {"host": "h1", "port": 6432}}, {}, id="json"),
    ],
)
def test_nested_models_fill_from_delimited_keys_or_json(
    azenvcloud_fake_cloud: FakeCloud, values: dict[str, Any], options: dict[str, Any]
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {**values, "hosts": ["a", "b"]})
    with fake.as_cloud("usgov"):
        settings: Any = reading(Nested, store, **options)()
    assert (settings.database.host, settings.database.port, settings.hosts) == ("h1", 6432, ["a", "b"])


def test_settings_earlier_sources_give_whole_make_no_request(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue", "size": "1"}, permissions=[])  # a developer without access
    with fake.as_cloud("usgov"):
        settings: Any = reading(Sized, store)(color="local", size=3)
    assert (settings.color, settings.size) == ("local", 3)
    assert fake.requests == []


def test_a_missing_required_field_is_one_error_naming_the_store_the_field_and_the_key(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"})
    with fake.as_cloud("china"), pytest.raises(ConfigurationError) as missing:
        reading(Sized, store)()
    message = str(missing.value)
    assert f"App Configuration store https://{store}.azconfig.azure.cn (AzureChinaCloud)" in message
    assert "required field size (key 'size') of Sized among its key-values without a label" in message


# -- the store's answers --------------------------------------------------------------------------


def test_a_store_that_refuses_the_identity_is_one_error_at_once(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"}, permissions=[])
    started = time.monotonic()
    with fake.as_cloud("usgov"), pytest.raises(ConfigurationError) as refused:
        reading(Colored, store)()
    elapsed = time.monotonic() - started
    message = str(refused.value)
    assert (
        f"store https://{store}.azconfig.azure.us (AzureUSGovernment) refused to give its key-values"
        in message
    )
    assert "403 Forbidden" in message
    assert "App Configuration Data Reader" in message
    assert len(fake.requests_of("appconfig")) == 1  # not retried until startup_timeout
    # The provider holds a failed load until 5 s after it began (its minimum uptime), no longer.
    assert elapsed < 10
    assert refused.value.__cause__ is None


def test_a_token_the_store_refuses_names_the_audience_variable(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"})
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_SUFFIX", "appconfig.fake.azenvcloud.test")
    azenvcloud_env.setenv("AZURE_SERVICE_APPCONFIG_AUDIENCE", "https://wrong.fake.azenvcloud.test")
    with (
        fake.route_hosts(f"{store}.appconfig.fake.azenvcloud.test"),
        pytest.raises(ConfigurationError, match="refused the token") as refused,
    ):
        reading(Colored, store)()
    assert "audience https://wrong.fake.azenvcloud.test/" in str(refused.value)
    assert refused.value.variables == ("AZURE_SERVICE_APPCONFIG_AUDIENCE",)


def test_a_store_that_keeps_failing_is_given_up_within_the_startup_timeout(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"})
    fake.fail("/kv", 503, times=1000)
    started = time.monotonic()
    with fake.as_cloud("china"), pytest.raises(ConfigurationError) as failed:
        reading(Colored, store, startup_timeout=1)()
    elapsed = time.monotonic() - started
    assert "could not be loaded within startup_timeout=1 s" in str(failed.value)
    assert elapsed < 10


def test_the_startup_timeout_is_bounded() -> None:
    with pytest.raises(ValueError, match="at most 30 s"):
        AppConfigurationSettingsSource(Colored, store="cfg1", startup_timeout=100)


# -- no DNS of its own, unless asked -----------------------------------------------------------------


def test_replica_discovery_is_off_unless_asked_and_then_answered_by_the_fake(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dns.resolver

    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"})
    asked: list[str] = []
    fenced = dns.resolver.Resolver.resolve  # the fake's fence: no query leaves the machine

    def resolve(self: Any, qname: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(qname))
        return fenced(self, qname, *args, **kwargs)

    with fake.as_cloud("usgov"):
        monkeypatch.setattr(dns.resolver.Resolver, "resolve", resolve)
        assert reading(Colored, store)().color == "blue"  # type: ignore[attr-defined]
        assert asked == []
        assert reading(Colored, store, replica_discovery_enabled=True)().color == "blue"  # type: ignore[attr-defined]
        monkeypatch.undo()
    assert asked == [f"_origin._tcp.{store}.azconfig.azure.us"]  # NXDOMAIN: no replicas


# -- values stay where they belong ---------------------------------------------------------------------


class Shown(BaseSettings):
    db_password: str = "none"


def test_a_class_that_would_show_a_referenced_secret_in_errors_is_warned(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    fake.set_store(store, {"db-password": KeyVaultReference(f"https://{vault}.vault.azure.cn/secrets/p")})
    fake.set_secrets(vault, {"p": "s3cr3t"})
    with fake.as_cloud("china"), pytest.warns(UserWarning, match="hide_input_in_errors=True") as warned:
        reading(Shown, store, dash_to_underscore=True)()
    assert "through App Configuration" in str(warned[0].message)
    assert "s3cr3t" not in str(warned[0].message)


def test_no_secret_value_in_a_repr_or_a_log_line(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    fake, store, vault = azenvcloud_fake_cloud, _name("cfg"), _name("kv")
    fake.set_store(store, _values(f"https://{vault}.vault.azure.cn"))
    fake.set_secrets(vault, {"db-password": "pw-456"})
    caplog.set_level(logging.DEBUG)
    with fake.as_cloud("china"):
        source = AppConfigurationSettingsSource(AppSettings, store=store, dash_to_underscore=True)
        assert repr(source.env_vars) == "<App Configuration values: not loaded yet>"
        assert source()["db_password"] == "pw-456"
    shown = "\n".join([repr(source), repr(source.env_vars), caplog.text])
    assert f"https://{store}.azconfig.azure.cn" in shown
    assert "db-password" in repr(source.env_vars)  # the keys, never the values
    assert "pw-456" not in shown
    assert "(1 Key Vault references, 1 read)" in caplog.text


def test_without_the_provider_the_error_names_the_extra(azenvcloud_env: pytest.MonkeyPatch) -> None:
    import sys

    azenvcloud_env.setitem(sys.modules, "azure.appconfiguration.provider", None)  # as if not installed
    with pytest.raises(
        ImportError, match=r"needs azure-appconfiguration-provider: pip install .*\[appconfiguration\]"
    ):
        AppConfigurationSettingsSource(Colored, store="cfg1")


# -- what the provider is given ------------------------------------------------------------------------


def test_the_provider_gets_a_secret_resolver_and_never_a_key_vault_credential(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.appconfiguration import provider

    given: list[dict[str, Any]] = []
    real = provider.load

    def load(*args: Any, **kwargs: Any) -> Any:  # the real load, its arguments noted
        given.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(provider, "load", load)
    fake, store = azenvcloud_fake_cloud, _name("cfg")
    fake.set_store(store, {"color": "blue"})
    with fake.as_cloud("usgov"):
        assert reading(Colored, store)().color == "blue"  # type: ignore[attr-defined]
    (options,) = given
    assert not {"keyvault_credential", "keyvault_client_configs", "key_vault_options"} & options.keys()
    assert callable(options["secret_resolver"])
    assert (options["audience"], options["replica_discovery_enabled"], options["startup_timeout"]) == (
        "https://appconfig.azure.us/",
        False,
        30,
    )


def both(store_first: bool) -> type[BaseSettings]:
    """A class whose required fields come from a vault (``api_key``) and a store (``color``)."""

    class Both(BaseSettings):
        model_config = HIDDEN
        color: str
        api_key: SecretStr

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            from azenvcloud import KeyVaultSettingsSource

            vault = KeyVaultSettingsSource(settings_cls, vault="kv-both", dash_to_underscore=True)
            store = AppConfigurationSettingsSource(settings_cls, store="cfg-both")
            return (init_settings, store, vault) if store_first else (init_settings, vault, store)

    return Both


@pytest.mark.parametrize("store_first", [True, False], ids=["store-then-vault", "vault-then-store"])
def test_a_vault_and_a_store_fill_the_required_fields_of_one_class_together(
    azenvcloud_fake_cloud: FakeCloud, store_first: bool
) -> None:
    fake = azenvcloud_fake_cloud
    fake.set_secrets("kv-both", {"api-key": "k-1"})
    fake.set_store("cfg-both", {"color": "blue"})
    with fake.as_cloud("china"):
        settings: Any = both(store_first)()
        fake.set_store("cfg-both", {"size": "1"})
        with pytest.raises(ConfigurationError, match="required field color") as missing:
            both(store_first)()  # the last of the two to be called says so
    assert (settings.color, settings.api_key.get_secret_value()) == ("blue", "k-1")
    assert str(missing.value).startswith("Key Vault" if store_first else "App Configuration store")
