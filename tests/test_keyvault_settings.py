"""``KeyVaultSettingsSource``: a settings class's secrets from a Key Vault of the resolved cloud,
each asked for by name, with the configuration's credential, on the wire against the fake."""

from __future__ import annotations

import logging
import time
import uuid
import warnings
from typing import Any

import pytest
from helpers.naming_cases import settings_with
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from azenvcloud import ConfigurationError, KeyVaultSettingsSource
from azenvcloud._parsers import host_of
from azenvcloud._secret_names import SecretNaming
from azenvcloud.testing import FakeCloud

VAULT_SUFFIX = {
    "usgov": "vault.usgovcloudapi.net",
    "china": "vault.azure.cn",
    "bleu": "vault.sovcloud-api.fr",
}
HIDDEN = SettingsConfigDict(hide_input_in_errors=True)


def _vault() -> str:
    # azure-keyvault keeps each vault's challenge for the process: a vault no test asked before,
    # so that the challenge (and the scope it names) is asked here.
    return f"kv-{uuid.uuid4().hex[:12]}"


class Database(BaseModel):
    host: str
    password: SecretStr
    port: int = 5432


def reading(model: type[BaseSettings], vault: str, **options: Any) -> type[BaseSettings]:
    """``model`` with the Key Vault source alone after the init arguments."""
    return settings_with(
        model, lambda cls: KeyVaultSettingsSource(cls, vault=vault, **options), after_init=True
    )


class AppSettings(BaseSettings):
    model_config = HIDDEN
    api_key: SecretStr
    database: Database
    log_level: str = "info"


SECRETS = {"api-key": "k-123", "database--host": "db.internal", "database--password": "pw-456"}


# -- each cloud's vault, with each cloud's scope --------------------------------------------------


@pytest.mark.parametrize("cloud", sorted(VAULT_SUFFIX))
def test_a_settings_class_reads_its_secrets_from_the_clouds_vault_with_its_scope(
    azenvcloud_fake_cloud: FakeCloud, cloud: str
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, SECRETS)
    with fake.as_cloud(cloud) as expected:
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True)()
    assert settings.api_key.get_secret_value() == "k-123"
    assert (settings.database.host, settings.database.password.get_secret_value()) == (
        "db.internal",
        "pw-456",
    )
    assert (settings.database.port, settings.log_level) == (5432, "info")  # no secret: the defaults
    suffix = VAULT_SUFFIX[cloud]
    (token,) = fake.requests_of("token")
    assert token.host == host_of(expected.authority_host)
    assert token.scope == f"https://{suffix}/.default"
    requests = fake.requests_of("keyvault")
    assert {request.host for request in requests} == {f"{vault}.{suffix}"}
    assert {request.scope for request in requests if request.bearer} == {f"https://{suffix}/.default"}
    assert [request.path for request in requests if request.path.rstrip("/") == "/secrets"] == []  # no List


def test_a_custom_clouds_vault_comes_from_its_metadata_with_its_scope(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)  # the Resource Manager alone: Key Vault's suffix from its metadata
    fake.set_secrets(vault, SECRETS)
    with fake.route_hosts(f"{vault}.vault.fake.azenvcloud.test"):
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True)()
    assert settings.database.password.get_secret_value() == "pw-456"
    (token,) = fake.requests_of("token")
    assert token.scope == "https://vault.fake.azenvcloud.test/.default"
    assert {request.host for request in fake.requests_of("keyvault")} == {
        f"{vault}.vault.fake.azenvcloud.test"
    }


def test_a_vault_url_of_the_resolved_cloud_is_read_as_a_name_is(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, SECRETS)
    with fake.as_cloud("china"):
        settings: Any = reading(AppSettings, f"https://{vault}.vault.azure.cn/", dash_to_underscore=True)()
    assert settings.api_key.get_secret_value() == "k-123"


