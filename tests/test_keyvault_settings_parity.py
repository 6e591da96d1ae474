"""Parity: azenvcloud's ``KeyVaultSettingsSource`` and pydantic-settings' own
``AzureKeyVaultSettingsSource`` (its ``azure-key-vault`` extra), over the same settings classes,
keyword arguments and vault, give the same values wherever both work (and fail together).

pydantic-settings' source lists the vault and gets what it finds; azenvcloud's asks for each name
the class can use. The vault here holds names in several spellings and cases, a disabled secret,
nested and prefixed names, so that a name azenvcloud failed to ask for would show as a
difference."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import (
    AzureKeyVaultSettingsSource,
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from azenvcloud import KeyVaultSettingsSource, get_client, get_credential
from azenvcloud.testing import FakeCloud

HIDDEN = SettingsConfigDict(hide_input_in_errors=True)

VAULT = {
    "apikey": "plain-apikey",
    "api-key": "dashed-api-key",
    "Region": "Region-cased",
    "Db--Host": "db-host",
    "db--port": "6543",
    "DB--PASSWORD": "db-password",
    "db--pool--size": "7",
    "DatabaseUrl": "postgres://camel",
    "myapp-token": "prefixed-token",
    "MyAppRetries": "5",
    "mode": "FAST",
    "nothing": "null",
    "retired": "disabled-value",
    "tags--team": "blue",
    "tags--env": "prod",
    "service-name": "svc",
    "LegacyName": "legacy",
}
DISABLED = ["retired"]


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


class Pool(BaseModel):
    size: int = 1


class Db(BaseModel):
    host: str = "localhost"
    port: int = 5432
    password: str = "none"
    pool: Pool = Pool()


class Flat(BaseSettings):
    model_config = HIDDEN
    apikey: str = "default"
    api_key: str = "default"
    region: str = "default"
    Region: str = "default"  # a field in another case, for case_sensitive
    retired: str = "default"
    nothing: str | None = "default"
    missing: str = "default"


class Nested(BaseSettings):
    model_config = HIDDEN
    db: Db = Db()
    service_name: str = "default"


class OptionalNested(BaseSettings):
    model_config = HIDDEN
    db: Db | None = None


class Snake(BaseSettings):
    model_config = HIDDEN
    database_url: str = "default"
    api_key: str = "default"
    db: Db = Db()
    my_app_retries: int = 0


class Prefixed(BaseSettings):
    model_config = HIDDEN
    token: str = "default"
    retries: int = 0


class Aliased(BaseSettings):
    model_config = HIDDEN
    name: str = Field(default="default", validation_alias=AliasChoices("service-name", "LegacyName"))
    legacy: str = Field(default="default", validation_alias="LegacyName")


class Enums(BaseSettings):
    model_config = HIDDEN
    mode: Mode = Mode.SLOW


class Tags(BaseSettings):
    model_config = HIDDEN
    tags: dict[str, str] = {}


CASES: list[tuple[type[BaseSettings], dict[str, Any], set[str] | None]] = [
    # the class, the keyword arguments, the fields a secret fills (None: validation fails)
    (Flat, {}, {"apikey", "region", "Region", "nothing"}),
    (Flat, {"dash_to_underscore": True}, {"apikey", "api_key", "region", "Region", "nothing"}),
    (Flat, {"case_sensitive": True}, {"apikey", "Region", "nothing"}),
    (Flat, {"case_sensitive": True, "dash_to_underscore": True}, {"apikey", "api_key", "Region", "nothing"}),
    (Flat, {"env_parse_none_str": "null"}, {"apikey", "region", "Region", "nothing"}),
    (Flat, {"snake_case_conversion": True}, {"apikey", "api_key", "region", "Region", "nothing"}),
    (Nested, {}, {"db"}),
    (Nested, {"dash_to_underscore": True}, {"db", "service_name"}),
    (Nested, {"case_sensitive": True}, {"db"}),  # db--port and db--pool--size only
    (Nested, {"snake_case_conversion": True}, {"db", "service_name"}),
    (OptionalNested, {}, {"db"}),
    (OptionalNested, {"dash_to_underscore": True}, {"db"}),
    (Snake, {"snake_case_conversion": True}, {"database_url", "api_key", "db", "my_app_retries"}),
    (Snake, {"dash_to_underscore": True}, {"api_key", "db"}),
    (Prefixed, {"env_prefix": "myapp-"}, {"token"}),
    (Prefixed, {"env_prefix": "MyApp", "snake_case_conversion": True}, {"retries"}),
    (Prefixed, {"env_prefix": "MYAPP-", "case_sensitive": True}, set()),  # myapp-token: another case
    (Aliased, {}, {"name", "legacy"}),
    (Aliased, {"case_sensitive": True}, {"name", "legacy"}),
    (Enums, {}, None),  # FAST is a name, not a value
    (Enums, {"env_parse_enums": True}, {"mode"}),
]


def _id(model: type[BaseSettings], options: dict[str, Any]) -> str:
    return model.__name__ + "".join(f"-{key}={value}" for key, value in options.items())


def settings_with(
    model: type[BaseSettings], source: Callable[[type[BaseSettings]], Any]
) -> type[BaseSettings]:
    class Reading(model):  # type: ignore[valid-type, misc]
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (source(settings_cls),)

    return Reading


def outcome(make: Callable[[], BaseSettings]) -> tuple[str, Any]:
    try:
        return "values", make().model_dump()
    except Exception as exc:  # either source may refuse: compared as "failed"
        return "failed", type(exc).__name__


@pytest.fixture
def vault(azenvcloud_fake_cloud: FakeCloud) -> Any:
    """A vault of ``VAULT`` in the fake acting as US Government: its URL."""
    fake = azenvcloud_fake_cloud
    name = f"kv-{uuid.uuid4().hex[:12]}"
    fake.set_secrets(name, VAULT, disabled=DISABLED)
    with fake.as_cloud("usgov"):
        yield f"https://{name}.vault.usgovcloudapi.net"


def theirs(url: str, options: dict[str, Any]) -> Callable[[type[BaseSettings]], Any]:
    # Their source builds its own SecretClient: the fake's CA is trusted through REQUESTS_CA_BUNDLE.
    return lambda cls: AzureKeyVaultSettingsSource(cls, url, get_credential(), **options)


def ours(url: str, options: dict[str, Any]) -> Callable[[type[BaseSettings]], Any]:
    return lambda cls: KeyVaultSettingsSource(cls, vault=url, **options)


@pytest.mark.parametrize(("model", "options"), [pytest.param(m, o, id=_id(m, o)) for m, o, _ in CASES])
def test_both_sources_give_the_same_values(
    vault: str, model: type[BaseSettings], options: dict[str, Any], azenvcloud_fake_cloud: FakeCloud
) -> None:
    expected = outcome(settings_with(model, theirs(vault, options)))
    before = len(azenvcloud_fake_cloud.requests)
    found = outcome(settings_with(model, ours(vault, options)))
    assert found == expected
    assert not [r for r in azenvcloud_fake_cloud.requests[before:] if r.path.rstrip("/") == "/secrets"]


@pytest.mark.parametrize(
    ("model", "options"),
    [
        pytest.param(Tags, {}, id="dict"),
        pytest.param(Tags, {"case_sensitive": True}, id="dict-case-sensitive"),
        pytest.param(Nested, {"dash_to_underscore": True}, id="nested"),
        pytest.param(Flat, {"snake_case_conversion": True}, id="snake"),
    ],
)
def test_with_list_secrets_both_give_the_same_values(
    vault: str, model: type[BaseSettings], options: dict[str, Any]
) -> None:
    expected = outcome(settings_with(model, theirs(vault, options)))
    assert outcome(settings_with(model, ours(vault, {**options, "list_secrets": True}))) == expected


@pytest.mark.parametrize(
    ("model", "options", "filled"), [pytest.param(m, o, f, id=_id(m, o)) for m, o, f in CASES]
)
def test_the_cases_read_the_vault_not_only_defaults(
    vault: str, model: type[BaseSettings], options: dict[str, Any], filled: set[str] | None
) -> None:
    """The parity above is not two sources agreeing on nothing: these fields come from the vault."""
    kind, values = outcome(settings_with(model, ours(vault, options)))
    if filled is None:
        assert kind == "failed"
        return
    defaults = model().model_dump()
    assert kind == "values"
    assert {name for name, value in values.items() if value != defaults[name]} == filled


def test_nested_values_come_from_their_secrets(vault: str) -> None:
    assert outcome(settings_with(Nested, ours(vault, {"dash_to_underscore": True}))) == (
        "values",
        {
            "db": {"host": "db-host", "port": 6543, "password": "db-password", "pool": {"size": 7}},
            "service_name": "svc",
        },
    )


def test_without_list_permission_only_azenvcloud_reads_the_vault(
    azenvcloud_fake_cloud: FakeCloud, vault: str
) -> None:
    azenvcloud_fake_cloud.set_secrets(vault.split("//")[1], VAULT, disabled=DISABLED, permissions=["get"])
    with pytest.raises(HttpResponseError, match="list permission"):
        settings_with(Nested, theirs(vault, {"dash_to_underscore": True}))()
    settings: Any = settings_with(Nested, ours(vault, {"dash_to_underscore": True}))()
    assert settings.db.password == "db-password"


def test_the_same_client_class_and_vault_url(vault: str) -> None:
    from azure.keyvault.secrets import SecretClient

    source = KeyVaultSettingsSource(Flat, vault=vault)
    assert source._client is get_client(SecretClient, vault_url=vault)
    assert source._url == vault
