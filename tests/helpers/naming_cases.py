"""The naming cases of the settings sources: settings classes and keyword arguments of
pydantic-settings (case, dashes, nesting, prefixes, aliases, enums), and a vault's worth of names
in several spellings, with the fields each case fills. The Key Vault parity test and the App
Configuration naming test both run them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

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


def settings_with(
    model: type[BaseSettings], source: Callable[[type[BaseSettings]], Any], *, after_init: bool = False
) -> type[BaseSettings]:
    """``model`` (under its own name) read by ``source(settings_cls)`` alone, or, ``after_init``,
    after the init arguments: the one way the settings-source tests build a class to read."""

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
            return (init_settings, source(settings_cls)) if after_init else (source(settings_cls),)

    Reading.__name__ = model.__name__
    return Reading


def outcome(make: Callable[[], BaseSettings]) -> tuple[str, Any]:
    try:
        return "values", make().model_dump()
    except Exception as exc:  # either source may refuse: compared as "failed"
        return "failed", type(exc).__name__
