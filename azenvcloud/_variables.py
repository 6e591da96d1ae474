"""Every variable azenvcloud reads, declared once.

A declaration (:class:`~azenvcloud._declaration.Variable`) says all there is to say about one
variable: its name, its meaning in one line, its trust decision (what a value from the ``./.env``
found in the working directory may do, and why), whether each named configuration would read it
under its own prefix or the process has one, and, for a setting, its parser and what applies
while it is unset. A setting's attribute is the field of :class:`Fields` that its
declaration annotates, with the attribute's type and default; :class:`~azenvcloud.Settings`
subclasses :class:`Fields`, whose order is the order ``show`` lists them in.

Derived from these declarations, never written out again: the settings' sources (which names
they read), ``Settings``' and ``configure``'s keyword arguments, resolution's settings (parsed,
defaulted, with provenance), ``show``'s rows, the trust rule (``_trust.rule_of``, the ``repeat``
rule's comparisons included), the typo check's targets, docs/reference/variables.md (generated
when the site is built, by docs/_hooks.py) and the check of SECURITY.md's list of destinations
(tests/test_variables.py). How to add a variable or a destination: ARCHITECTURE.md.

A reader of another configuration's variables under a prefix (``GOV_AZURE_CLOUD``) is the
settings' sources with :func:`names` of a prefix: every ``configuration`` variable, prefixed;
``process`` ones (the .env file, azure-core's cloud switch, the CA bundles) are never prefixed.
"""

# No ``from __future__ import annotations`` here: pydantic would compile every field's annotation
# from its text when the module is imported.
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from . import _builtin_clouds as data
from ._clouds import BUILTIN_CLOUDS, Cloud, canonical_cloud_name
from ._configuration_names import prefix_of
from ._connection_string import parse_connection_string
from ._declaration import (
    Scope,
    Use,
    Variable,
    cloud_name,
    never,
    no_destination,
    repeat,
    repeat_destinations,
)
from ._metadata_source import DEFAULT_TTL
from ._non_setting_variables import NON_SETTINGS
from ._own_values import (
    accepted_host_of_another_cloud,
    audience_of_another_cloud,
    connection_string_not_own,
    derive_discovery,
    host_of_another_cloud,
    own,
    own_discovery,
)
from ._parsers import (
    TokenCacheMode,
    one_of,
    parse_accepted_hosts,
    parse_audience,
    parse_authority,
    parse_cache_dir,
    parse_flag,
    parse_resource_manager,
    parse_seconds,
    parse_subscription_id,
    parse_text,
    parse_token_cache,
    seconds,
)
from ._profiles import API_PROFILES, LATEST

__all__ = [
    "ALL",
    "FIELDS",
    "Fields",
    "declaration_of",
    "default_of",
    "names",
    "of_use",
    "own_values",
    "parser_of",
]

# -- The settings: each field annotated with its variable's declaration ---------------------------

_PUBLIC = BUILTIN_CLOUDS[data.PUBLIC]
_CONFIGURATION: Scope = "configuration"


