"""App Configuration as a pydantic-settings source, in the configuration's own cloud.

``AppConfigurationSettingsSource(settings_cls, store="cfg1")`` goes where pydantic-settings' own
sources go, in ``settings_customise_sources``. It loads the store with
azure-appconfiguration-provider's ``load()`` (selectors, labels, snapshots and ``trim_prefixes``
as the provider takes them) and maps its keys to fields by the conventions of
:class:`~azenvcloud.KeyVaultSettingsSource` (pydantic-settings' Key Vault naming). What it adds:

- the store is a name (``cfg1``: the resolved cloud's App Configuration suffix is added) or a URL
  of either host form, checked like every client's before any request;
- the configuration's credential, and the cloud's App Configuration audience passed explicitly
  (the SDK would infer a public one for a private cloud's host);
- Key Vault references followed only through ``secret_resolver``: each vault URL checked, a
  secret read with ``get_client(SecretClient, vault_url=...)`` only when a field uses it; never
  a ``keyvault_credential``;
- no replica discovery (DNS SRV lookups of its own) unless asked for, and a load bounded by
  ``startup_timeout`` (at most 30 s: it runs inside ``BaseSettings()``);
- a refusal of the store or a vault, a load that times out, and a required field nothing fills:
  one ``ConfigurationError`` each, naming the store, the key and the field.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic_settings.sources.utils import parse_env_vars

from ._errors import ConfigurationError, quote_value
from ._failure_hints import install_hint
from ._named_settings import its_variables
from ._secret_names import SecretNaming
from ._services import SERVICE_NAMES, hosts_in_words, override_variable, services_of
from ._settings_fields import Wanted, covered, given_fields
from ._settings_sources import (
    ReadWhenCalled,
    ValuesReadLater,
    source_configuration,
    warn_when_inputs_are_shown,
)
from ._store_load import SignedIn, StoreRefused, store_policy, timed_out
from ._store_references import BadReference, References, Unread, read_secrets

if TYPE_CHECKING:
    from azure.appconfiguration.provider import SettingSelector
    from pydantic_settings import BaseSettings

__all__ = ["MAX_STARTUP_TIMEOUT", "AppConfigurationSettingsSource"]

_log = logging.getLogger("azenvcloud")
_MINIMUM_PYDANTIC_SETTINGS = (2, 13)  # the Key Vault source's naming, env_prefix with snake_case_conversion

MAX_STARTUP_TIMEOUT = 30
"""The longest ``startup_timeout`` (seconds): loading runs inside ``BaseSettings()``, where a
process waits for it at start (the provider's own default is 100 s, then retries for longer)."""


class AppConfigurationSettingsSource(ReadWhenCalled):
    """Settings from an App Configuration store of the resolved cloud, its Key Vault references
    read from vaults of that cloud.

    A settings source for ``settings_customise_sources``::

        class AppSettings(BaseSettings):
            color: str
            db_password: SecretStr
            model_config = SettingsConfigDict(hide_input_in_errors=True)

            @classmethod
            def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                           dotenv_settings, file_secret_settings):
                store = AppConfigurationSettingsSource(
                    settings_cls, store="cfg1", selects=[SettingSelector(key_filter="app:*")],
                    trim_prefixes=["app:"], dash_to_underscore=True)
                return init_settings, env_settings, dotenv_settings, store, file_secret_settings

    The store is loaded once per settings object, when the source is called (unless the sources
    before it gave every field), with azure-appconfiguration-provider's ``load()``: the selected
    key-values (``selects``; the provider's default is every key without a label), a later
    selector's value winning for a key, ``trim_prefixes`` taken off. Keys are matched to fields
    as :class:`~azenvcloud.KeyVaultSettingsSource` matches secret names (the same options,
    defaults and meanings: ``--`` between a field and its nested model's field, or
    ``env_nested_delimiter=":"`` for the ``App:Db:Host`` convention). A JSON value (content type
    ``application/json``) fills a nested model or a list. A Key Vault reference is read only
    when a field uses it, from its vault, with the configuration's credential.

    Args:
        settings_cls: The settings class.
        store: The store's name (``"cfg1"``; the cloud's App Configuration suffix is added) or
            its URL, which must be an App Configuration host of the resolved cloud (either form:
            ``cfg1.azconfig.azure.us`` or ``cfg1.appconfig.azure.us``), or be listed in
            ``AZENVCLOUD_ACCEPTED_HOSTS``.
        selects: The provider's ``SettingSelector`` list (``key_filter``, ``label_filter``,
            ``tag_filters``, or ``snapshot_name``).
        trim_prefixes: Prefixes taken off the keys (the longest that matches).
        dash_to_underscore: Field ``db_password`` reads key ``db-password``.
        case_sensitive: Match keys with case (default: the class's ``case_sensitive``).
        snake_case_conversion: Key ``DbPassword`` (or ``db-password``) fills ``db_password``;
            ``__`` is then the nested delimiter and matching is case-sensitive.
        env_prefix: A prefix of every key (default: the class's ``env_prefix``).
        env_nested_delimiter: Between a field and its nested model's field in a key (default:
            ``--``, or ``__`` with ``snake_case_conversion``, as for Key Vault).
        env_parse_none_str: A value that stands for ``None``.
        env_parse_enums: Take an enum member's name for its value.
        replica_discovery_enabled: Let the provider look up the store's replicas (DNS SRV
            queries of its own, outside any proxy; a replica is in the store's own domain).
        startup_timeout: Seconds the provider may retry a store that fails or cannot be reached
            (0 to 30, the default 30); each request is bounded by it too.
        configuration: A named configuration (``"gov"``: ``azenvcloud.configuration("gov")``)
            whose cloud, credential and clients read the store and its Key Vault references;
            ``None``: the default one.

    Raises:
        ConfigurationError: The store is of another cloud or not an App Configuration host; the
            cloud has no known App Configuration audience (or suffix, for a name): naming the
            ``AZURE_SERVICE_APPCONFIG_*`` variable that supplies it (``GOV_AZURE_SERVICE_...`` for
            ``gov``); ``configuration`` is not declared. When called: the store refused
            the identity (401, 403) or could not be loaded in time; a Key Vault reference names a
            vault of another cloud, or a vault refused it; a required field nothing fills.
        ValueError: ``startup_timeout`` is out of range.
        ImportError: azure-appconfiguration-provider is not installed.
    """

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        store: str,
        *,
        selects: Sequence[SettingSelector] | None = None,
        trim_prefixes: Sequence[str] | None = None,
        dash_to_underscore: bool = False,
        case_sensitive: bool | None = None,
        snake_case_conversion: bool = False,
        env_prefix: str | None = None,
        env_nested_delimiter: str | None = None,
        env_parse_none_str: str | None = None,
        env_parse_enums: bool | None = None,
        replica_discovery_enabled: bool = False,
        startup_timeout: float = MAX_STARTUP_TIMEOUT,
        configuration: str | None = None,
    ) -> None:
        self._load_function = _provider_load()
        if not 0 <= startup_timeout <= MAX_STARTUP_TIMEOUT:
            raise ValueError(
                f"startup_timeout={startup_timeout!r}: AppConfigurationSettingsSource loads inside "
                f"BaseSettings(), so it waits at most {MAX_STARTUP_TIMEOUT} s for a store (0 to "
                f"{MAX_STARTUP_TIMEOUT})"
            )
        self._configuration = source_configuration(configuration)
        with its_variables(configuration):  # gov's: GOV_AZURE_SERVICE_APPCONFIG_SUFFIX
            self._store_url, self._audience = _endpoint_and_audience(self._configuration, store)
        self._cloud = self._configuration.get_settings().cloud_name
        self._selects = list(selects) if selects is not None else None
        self._trim_prefixes = list(trim_prefixes or ())
        self._replicas = replica_discovery_enabled
        self._startup_timeout = startup_timeout
        naming: dict[str, Any] = {  # Key Vault's, in name and meaning
            "dash_to_underscore": dash_to_underscore,
            "case_sensitive": case_sensitive,
            "snake_case_conversion": snake_case_conversion,
            "env_prefix": env_prefix,
            "env_parse_none_str": env_parse_none_str,
            "env_parse_enums": env_parse_enums,
        }
        super().__init__(settings_cls, self._store_url, self._configuration.get_credential(), **naming)
        if env_nested_delimiter is not None:
            self.env_nested_delimiter = env_nested_delimiter

    def _load_env_vars(self) -> Mapping[str, str | None]:
        """What pydantic-settings looks keys up in (it calls this once, from ``__init__``): the
        store's values, loaded when first looked up, in ``__call__``."""
        self._naming = SecretNaming(bool(self.case_sensitive), self._snake_case_conversion, self.env_prefix)
        return _StoreValues(self._fetch, self._naming)

    def __repr__(self) -> str:
        return f"AppConfigurationSettingsSource(store_url={self._store_url!r})"

    # -- the store ---------------------------------------------------------------------------

    def _fetch(self) -> Mapping[str, str | None]:
        """The store's values (its Key Vault references read for the fields that use them),
        filed as pydantic-settings files Key Vault's secrets; nothing when earlier sources gave
        every field."""
        self._wanted = Wanted.of(self)  # here: after env_nested_delimiter is set
        given, complete = given_fields(self.settings_cls, self.current_state, bool(self.case_sensitive))
        if complete:
            _log.debug("azenvcloud did not load %s: the sources before it gave every field", self._store_url)
            return {}
        references = References(self._trim_prefixes)
        loaded = self._load(references)
        store = self._described_store()
        vault_hosts = hosts_in_words(services_of(self._configuration.get_settings().cloud)["keyvault"])
        clients = references.checked(
            self._configuration.get_client, _secret_client_class(), store, vault_hosts
        )
        used = {
            filed: reference
            for filed, reference in references.found.items()
            if self._uses(filed, given) and isinstance(loaded.get(filed), Unread)
        }
        if used:
            warn_when_inputs_are_shown(
                self.settings_cls, "reads Key Vault secrets through App Configuration", stacklevel=3
            )
        secrets = read_secrets(clients, used, store)
        values: dict[str, str | None] = {}
        for key, value in loaded.items():
            if isinstance(value, Unread):
                if key in secrets:  # a reference no field uses is never read
                    values[self._naming.key_of(key)] = secrets[key]
            else:  # JSON content (a dict, a list): as text, which pydantic-settings parses again
                values[self._naming.key_of(key)] = value if isinstance(value, str) else json.dumps(value)
        _log.debug(
            "azenvcloud loaded %d key-values for %s from %s (%d Key Vault references, %d read)",
            len(loaded),
            self.settings_cls.__name__,
            self._store_url,
            len(references.found),
            len(used),
        )
        return parse_env_vars(values, True, False, self.env_parse_none_str)

    def _uses(self, key: str, given: set[str]) -> bool:
        """Whether a field no earlier source gave whole reads the value filed under ``key``."""
        filed = self._naming.key_of(key)
        return self._wanted.accepts(filed) and not covered(self._wanted.path_of(filed), given)

    def _load(self, references: References) -> dict[str, Any]:
        """The provider's ``load()`` of the store: its key-values by key (references unread)."""
        settings = self._configuration.get_settings()
        credential = SignedIn.first(self._configuration.get_credential(), self._audience + ".default")
        options: dict[str, Any] = {
            "audience": self._audience,  # with its trailing slash: the client appends ".default"
            "secret_resolver": references.resolve,
            "configuration_mapper": references.note,
            "replica_discovery_enabled": self._replicas,
            "startup_timeout": self._startup_timeout,
            "timeout": max(self._startup_timeout, 1.0),  # azure-core's retries of a request: within it too
            "per_retry_policies": [store_policy()],
            "transport": _transport(settings, self._startup_timeout),
        }
        if self._selects is not None:
            options["selects"] = self._selects
        if self._trim_prefixes:
            options["trim_prefixes"] = self._trim_prefixes
        try:
            provider = self._load_function(self._store_url, credential, **options)
        except StoreRefused as refused:
            raise refused.configuration_error(self._described_store(), self._audience) from None
        except BadReference as bad:
            label = f" (label {quote_value(bad.label)})" if bad.label else ""
            raise ConfigurationError(
                f"App Configuration store {self._described_store()}: key {quote_value(bad.key)}{label} has "
                "the content type of a Key Vault reference but no secret URL (its value must be "
                '{"uri": "https://<vault>/secrets/<name>"}). Accepted: set the reference again (the '
                "portal's Key Vault reference), or select without it."
            ) from None
        except TimeoutError as exc:
            raise timed_out(exc, self._described_store(), self._startup_timeout) from None
        with provider:
            return dict(provider.items())

    def _described_store(self) -> str:
        return f"{self._store_url} ({self._cloud})"

    # -- what is said when it cannot be used -----------------------------------------------

    def _required_missing(self, missing: list[str]) -> ConfigurationError:
        described = []
        for path in missing:
            keys = [key for key, field in self._wanted.fields.items() if field == path]
            looked = ", ".join(quote_value(key) for key in keys[:4]) or "no key"
            described.append(f"{path} (key {looked})")
        plural = len(missing) > 1
        among = "the selected key-values" if self._selects is not None else "its key-values without a label"
        return ConfigurationError(
            f"App Configuration store {self._described_store()} has no key for the required "
            f"field{'s' if plural else ''} {'; '.join(described)} of {self.settings_cls.__name__} among "
            f"{among}, and no source before AppConfigurationSettingsSource in settings_customise_sources "
            f"gave {'them' if plural else 'it'}. Accepted: set the key in the store (after "
            "trim_prefixes) and in the selection (selects=), give the field a default, or have a source "
            "listed before this one give it."
        )