@pytest.mark.parametrize(
    ("cloud", "url", "owner"),
    [
        pytest.param("china", "https://kv1.vault.azure.net", "AzureCloud", id="public-vault-under-china"),
        pytest.param("usgov", "https://kv1.vault.azure.cn", "AzureChinaCloud", id="china-vault-under-usgov"),
        pytest.param(
            "bleu", "https://kv1.vault.usgovcloudapi.net", "AzureUSGovernment", id="usgov-under-bleu"
        ),
    ],
)
def test_a_vault_url_of_another_cloud_is_refused_before_any_request(
    azenvcloud_fake_cloud: FakeCloud, cloud: str, url: str, owner: str
) -> None:
    fake = azenvcloud_fake_cloud
    fake.set_secrets("kv1", SECRETS)
    # The other cloud's vault answers here too: without the check, its secrets would be read.
    with (
        fake.as_cloud(cloud),
        fake.route_hosts(host_of(url)),
        pytest.raises(ConfigurationError, match=f"belongs to {owner}") as refused,
    ):
        reading(AppSettings, url, dash_to_underscore=True)()
    assert fake.requests == []
    assert refused.value.__cause__ is None


def test_a_vault_url_of_another_custom_cloud_host_is_refused(azenvcloud_fake_cloud: FakeCloud) -> None:
    with (
        azenvcloud_fake_cloud.as_cloud("china"),
        pytest.raises(ConfigurationError, match="is not a Key Vault host of AzureChinaCloud"),
    ):
        reading(AppSettings, "https://kv1.example.org", dash_to_underscore=True)()
    assert azenvcloud_fake_cloud.requests == []


# -- by name, concurrently, no List -----------------------------------------------------------


class TenSecrets(BaseSettings):
    model_config = HIDDEN
    s0: str
    s1: str
    s2: str
    s3: str
    s4: str
    s5: str
    s6: str
    s7: str
    s8: str
    s9: str


def test_ten_secrets_are_read_at_once_and_nothing_is_listed(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {f"s{index}": f"v{index}" for index in range(10)}, permissions=["get"])
    fake.latency("/secrets/", 0.5)
    with fake.as_cloud("usgov"):
        started = time.monotonic()
        settings: Any = reading(TenSecrets, vault)()
        elapsed = time.monotonic() - started
    assert [getattr(settings, f"s{index}") for index in range(10)] == [f"v{index}" for index in range(10)]
    gets = [request for request in fake.requests_of("keyvault") if request.bearer]
    assert sorted(request.path for request in gets) == [f"/secrets/s{index}/" for index in range(10)]
    # All at once: one after another, ten answers 0.5 s late take 5 s (and the challenge 0.5 s more).
    assert elapsed < 2.5


def test_list_secrets_lists_once_and_gets_only_what_the_class_reads(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {**SECRETS, **{f"unrelated-{i}": "x" for i in range(30)}})
    with fake.as_cloud("china"):
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True, list_secrets=True)()
    assert settings.database.host == "db.internal"
    authorized = [request.path for request in fake.requests_of("keyvault") if request.bearer]
    assert [path for path in authorized if path == "/secrets"] == ["/secrets", "/secrets"]  # 2 pages of 25
    assert sorted(path for path in authorized if path != "/secrets") == [
        "/secrets/api-key/",
        "/secrets/database--host/",
        "/secrets/database--password/",
    ]


class WithTags(BaseSettings):
    model_config = HIDDEN
    name: str = "app"
    tags: dict[str, str] = {}


def test_a_dict_field_needs_list_secrets_and_is_refused_before_any_request(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"tags--team": "blue", "tags--env": "prod"})
    with fake.as_cloud("usgov"):
        with pytest.raises(ConfigurationError, match=r"dict fields \(tags\).*list_secrets=True"):
            reading(WithTags, vault)()
        assert fake.requests_of("keyvault") == []
        settings: Any = reading(WithTags, vault, list_secrets=True)()
    assert settings.tags == {"team": "blue", "env": "prod"}


# -- what is missing, disabled or refused -------------------------------------------------------


class WithDefaults(BaseSettings):
    model_config = HIDDEN
    region: str = "default-region"
    retired: str = "default-retired"
    present: str = "default-present"


def test_a_missing_or_disabled_secret_keeps_the_default(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"retired": "old", "present": "new"}, disabled=["retired"])
    with fake.as_cloud("bleu"):
        settings: Any = reading(WithDefaults, vault)()
    assert (settings.region, settings.retired, settings.present) == (
        "default-region",
        "default-retired",
        "new",
    )


