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
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from . import _builtin_clouds as data
from ._ca import CA_VARIABLES
from ._connection_string import parse_connection_string
from ._declaration import (
    Scope,
    Use,
    Variable,
    cloud_name,
    environment_only,
    never,
    no_destination,
    repeat,
    repeat_destinations,
)
from ._metadata_source import DEFAULT_TTL
from ._own_values import (
    accepted_host_of_another_cloud,
    audience_of_another_cloud,
    connection_string_not_own,
    derive_discovery,
    host_of_another_cloud,
    own,
    own_discovery,
    own_service_value,
    service_value_of_another_cloud,
)
from ._service_model import SERVICE_NAMES, override_variable
from ._values import (
    TokenCacheMode,
    one_of,
    parse_accepted_hosts,
    parse_audience,
    parse_authority,
    parse_cache_dir,
    parse_flag,
    parse_resource_manager,
    parse_seconds,
    parse_service_suffix,
    parse_service_url,
    parse_subscription_id,
    parse_text,
    parse_token_cache,
    seconds,
)
from .clouds import BUILTIN_CLOUDS, Cloud, canonical_cloud_name
from .profiles import API_PROFILES, LATEST

__all__ = ["ALL", "FIELDS", "Fields", "declaration_of", "default_of", "names", "of_use"]

# -- The settings: each field annotated with its variable's declaration ---------------------------

_SERVICE_SHAPE = "AZURE_SERVICE_([A-Z0-9_]+)_{}"
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


# -- Every other variable azenvcloud reads -------------------------------------------------------

_PROCESS: Scope = "process"
_SECRET = "a secret, not where it goes (never shown)"  # noqa: S105 - words about a secret

