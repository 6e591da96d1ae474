"""The pydantic-settings model: sources, their precedence, provenance, and the cached settings."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from pydantic import PrivateAttr, ValidationError, computed_field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from . import _trust
from ._cloud_selection import SDK_CLOUD_CONF
from ._clouds import CloudEndpoints, CloudSuffixes
from ._configuration_names import declared_names
from ._env_file import ENV_FILE_VARIABLE, EnvFile, EnvFileChoice, choose_env_file, is_implicit, read_env_file
from ._errors import ConfigurationError, collecting, quote_value
from ._fork import renew_locks
from ._provenance import IDENTITY_VARIABLES, VARIABLES, Source, SourceKind
from ._resolution import resolve
from ._secret_values import is_secret_variable, remember_secret
from ._services import SERVICES_KEY, is_service_variable
from ._typos import find_typos
from ._variables import FIELDS, Fields, of_use, own_values

__all__ = [
    "ENV_FILE_VARIABLE",
    "Settings",
    "configure",
    "get_settings",
    "on_change",
    "reading_configuration",
    "reset_settings",
]

_SOURCES_KEY = "__azenvcloud_sources__"
# The settings a variable of the cloud's own sets (AZURE_CLOUD, the endpoints): resolution decides them.
_OF_CLOUD = tuple(variable.field for variable in FIELDS if variable.of_cloud and variable.field != "cloud")
_ALIASES = {variable.name: variable.field for variable in of_use("alias")}
_log = logging.getLogger("azenvcloud")
# The .env file read for the Settings being built in this context: read once in __init__, then
# handed to the settings source (pydantic-settings builds sources without our arguments).
_reading: contextvars.ContextVar[EnvFile | None] = contextvars.ContextVar("azenvcloud_env_file", default=None)
# The environment the Settings being built in this context reads: os.environ, or a named
# configuration's own values under their unprefixed names (``_variables.own_values``).
_environment: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "azenvcloud_environment", default=None
)
# The name of the named configuration Settings() builds in this context ("": the default).
_named: contextvars.ContextVar[str] = contextvars.ContextVar("azenvcloud_configuration", default="")


@contextlib.contextmanager
def reading_configuration(name: str) -> Iterator[None]:
    """Have ``Settings()`` built in this context read the named configuration ``name`` (``gov``):
    its own ``GOV_`` values from the environment and the ``.env`` file, under the unprefixed names,
    and nothing unprefixed; no ``AZURE_SDK_CLOUD_CONF``, no alias, no typo check."""
    token = _named.set(name)
    try:
        yield
    finally:
        _named.reset(token)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Recorded:
    """Wrap a settings source: keep only our fields, drop blanks, and note where each came from.

    pydantic-settings merges the sources' dicts recursively with the earlier source winning, so
    the nested provenance dict ends up naming, for every field, the source whose value won.
    """

    def __init__(
        self,
        source: Callable[[], Mapping[str, Any]],
        kind: SourceKind,
        detail: str = "",
        *,
        implicit: bool = False,
    ) -> None:
        self._source = source
        self._kind = kind
        self._detail = detail
        self._implicit = implicit

    def __call__(self) -> dict[str, Any]:
        given = self._source()
        found = {
            field: value for field, value in given.items() if field in VARIABLES and not _is_blank(value)
        }
        source = Source(self._kind, self._detail, self._implicit)
        sources: dict[str, Any] = dict.fromkeys(found, source)
        services = given.get(SERVICES_KEY)
        if services:  # one dict of AZURE_SERVICE_* variables, merged per variable across sources
            found[SERVICES_KEY] = dict(services)
            sources[SERVICES_KEY] = dict.fromkeys(services, source)
        return {**found, _SOURCES_KEY: sources}


class _Variables(PydanticBaseSettingsSource):
    """Variables by their exact names, from one mapping: the environment or a .env file.

    ``names`` maps each attribute to the variable that sets it, whatever its prefix
    (``AZURE_CLOUD``, ``AZENVCLOUD_METADATA_TTL``): by default the declared names
    (``_provenance.VARIABLES``); the aliases' (the Azure CLI's ``ARM_CLOUD_METADATA_URL``) for the
    source read below everything else; a prefixed configuration's own (``_variables.names``).
    """

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        values: Mapping[str, str],
        *,
        names: Mapping[str, str] = VARIABLES,
        services: bool = True,
    ) -> None:
        super().__init__(settings_cls)
        self._values = values
        self._names = names
        self._services = services

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            field: self._values[name] for field, name in self._names.items() if name in self._values
        }
        if not self._services:
            return found
        services = {
            name: value
            for name, value in self._values.items()
            if is_service_variable(name) and not _is_blank(value)
        }
        if services:
            found[SERVICES_KEY] = services
        return found


class Settings(Fields):
    """The resolved Azure configuration of this process.

    Read from, highest precedence first: arguments passed in code, the process environment, a
    ``.env`` file (``./.env`` unless ``AZENVCLOUD_ENV_FILE`` or ``_env_file`` names another), and
    the selected cloud's built-in defaults. Blank values count as unset. Construction resolves
    and validates everything; any problem raises :class:`~azenvcloud.ConfigurationError`.

    Its attributes are the settings, one per variable, each named as its variable is
    (``AZURE_AUTHORITY_HOST`` is ``authority_host``): every one, with its type, default and
    meaning, is in the [variables reference](variables.md), generated from the variables'
    declarations (``azenvcloud/_variables.py``). ``cloud`` is the effective cloud,
    overrides applied; ``cloud_name``, ``credential_scopes``, ``endpoints`` and ``suffixes`` are
    read from it. Keyword arguments set attributes of the same names in code (the highest
    precedence): a string as in the environment, or a value of the attribute's type (a path, a
    list of hosts); ``_env_file`` is a path, or ``False`` for none.

    Raises:
        ConfigurationError: The configuration is invalid or inconsistent.
        TypeError: A keyword argument is no attribute's name.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, defer_build=False)

    _sources: dict[str, Source] = PrivateAttr(default_factory=dict)
    _env_file: str | None = PrivateAttr(default=None)
    _identity_from_env_file: dict[str, str] = PrivateAttr(default_factory=dict)
    _warnings: tuple[str, ...] = PrivateAttr(default=())
    _configuration: str | None = PrivateAttr(default=None)

    def __init__(self, *, _env_file: EnvFileChoice = None, **arguments: object) -> None:
        unknown = sorted(set(arguments) - set(VARIABLES))
        if unknown:
            raise TypeError(f"Settings() got unknown arguments {unknown}; accepted: {sorted(VARIABLES)}")
        named = _named.get()
        environment: Mapping[str, str] = own_values(named, os.environ) if named else os.environ
        path = choose_env_file(_env_file)
        env_file = read_env_file(path, implicit=is_implicit(_env_file)) if path is not None else None
        if env_file is not None:  # every secret it holds, any configuration's, before any message
            for name, value in env_file.values.items():
                if is_secret_variable(name):
                    remember_secret(value)
        if env_file is not None and named:  # the configuration's own values, and nothing else
            env_file = EnvFile(env_file.path, own_values(named, env_file.values), env_file.implicit)
        if env_file is not None:  # azure-identity's paths to a secret, before anything reads them
            _trust.check_env_file_variables(
                env_file.values, Source("dotenv", env_file.path, env_file.implicit), environment
            )
        given: dict[str, Any] = {
            field: _as_given(value) for field, value in arguments.items() if value is not None
        }
        token = _reading.set(env_file)
        reading = _environment.set(environment)
        try:
            with collecting() as noticed:
                super().__init__(**given)
        except ValidationError as exc:
            raise _as_configuration_error(exc) from None
        finally:
            _reading.reset(token)
            _environment.reset(reading)
        if env_file is not None:
            self._env_file = env_file.path
            self._identity_from_env_file = {
                name: value for name, value in env_file.values.items() if name in IDENTITY_VARIABLES
            }
        values = env_file.values if env_file is not None else {}
        self._configuration = named or None
        typos = (
            ()
            if named
            else find_typos(
                os.environ,
                values,
                self._env_file,
                self.cloud_name,
                configurations=declared_names(os.environ, values),
            )
        )
        self._warnings = (*noticed, *typos)
        for warning in self._warnings:  # once per resolution
            _log.warning("azenvcloud: %s", warning)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The precedence, highest first: arguments, environment, .env file, then the aliases (the
        Azure CLI's ``ARM_CLOUD_METADATA_URL``) from the environment.

        Built-in cloud defaults (or a cloud's metadata) come last, during resolution, because
        which cloud's values apply depends on the values above.
        """
        env_file = _reading.get()
        dotenv_values = env_file.values if env_file is not None else {}
        named = bool(_named.get())  # a named configuration's Settings() (reading_configuration)
        recorded: list[Callable[[], dict[str, Any]]] = [
            _Recorded(init_settings, "argument"),
            _Recorded(_Variables(settings_cls, _read_environment()), "environment"),
            _Recorded(
                _Variables(settings_cls, dotenv_values),
                "dotenv",
                env_file.path if env_file else "",
                implicit=env_file.implicit if env_file else False,
            ),
            *(  # another tool's name for a setting (the Azure CLI's), below everything of ours
                _Recorded(
                    _Variables(settings_cls, os.environ, names={field: name}, services=False),
                    "environment",
                    name,
                )
                for name, field in _ALIASES.items()
                if not named  # another tool's variable is the default configuration's alone
            ),
        ]
        # pydantic-settings calls each source; _Recorded is a callable wrapper, not its subclass.
        return tuple(recorded)  # type: ignore[arg-type]

    @model_validator(mode="wrap")
    @classmethod
    def _resolve(cls, raw: Any, handler: Callable[[dict[str, Any]], Settings]) -> Settings:
        if not isinstance(raw, Mapping) or _SOURCES_KEY not in raw:
            raise ConfigurationError(
                "Settings are built from their sources: call Settings(...) or get_settings()."
            )
        resolution = resolve(
            {k: v for k, v in raw.items() if k in VARIABLES or k == SERVICES_KEY},
            raw[_SOURCES_KEY],
            # azure-core reads it from the environment only; a named configuration's holds none
            sdk_cloud_conf=_read_environment().get(SDK_CLOUD_CONF),
        )
        cloud = resolution.cloud
        settings = handler(
            {
                "cloud": cloud,
                **{field: getattr(cloud, field) for field in _OF_CLOUD},
                **resolution.settings,
            }
        )
        settings._sources = dict(resolution.sources)
        return settings

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cloud_name(self) -> str:
        """Canonical cloud name: ``AzureCloud``, ``AzureChinaCloud``, ..., or ``Custom``."""
        return self.cloud.name

    @computed_field  # type: ignore[prop-decorator]
    @property
    def credential_scopes(self) -> list[str]:
        """The scopes Resource Manager tokens are requested for (a new list on every call)."""
        return list(self.cloud.credential_scopes)

    @property
    def endpoints(self) -> CloudEndpoints:
        """Every service endpoint of the cloud, under Azure CLI's field names."""
        return self.cloud.endpoints

    @property
    def suffixes(self) -> CloudSuffixes:
        """Every DNS suffix of the cloud, under Azure CLI's field names."""
        return self.cloud.suffixes

    @property
    def sources(self) -> Mapping[str, Source]:
        """Where each resolved value came from, by attribute name."""
        return dict(self._sources)

    @property
    def env_file(self) -> str | None:
        """The .env file that was read (an absolute path), or ``None`` when there was none."""
        return self._env_file

    @property
    def warnings(self) -> tuple[str, ...]:
        """What resolving noticed but did not refuse, one line each: a variable name that looks
        like one of azenvcloud's but is not (``AZURE_CLUOD``), another tool's cloud selector
        naming another cloud, an expired metadata copy used during an outage."""
        return self._warnings

    @property
    def configuration(self) -> str | None:
        """The named configuration these settings are (``"gov"``), or ``None`` for the default."""
        return self._configuration

    def source_of(self, field: str) -> Source:
        """Where the value of ``field`` (for example ``"authority_host"``) came from."""
        return self._sources[field]


def _read_environment() -> Mapping[str, str]:
    """The environment of the Settings being built: ``os.environ``, or a named configuration's own."""
    environment = _environment.get()
    return os.environ if environment is None else environment


def _as_given(value: object) -> object:
    """An argument as the environment would give it: a path as text, a list as comma-separated
    text; strings, flags and numbers as they are (their parsers take them)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return value


def _as_configuration_error(exc: ValidationError) -> ConfigurationError:
    """Unwrap the ConfigurationError pydantic wrapped, or say which variable failed and why."""
    for error in exc.errors():
        original = (error.get("ctx") or {}).get("error")
        if isinstance(original, ConfigurationError):
            return original
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    variable = VARIABLES.get(field, field or "configuration")
    return ConfigurationError(
        f"{variable}={quote_value(first.get('input'))} is not usable: {first['msg']}.",
        variables=(variable,),
    )


# The process-wide settings: built once, on first use, under a lock; reset by reset_settings().
_lock = threading.Lock()
_arguments: dict[str, Any] = {}
_settings: Settings | None = None
# Single flight: callers that waited while an attempt failed share its error instead of each
# retrying in turn (with a metadata endpoint down, 64 threads would otherwise wait 64 timeouts).
_attempts = 0
_failure: ConfigurationError | None = None
_listeners: list[Callable[[], None]] = []
# Held while configure() replaces the settings and the listeners forget what was built from the
# old ones: the clients registry's lock (its reset() holds it too), so nothing is built meanwhile.
_guard: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext


def get_settings() -> Settings:
    """The resolved settings of this process, built on first use and cached.

    Uses the arguments given to :func:`configure`, if any, over the environment and ``.env``.
    A failure is not cached: the next call tries again.

    Raises:
        ConfigurationError: The configuration is invalid or inconsistent.
    """
    global _settings, _attempts, _failure  # noqa: PLW0603 - the explicit, resettable process-wide cache
    settings = _settings
    if settings is not None:
        return settings
    seen = _attempts
    with _lock:
        if _settings is not None:
            return _settings
        if _attempts != seen and _failure is not None:
            # Its own type (MetadataUnavailableError: a retry may cure it), with this caller's traceback.
            raise type(_failure)(str(_failure), variables=_failure.variables)
        try:
            _settings = Settings(**_arguments)
        except ConfigurationError as exc:
            _failure = exc
            raise
        finally:
            _attempts += 1  # after the attempt: callers that read the count before it now differ
        _failure = None
        _log.debug(
            "azenvcloud resolved cloud %s: authority %s, resource manager %s, scopes %s",
            _settings.cloud_name,
            _settings.authority_host,
            _settings.resource_manager,
            _settings.credential_scopes,
        )
        return _settings


def configure(**arguments: Any) -> Settings:
    """Set configuration in code (the highest precedence) and resolve it now.

    Accepts the keyword arguments of :class:`Settings`: each setting's attribute (every one is in
    the variables reference) and ``_env_file`` (a path, or ``False`` for none). They replace
    earlier ``configure()`` arguments. The credential and clients built from earlier settings are closed and
    forgotten, so that every getter then hands out objects of the new configuration: the
    settings and the objects built from them never disagree.

    Raises:
        ConfigurationError: The resulting configuration is invalid; nothing changes then.
        TypeError: An argument name is not one of the above.
    """
    global _settings, _arguments  # noqa: PLW0603
    unknown = sorted(set(arguments) - {*VARIABLES, "_env_file"})  # VARIABLES: every setting's attribute
    if unknown:
        raise TypeError(
            f"configure() got unknown arguments {unknown}; accepted: {sorted({*VARIABLES, '_env_file'})}"
        )
    settings = Settings(**arguments)
    with _guard():  # published together with the forgetting: no object of old and new at once
        with _lock:
            _arguments = dict(arguments)
            _settings = settings
        for listener in _listeners:
            listener()
    return settings


def on_change(listener: Callable[[], None], *, guard: Callable[[], AbstractContextManager[object]]) -> None:
    """Have :func:`configure` call ``listener`` after it replaced the settings (how the clients
    registry drops what it built from the old ones), both under ``guard()`` (the registry's
    lock, under which it builds: no object is built from the new settings and an old one)."""
    global _guard  # noqa: PLW0603
    _listeners.append(listener)
    _guard = guard


def reset_settings() -> None:
    """Forget the cached settings and the :func:`configure` arguments; the next use re-reads the
    environment and the .env file."""
    global _settings, _arguments  # noqa: PLW0603
    with _lock:
        _settings = None
        _arguments = {}


renew_locks(globals(), "_lock")