def test_a_missing_required_secret_is_one_error_naming_the_vault_the_secret_and_the_field(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"api-key": "k-123", "database--host": "db.internal"})
    with fake.as_cloud("usgov"), pytest.raises(ConfigurationError) as missing:
        reading(AppSettings, vault, dash_to_underscore=True)()
    message = str(missing.value)
    assert f"Key Vault https://{vault}.vault.usgovcloudapi.net (AzureUSGovernment)" in message
    assert "field database.password (secret 'database--password': not found)" in message
    assert missing.value.__cause__ is None
    assert "k-123" not in message


def test_a_required_field_an_earlier_source_gives_is_not_missing(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"api-key": "k-123", "database--host": "db.internal"})
    with fake.as_cloud("usgov"):
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True)(database={"password": "init"})
    assert (settings.database.host, settings.database.password.get_secret_value()) == ("db.internal", "init")


class FromEverywhere(BaseSettings):
    model_config = HIDDEN
    api_key: SecretStr
    database: Database

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        vault = KeyVaultSettingsSource(settings_cls, vault="kv-everywhere", dash_to_underscore=True)
        return init_settings, env_settings, vault


def test_a_field_the_environment_gives_is_not_asked_of_the_vault(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    fake.set_secrets("kv-everywhere", {"api-key": "from-vault", "database--password": "pw-456"})
    azenvcloud_env.setenv("API_KEY", "from-env")
    azenvcloud_env.setenv("DATABASE__HOST", "ignored: no nested delimiter for the environment")
    azenvcloud_env.setenv("DATABASE", '{"host": "db.env"}')
    with fake.as_cloud("usgov"):
        settings: Any = FromEverywhere()
    assert settings.api_key.get_secret_value() == "from-env"  # the environment's, listed first
    assert (settings.database.host, settings.database.password.get_secret_value()) == ("db.env", "pw-456")
    asked = {request.path for request in fake.requests_of("keyvault")}
    assert "/secrets/api-key/" not in asked  # given whole by the environment: never read
    assert "/secrets/database--password/" in asked  # a nested value is merged: still read


def test_settings_the_environment_gives_whole_make_no_request_to_the_vault(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = azenvcloud_fake_cloud
    fake.set_secrets("kv-everywhere", SECRETS, permissions=[])  # a developer without access to it
    azenvcloud_env.setenv("API_KEY", "dev-key")
    azenvcloud_env.setenv("DATABASE", '{"host": "localhost", "password": "dev", "port": 5432}')
    with fake.as_cloud("usgov"):
        settings: Any = FromEverywhere()
    assert settings.database.password.get_secret_value() == "dev"
    assert fake.requests_of("keyvault") == []


def test_a_disabled_required_secret_says_it_is_disabled(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {**SECRETS, "api-key": "old"}, disabled=["api-key"])
    with (
        fake.as_cloud("china"),
        pytest.raises(ConfigurationError, match=r"api_key \(secret 'api-key': disabled\)"),
    ):
        reading(AppSettings, vault, dash_to_underscore=True)()


def test_a_field_no_secret_can_be_named_after_says_how_to_name_it(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, SECRETS)
    with (
        fake.as_cloud("china"),
        pytest.raises(ConfigurationError, match="dash_to_underscore=True") as missing,
    ):
        reading(AppSettings, vault)()  # api_key: no Key Vault name has an underscore
    assert "no secret can be named 'api_key'" in str(missing.value)
    assert all("_" not in request.path for request in azenvcloud_fake_cloud.requests_of("keyvault"))


def test_a_403_is_one_error_naming_the_vault_the_secrets_and_the_fields(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, SECRETS, permissions=["list"])
    with fake.as_cloud("usgov"), pytest.raises(ConfigurationError) as refused:
        reading(AppSettings, vault, dash_to_underscore=True)()
    message = str(refused.value)
    assert f"Key Vault https://{vault}.vault.usgovcloudapi.net (AzureUSGovernment) refused" in message
    assert "'api-key' (field api_key)" in message
    assert "'database--password' (field database.password)" in message
    assert "403 Forbidden (Forbidden: AccessDenied)" in message
    assert "does not have secrets get permission" in message  # the vault's own words, naming the identity
    assert refused.value.__cause__ is None
    assert refused.value.__suppress_context__ or refused.value.__context__ is None


def test_an_identity_without_list_is_told_list_secrets_is_not_needed(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, SECRETS, permissions=["get"])
    with fake.as_cloud("china"):
        with pytest.raises(ConfigurationError, match=r"refused to list.*list_secrets=False \(the default\)"):
            reading(AppSettings, vault, dash_to_underscore=True, list_secrets=True)()
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True)()  # Get alone is enough
    assert settings.api_key.get_secret_value() == "k-123"


# -- secrets stay secret ------------------------------------------------------------------------


class Shown(BaseSettings):
    token: str = "none"


def test_a_class_that_would_show_inputs_in_errors_is_warned_once(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"token": "t-789"})
    source_class = reading(Shown, vault)
    with fake.as_cloud("china"):
        with pytest.warns(UserWarning, match="hide_input_in_errors=True") as warned:
            source_class()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert source_class().token == "t-789"  # type: ignore[attr-defined]
    assert "t-789" not in str(warned[0].message)
    assert warned[0].filename == __file__  # where the class chose its sources