_OTHERS: tuple[Variable, ...] = (
    Variable(
        "AZENVCLOUD_ENV_FILE",
        "the `.env` file to read instead of `./.env`; `none` reads none (environment only)",
        environment_only("which .env file is read is decided before any is read", refused_in_env_file=True),
        _PROCESS,
        use="env file",
    ),
    *(
        Variable(
            _SERVICE_SHAPE.format(part.upper()).replace("([A-Z0-9_]+)", "<SERVICE>"),
            description,
            repeat(reason, own=own_service_value, another_cloud=service_value_of_another_cloud),
            _CONFIGURATION,
            use="service",
            parse=parser,
            pattern=_SERVICE_SHAPE.format(part.upper()),
            instances=tuple(override_variable(service, part) for service in SERVICE_NAMES),
        )
        for part, description, reason, parser in (
            ("suffix", "a service's DNS suffix", "a resource's host is built with it", parse_service_suffix),
            ("audience", "a service's token audience", "whose token is asked for", parse_service_url),
            (
                "endpoint",
                "a service's fixed endpoint",
                "every token for the service goes there",
                parse_service_url,
            ),
        )
    ),
    Variable(
        "AZURE_SDK_CLOUD_CONF",
        "azure-core's cloud selector (`AZURE_PUBLIC_CLOUD`, `AZURE_CHINA_CLOUD`, `AZURE_US_GOVERNMENT`), "
        "environment only: alone it selects the cloud, below every azenvcloud variable; naming another "
        "cloud than the resolved one is an error",
        environment_only("azure-core reads it from the environment only", refused_in_env_file=False),
        _PROCESS,
        use="sdk cloud",
        defined_by="azure-core",
    ),
    Variable(
        "ARM_CLOUD_METADATA_URL",
        "the Azure CLI's metadata URL, below `AZURE_CLOUD_METADATA_URL`; environment only",
        environment_only(
            "the Azure CLI reads it from the environment; in a .env file, write AZURE_CLOUD_METADATA_URL",
            refused_in_env_file=True,
        ),
        _PROCESS,
        use="alias",
        field="cloud_metadata_url",
        defined_by="the Azure CLI",
    ),
    *(
        Variable(
            name,
            "the trusted certificate authorities, in the order "
            f"{', '.join(f'`{ca}`' for ca in CA_VARIABLES)}, for every transport azenvcloud builds "
            "([private clouds](../how-to/private-clouds.md))",
            environment_only(
                "read from the environment, as the HTTP libraries do", refused_in_env_file=False
            ),
            _PROCESS,
            use="ca",
            defined_by="requests, curl and OpenSSL",
        )
        for name in CA_VARIABLES
    ),
    # The Azure Monitor exporter's switches for its own channels to Microsoft's public hosts
    # (azure-monitor-opentelemetry-exporter 1.0.0b58: statsbeat/_state.py, _configuration/_state.py):
    # azenvcloud.telemetry sets them to true outside the public cloud, and refuses another value.
    *(
        Variable(
            name,
            f"{what}; outside the public cloud `azenvcloud.telemetry` sets it to `true` (another value is a "
            "`ConfigurationError`: it would send to the public cloud)",
            environment_only("the exporter reads it from the environment alone", refused_in_env_file=False),
            _PROCESS,
            use="telemetry",
            defined_by="azure-monitor-opentelemetry-exporter",
        )
        for name, what in (
            (
                "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL",
                "`true` stops the exporter's statsbeat, its own metrics sent to a public Application "
                "Insights resource of Microsoft's",
            ),
            (
                "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED",
                "`true` stops the exporter's control plane, which asks "
                "`https://settings.sdk.monitor.azure.com` for its settings",
            ),
        )
    ),
    # Other tools' cloud selectors, compared with the resolved cloud (a warning), never obeyed:
    # hashicorp/terraform-provider-azurerm internal/provider/provider.go
    # (commit 1a563be65801751a593806cf05a0951d322f3a62): "environment", EnvDefaultFunc("ARM_ENVIRONMENT",
    # "public"): public, usgovernment, china (Pulumi's azure-native reads it too).
    Variable(
        "ARM_ENVIRONMENT",
        "not used; `show` and `check` warn when it names another cloud than the resolved one",
        no_destination("never obeyed, only compared with the resolved cloud"),
        _PROCESS,
        use="cloud selector",
        defined_by="Terraform",
    ),
    # Azure/go-autorest autorest/azure/auth/auth.go (commit 90128b0cbed977972cdf104474875758e9fe97d0):
    # NewAuthorizerFromEnvironment reads AZURE_ENVIRONMENT (AzurePublicCloud, AzureChinaCloud, ...).
    Variable(
        "AZURE_ENVIRONMENT",
        "not used; `show` and `check` warn when it names another cloud than the resolved one",
        no_destination("never obeyed, only compared with the resolved cloud"),
        _PROCESS,
        use="cloud selector",
        defined_by="go-autorest",
    ),
    # azure-identity's own variables: they keep their meaning; azenvcloud exports them from a .env
    # file. (Not AZURE_ADDITIONALLY_ALLOWED_TENANTS: azure-identity for .NET, Java, JavaScript and Go
    # reads it, Python's does not (1.27: no read in azure/identity/); its credentials take
    # additionally_allowed_tenants= as an argument.)
    *(
        Variable(name, description, trust, _CONFIGURATION, use="identity", defined_by="azure-identity")
        for name, description, trust in (
            (
                "AZURE_TENANT_ID",
                "the tenant",
                no_destination("which tenant signs in; the authority is where"),
            ),
            ("AZURE_CLIENT_ID", "the application or managed identity", no_destination("who signs in")),
            ("AZURE_CLIENT_SECRET", "a service principal's secret", no_destination(_SECRET)),
            (
                "AZURE_CLIENT_CERTIFICATE_PATH",
                "a service principal's certificate",
                never("azure-identity signs with it for the authority"),
            ),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "the certificate's password", no_destination(_SECRET)),
            (
                "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
                "send the certificate's chain (subject name and issuer authentication)",
                no_destination("what is sent with the certificate, not where"),
            ),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                "workload identity's token file",
                never("azure-identity sends its content to the authority"),
            ),
            ("AZURE_USERNAME", "a user's name", no_destination("who signs in")),
            ("AZURE_PASSWORD", "a user's password", no_destination(_SECRET)),
            (
                "AZURE_TOKEN_CREDENTIALS",
                "which credentials of the chain may answer",
                no_destination("which credential answers; each one's destinations are judged on their own"),
            ),
        )
    ),
)

ALL: tuple[Variable, ...] = (*FIELDS, *_OTHERS)
"""Every declaration: the settings' (in ``show``'s order), then every other variable azenvcloud reads."""

_BY_NAME: Mapping[str, Variable] = {variable.name: variable for variable in ALL if variable.pattern is None}
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


def of_use(*uses: Use) -> Iterator[Variable]:
    """The declarations of variables azenvcloud uses so, in order."""
    return (variable for variable in ALL if variable.use in uses)


def default_of(attribute: str) -> Any:
    """The default of a setting's attribute (where resolution has nothing better)."""
    return Fields.model_fields[attribute].get_default(call_default_factory=True)