class Fields(BaseSettings):
    """The settings' attributes, each annotated with the declaration of the variable that sets it,
    in the order ``show`` lists them. :class:`~azenvcloud.Settings` adds the sources and resolution."""

    # Never validated itself: only Settings is, so pydantic builds no schema for this class
    # (``import azenvcloud`` and the cold start pay for one model, as before).
    model_config = SettingsConfigDict(defer_build=True)

    cloud: Annotated[
        Cloud,
        NoDecode,
        Variable(
            "AZURE_CLOUD",
            "which cloud: a built-in cloud's name in any dialect (`china`, `usgov`, `AzureChinaCloud`, "
            "`dod`, ...) or `Custom` (the attribute is the effective cloud, `cloud_name` its name)",
            cloud_name("a built-in cloud's authority and Resource Manager are Microsoft's own"),
            _CONFIGURATION,
            parse=canonical_cloud_name,
            unset="the cloud of a known authority or Resource Manager host, else the public cloud",
            of_cloud=True,
        ),
    ] = Field(default=_PUBLIC)
    authority_host: Annotated[
        str,
        Variable(
            "AZURE_AUTHORITY_HOST",
            "identity authority; a bare host gets `https://`",
            repeat(
                "the credential sends its secret there",
                own=own("authority_host"),
                another_cloud=host_of_another_cloud("authority"),
            ),
            _CONFIGURATION,
            parse=parse_authority,
            unset="the selected cloud's",
            of_cloud=True,
        ),
    ] = _PUBLIC.authority_host
    resource_manager: Annotated[
        str,
        Variable(
            "AZURE_RESOURCE_MANAGER",
            "Resource Manager endpoint",
            repeat(
                "every management token goes there",
                own=own("resource_manager"),
                another_cloud=host_of_another_cloud("other"),
            ),
            _CONFIGURATION,
            parse=parse_resource_manager,
            unset="the selected cloud's",
            of_cloud=True,
        ),
    ] = _PUBLIC.resource_manager
    audience: Annotated[
        str,
        Variable(
            "AZURE_AUDIENCE",
            "Resource Manager token audience; a value ending in `/.default` is a scope, used as is",
            repeat(
                "whose token is asked for, and so which host may take it",
                own=own("audience"),
                another_cloud=audience_of_another_cloud,
            ),
            _CONFIGURATION,
            parse=parse_audience,
            unset="the selected cloud's",
            of_cloud=True,
        ),
    ] = _PUBLIC.audience
    subscription_id: Annotated[
        str | None,
        Variable(
            "AZURE_SUBSCRIPTION_ID",
            "default subscription for clients that need one",
            no_destination("which subscription a client manages, on the cloud's own Resource Manager"),
            _CONFIGURATION,
            parse=parse_subscription_id,
        ),
    ] = None
    disable_instance_discovery: Annotated[
        bool,
        NoDecode,
        Variable(
            "AZURE_DISABLE_INSTANCE_DISCOVERY",
            "skip MSAL instance discovery; default: on for authority hosts MSAL does not know; from the "
            "implicit `./.env` only the value derived from the authority host (`show` prints it)",
            # "false" makes MSAL ask login.microsoftonline.com about the authority first, and take
            # its token endpoint from that answer: only the value derived from the authority host.
            repeat(
                "`false` makes MSAL ask login.microsoftonline.com about the authority and take its token "
                "endpoint from the answer",
                own=own_discovery,
            ),
            _CONFIGURATION,
            parse=parse_flag,
            derive=derive_discovery,
        ),
    ] = False
    cloud_metadata_url: Annotated[
        str | None,
        Variable(
            "AZURE_CLOUD_METADATA_URL",
            "where a private cloud is described: ARM or metadata URL, or a snapshot file, an absolute "
            "path or `file:///` URL (a relative path is a `ConfigurationError`: it would be whatever "
            "file of that name the working directory holds) ([how-to](../how-to/private-clouds.md))",
            never("the whole cloud's description is read from it, before anything else"),
            _CONFIGURATION,
            parse=parse_text,
        ),
    ] = None
    api_profile: Annotated[
        str,
        Variable(
            "AZURE_API_PROFILE",
            "Azure Stack Hub API profile: `latest` (default), `2020-09-01-hybrid`, `2019-03-01-hybrid`, ...",
            no_destination("which API versions clients ask for, not where"),
            _CONFIGURATION,
            parse=one_of(API_PROFILES, "API profile"),
            unset="each client's latest API versions",
        ),
    ] = LATEST
    metadata_ttl: Annotated[
        int,
        Variable(
            "AZENVCLOUD_METADATA_TTL",
            "metadata cache freshness in seconds, for cloud metadata and the authority's OpenID "
            "configuration (default a day, `0` off)",
            never("how long a (possibly planted) cache entry is believed"),
            _CONFIGURATION,
            parse=parse_seconds,
            unset=f"{DEFAULT_TTL} s, a day",
        ),
    ] = DEFAULT_TTL
    metadata_cache_dir: Annotated[
        str | None,
        Variable(
            "AZENVCLOUD_CACHE_DIR",
            "metadata cache folder, an absolute path (default: the user cache folder)",
            never("cached metadata is a cloud description"),
            _CONFIGURATION,
            parse=parse_cache_dir,
            unset="the user cache folder",
        ),
    ] = None
    token_prefetch: Annotated[
        bool,
        NoDecode,
        Variable(
            "AZENVCLOUD_TOKEN_PREFETCH",
            "start a client's token request while it is built "
            "([explained](../explanation/credentials.md#token-prefetch)); default on, `false` turns it off",
            no_destination("when a token is asked for, not where"),
            _CONFIGURATION,
            parse=parse_flag,
            unset="on",
        ),
    ] = True
    accepted_hosts: Annotated[
        tuple[str, ...],
        NoDecode,
        Variable(
            "AZENVCLOUD_ACCEPTED_HOSTS",
            "more hosts of no built-in cloud a data-plane URL given in code may name "
            "(`files.contoso.com`, `*.contoso.com`, comma-separated; never from the implicit `./.env`; "
            "a host another built-in cloud owns is the mixed-cloud error)",
            never(
                "more hosts that may receive a data-plane token", another_cloud=accepted_host_of_another_cloud
            ),
            _CONFIGURATION,
            parse=parse_accepted_hosts,
        ),
    ] = ()
    token_cache: Annotated[
        TokenCacheMode,
        Variable(
            "AZENVCLOUD_TOKEN_CACHE",
            "`off` (default) or `unencrypted`: keep a service principal's, workload or managed identity's "
            "tokens on disk for the next process ([the token store](../how-to/token-store.md); never from "
            "the implicit `./.env`)",
            never("whether tokens are written to disk (and read back)"),
            _CONFIGURATION,
            parse=parse_token_cache,
            unset="off",
        ),
    ] = "off"  # noqa: S105 - a mode, not a password
    connection_timeout: Annotated[
        int | None,
        Variable(
            "AZENVCLOUD_CONNECTION_TIMEOUT",
            "seconds every client azenvcloud builds, and the credential's token requests, wait for a "
            "connection (TCP and TLS) before giving up on that attempt (azure-core's `connection_timeout`; "
            "an argument `connection_timeout=` to `get_client` wins); not the metadata fetch (5 s) nor "
            "Microsoft Graph (msgraph-sdk, 30 s)",
            no_destination("how long to wait for a host, not which host"),
            "configuration",
            parse=seconds(
                "a whole number of seconds, 1 or more, such as 10 (unset: azure-core's default, 300 s)",
                at_least=1,
            ),
            unset="azure-core's default, 300 s",
        ),
    ] = None
    applicationinsights_connection_string: Annotated[
        str | None,
        Variable(
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
            "the Application Insights resource `azenvcloud.telemetry` sends telemetry to "
            "(`InstrumentationKey=...;IngestionEndpoint=...;LiveEndpoint=...`), its hosts the resolved "
            "cloud's; `AADAudience` is completed with the cloud's ([telemetry](../how-to/telemetry.md))",
            repeat_destinations(
                "telemetry, and a token for it, go to its hosts", own=connection_string_not_own
            ),
            _CONFIGURATION,
            parse=parse_connection_string,
            defined_by="azure-monitor-opentelemetry",
        ),
    ] = None