class _StoreValues(ValuesReadLater):
    """The store's values, loaded on first lookup."""

    kind = "App Configuration values"
    pending = "not loaded yet"


# -- helpers -----------------------------------------------------------------------------------


def _endpoint_and_audience(configuration: Any, store: str) -> tuple[str, str]:
    """The store's URL (checked: a host of the resolved cloud) and the audience its client is
    given (with the trailing slash azure-appconfiguration appends ``.default`` to).

    Raises:
        ConfigurationError: A URL of another cloud or of no App Configuration host; the cloud
            has no known audience (or suffix, for a name), naming the variables that supply them.
    """
    settings = configuration.get_settings()
    service = services_of(settings.cloud)["appconfig"]
    is_url = "." in store or "://" in store
    url = None
    if is_url:  # another cloud's host first: the mixed-cloud error says more than a missing value
        text = store if "://" in store else f"https://{store}"
        url = configuration.check_service_url("appconfig", text, argument="store")
    missing = [field for field in ("suffix", "audience") if getattr(service, field) is None]
    missing = [field for field in missing if field == "audience" or not is_url]
    if missing:
        variables = tuple(override_variable("appconfig", field) for field in missing)
        named = SERVICE_NAMES["appconfig"]
        raise ConfigurationError(
            f"{settings.cloud_name} has no known {' or '.join(missing)} for {named}: no source azenvcloud "
            "trusts publishes it for this cloud, and it never uses another cloud's. Accepted: set "
            f"{' and '.join(variables)} (in the environment or .env) to this cloud's value"
            f"{'s' if len(variables) > 1 else ''}, if it offers {named} (the audience as Microsoft "
            "documents it for the cloud, such as https://appconfig.azure.us for US Government).",
            variables=variables,
        )
    if url is None:
        url = configuration.service_url("appconfig", store)
    return url, f"{str(service.audience).rstrip('/')}/"


def _transport(settings: Any, timeout: float) -> Any:
    """azenvcloud's transport (the CA setting), each connection and read bounded by ``timeout``."""
    from ._transports import with_transport

    bound = max(timeout, 1.0)
    connect = settings.connection_timeout
    options = {"connection_timeout": min(connect, bound) if connect else bound, "read_timeout": bound}
    return with_transport(options, settings=settings, asynchronous=False)["transport"]


def _provider_load() -> Callable[..., Any]:
    import pydantic_settings

    version = tuple(int(part) for part in pydantic_settings.__version__.split(".")[:2])
    if version < _MINIMUM_PYDANTIC_SETTINGS:
        raise ImportError(
            f"AppConfigurationSettingsSource needs pydantic-settings 2.13 or later (installed: "
            f"{pydantic_settings.__version__}): {install_hint('appconfiguration')}"
        )
    try:
        from azure.appconfiguration.provider import load
    except ImportError as exc:
        raise ImportError(
            f"AppConfigurationSettingsSource needs azure-appconfiguration-provider: "
            f"{install_hint('appconfiguration')}"
        ) from exc
    return load


def _secret_client_class() -> type[Any]:
    from azure.keyvault.secrets import SecretClient  # azure-appconfiguration-provider requires it

    return SecretClient