class Validated(BaseSettings):
    model_config = HIDDEN
    port: int


def test_no_secret_value_in_a_message_a_repr_or_a_log_line(
    azenvcloud_fake_cloud: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {**SECRETS, "port": "not-a-port-s3cr3t"})
    caplog.set_level(logging.DEBUG)
    with fake.as_cloud("usgov"):
        settings: Any = reading(AppSettings, vault, dash_to_underscore=True)()
        source = KeyVaultSettingsSource(AppSettings, vault=vault, dash_to_underscore=True)
        assert repr(source.env_vars) == "<Key Vault secrets: not read yet>"
        source()
        with pytest.raises(Exception) as invalid:  # noqa: PT011 - pydantic's ValidationError
            reading(Validated, vault)()
    shown = "\n".join([repr(settings), repr(source), repr(source.env_vars), str(invalid.value), caplog.text])
    assert f"https://{vault}.vault.usgovcloudapi.net" in shown
    assert "api-key" in repr(source.env_vars)  # the names, never the values
    for value in ("k-123", "pw-456", "not-a-port-s3cr3t"):
        assert value not in shown
    assert "azenvcloud read 3 secrets for AppSettings" in caplog.text


# -- the names asked for ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("naming", "key", "names"),
    [
        pytest.param(SecretNaming(False, False, ""), "api-key", ("api-key",), id="as-is"),
        pytest.param(SecretNaming(False, False, ""), "Api-Key", ("api-key",), id="lower-cased"),
        pytest.param(SecretNaming(True, False, ""), "Api-Key", ("Api-Key",), id="case-sensitive"),
        pytest.param(SecretNaming(False, False, ""), "api_key", (), id="no-key-vault-name-has-an-underscore"),
        pytest.param(
            SecretNaming(True, True, ""), "database_url", ("database-url", "databaseurl"), id="snake"
        ),
        pytest.param(
            SecretNaming(True, True, ""),
            "db__host_name",
            ("db--host-name", "db--hostname"),
            id="snake-nested",
        ),
        pytest.param(SecretNaming(True, True, ""), "key1", ("key-1", "key1"), id="snake-digit"),
        pytest.param(
            SecretNaming(True, True, "MyApp"),
            "MyAppmax_retries",
            ("MyAppmax-retries", "MyAppmaxretries"),
            id="snake-prefix",
        ),
    ],
)
def test_the_names_asked_for_are_those_pydantic_settings_would_file_under_the_key(
    naming: SecretNaming, key: str, names: tuple[str, ...]
) -> None:
    assert naming.names_for(key) == names
    assert all(naming.key_of(name) == naming.lookup(key) or naming.snake_case_conversion for name in names)


def test_snake_case_spellings_are_bounded() -> None:
    names = SecretNaming(True, True, "").names_for("a_b_c_d_e_f_g")
    assert names == ("a-b-c-d-e-f-g", "abcdefg")  # 2**6 spellings would be 64 requests: the two extremes


def test_without_the_key_vault_sdk_the_error_names_the_extra(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    import sys

    azenvcloud_env.setitem(sys.modules, "azure.keyvault.secrets", None)  # as if not installed
    with pytest.raises(ImportError, match=r"needs azure-keyvault-secrets: pip install .*\[keyvault\]"):
        KeyVaultSettingsSource(AppSettings, vault="kv1")