def _fields() -> tuple[Variable, ...]:
    found = []
    for name, info in Fields.model_fields.items():
        declared = [item for item in info.metadata if isinstance(item, Variable)]
        # A field without a declaration has no variable, so no trust decision: left out here, it
        # fails tests/test_variables.py (every field is declared).
        if declared:
            found.append(declared[0]._replace(field=name))
    return tuple(found)


FIELDS: tuple[Variable, ...] = _fields()
"""The settings' declarations, in ``show``'s order, each with its ``field``."""


ALL: tuple[Variable, ...] = (*FIELDS, *NON_SETTINGS)
"""Every declaration: the settings' (in ``show``'s order), then every other variable azenvcloud reads."""

_BY_NAME: Mapping[str, Variable] = {variable.name: variable for variable in ALL if variable.pattern is None}
_BY_FIELD: Mapping[str, Variable] = {variable.field: variable for variable in FIELDS}
_PATTERNS = tuple(variable for variable in ALL if variable.pattern is not None)


def declaration_of(name: str) -> Variable | None:
    """The declaration of ``name`` (or of its shape: ``AZURE_SERVICE_BLOB_SUFFIX``), or ``None``."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    return next((variable for variable in _PATTERNS if variable.matches(name)), None)


def names(prefix: str = "") -> dict[str, str]:
    """Each setting's variable by attribute (``authority_host`` -> ``AZURE_AUTHORITY_HOST``); with a
    ``prefix``, a configuration's own names (``GOV_AZURE_AUTHORITY_HOST``) for every ``configuration``
    setting: what the settings' sources would read for a named configuration."""
    return {
        variable.field: f"{prefix}_{variable.name}"
        if prefix and variable.scope == "configuration"
        else variable.name
        for variable in FIELDS
    }


def own_values(configuration: str, values: Mapping[str, str]) -> dict[str, str]:
    """The named configuration ``configuration``'s own values among ``values`` (the environment,
    a ``.env`` file's), under the names the default configuration reads them by: ``gov``'s
    ``GOV_AZURE_CLOUD`` as ``AZURE_CLOUD``, for every variable declared per ``configuration`` (a
    pattern's too: ``GOV_AZURE_SERVICE_*``). Nothing else, and never an unprefixed value: no
    ``GOV_X`` falls back to ``X``."""
    start = prefix_of(configuration)
    found: dict[str, str] = {}
    for name, value in values.items():
        if not name.startswith(start):
            continue
        plain = name[len(start) :]
        declared = declaration_of(plain)
        if declared is not None and declared.scope == "configuration":
            found[plain] = value
    return found


def of_use(*uses: Use) -> Iterator[Variable]:
    """The declarations of variables azenvcloud uses so, in order."""
    return (variable for variable in ALL if variable.use in uses)


def parser_of(attribute: str) -> Callable[[Any], Any]:
    """The parser a setting's attribute is declared with."""
    parse = _BY_FIELD[attribute].parse
    assert parse is not None, f"{attribute} is declared without a parser"
    return parse


def default_of(attribute: str) -> Any:
    """The default of a setting's attribute (where resolution has nothing better)."""
    return Fields.model_fields[attribute].get_default(call_default_factory=True)
