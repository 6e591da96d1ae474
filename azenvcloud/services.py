"""Data-plane services per cloud: the DNS suffix that builds a host from a short name, the token
audience, and the fixed endpoint where a service has one.

Every cloud's services come from one place: the values the Azure CLI's table (or a private
cloud's metadata, or a snapshot) gives under the CLI's names, plus, for the built-in clouds, the
sourced values of ``_builtin_services.py``, plus overrides from the environment or ``.env``:

    AZURE_SERVICE_<SERVICE>_SUFFIX / _AUDIENCE / _ENDPOINT
    e.g. AZURE_SERVICE_KEYVAULT_SUFFIX=vault.cloudapi.microsoft.scloud

A value that is not known is ``None``, and asking for it is a :class:`ConfigurationError` that
names the variable supplying it: never the public cloud's value.

For SDKs without a recipe, :func:`service_url` and :func:`service_scope` give a service's URL for
a short name and its token scope in the resolved cloud, to use with ``get_credential()``::

    url = azenvcloud.service_url("blob", "st1")        # https://st1.blob.core.chinacloudapi.cn
    scope = azenvcloud.service_scope("blob")           # https://storage.azure.com/.default
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from . import _builtin_clouds as clouds_data
from . import _builtin_services as data
from ._values import SCOPE_SUFFIX, InvalidValue, host_of, parse_dns_suffix, parse_endpoint
from .errors import ConfigurationError, quote_value

if TYPE_CHECKING:
    from .clouds import Cloud
    from .provenance import Source
    from .settings import Settings

__all__ = [
    "SERVICES_KEY",
    "SERVICE_FIELDS",
    "SERVICE_NAMES",
    "Service",
    "alternative_hosts",
    "apply_service_variables",
    "check_service_url",
    "is_service_variable",
    "override_variable",
    "parse_accepted_hosts",
    "parse_service_variable",
    "service_scope",
    "service_url",
    "services_of",
    "services_report",
]


def is_service_variable(name: str) -> bool:
    """Whether ``name`` has the shape of a service variable (``AZURE_SERVICE_*_SUFFIX``,
    ``_AUDIENCE``, ``_ENDPOINT``). Others under the prefix (``AZURE_SERVICE_PRINCIPAL_ID``, set by
    other tools) are not azenvcloud's; one of this shape naming no service is a typo, refused."""
    return _OVERRIDE.fullmatch(name) is not None


SERVICES_KEY = "service_overrides"
"""Where the settings sources hand over the ``AZURE_SERVICE_*`` variables: ``{variable: value}``."""

SERVICE_FIELDS = ("suffix", "audience", "endpoint")
"""What a service has: a DNS suffix, a token audience, a fixed endpoint."""

SERVICE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "keyvault": "Key Vault",
        "mhsm": "Key Vault Managed HSM",
        "blob": "Storage blobs",
        "queue": "Storage queues",
        "file": "Storage file shares",
        "dfs": "Storage Data Lake",
        "table": "Storage tables",
        "acr": "Container Registry",
        "cosmos": "Cosmos DB",
        "cosmos_table": "Cosmos DB for Table",
        "servicebus": "Service Bus",
        "eventhubs": "Event Hubs",
        "appconfig": "App Configuration",
        "search": "AI Search",
        "log_analytics": "Log Analytics (query)",
        "monitor_ingestion": "Azure Monitor logs ingestion",
        "monitor_metrics": "Azure Monitor metrics",
        "cognitive": "Azure AI services (Cognitive Services)",
        "graph": "Microsoft Graph",
    }
)
"""Every service azenvcloud knows, by the name its variables and helpers use."""

_STORAGE_KINDS = ("blob", "queue", "file", "dfs", "table")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_OVERRIDE = re.compile(r"AZURE_SERVICE_([A-Z0-9_]+)_(SUFFIX|AUDIENCE|ENDPOINT)")


class Service(BaseModel):
    """One data-plane service in one cloud.

    Attributes:
        name: The service's name (``keyvault``, ``blob``, ``graph``, ...).
        suffix: The DNS suffix a resource's host ends with, without a leading dot
            (``vault.azure.cn``), or ``None`` where it is not known.
        audience: The token audience, without a trailing slash, or ``None``.
        endpoint: The fixed endpoint of a service that has one (Log Analytics, Microsoft Graph).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    suffix: str | None = None
    audience: str | None = None
    endpoint: str | None = None

    @property
    def scope(self) -> str | None:
        """The ``.default`` scope of the audience."""
        return f"{self.audience}{SCOPE_SUFFIX}" if self.audience else None


def override_variable(service: str, field: str) -> str:
    """The variable that sets ``field`` of ``service``: ``AZURE_SERVICE_KEYVAULT_SUFFIX``."""
    return f"AZURE_SERVICE_{service.upper()}_{field.upper()}"


def _from_cli(cloud: Cloud) -> dict[str, dict[str, str | None]]:
    """The services the Azure CLI's fields (or metadata under those names) describe."""
    suffixes, endpoints = cloud.suffixes, cloud.endpoints
    storage = _undotted(suffixes.storage_endpoint)
    found: dict[str, dict[str, str | None]] = {
        "keyvault": {"suffix": _undotted(suffixes.keyvault_dns)},
        "mhsm": {"suffix": _undotted(suffixes.mhsm_dns)},
        "acr": {"suffix": _undotted(suffixes.acr_login_server_endpoint)},
        **{kind: {"suffix": f"{kind}.{storage}" if storage else None} for kind in _STORAGE_KINDS},
    }
    for service, value in (
        ("log_analytics", endpoints.log_analytics_resource_id),
        ("graph", endpoints.microsoft_graph_resource_id),
    ):
        url = value.rstrip("/") if value else None
        found[service] = {"endpoint": url, "audience": url}
    return found


def _undotted(suffix: str | None) -> str | None:
    return suffix.lstrip(".") if suffix else None


def services_of(cloud: Cloud) -> dict[str, Service]:
    """Every service of ``cloud``: its CLI fields, the built-in values, then its overrides."""
    values: dict[str, dict[str, str]] = {name: {} for name in SERVICE_NAMES}
    for name, derived in _from_cli(cloud).items():
        values[name].update({k: v for k, v in derived.items() if v is not None})
    for name, builtin in data.SERVICES.get(cloud.name, {}).items():
        for kind in _STORAGE_KINDS if name == "storage" else (name,):
            values[kind].update(builtin)
    for name, overridden in cloud.service_overrides.items():
        values[name].update(overridden)
    return {name: Service(name=name, **fields) for name, fields in values.items()}


def apply_service_variables(
    cloud: Cloud, *, cloud_name: str | None, variables: Mapping[str, str], origins: Mapping[str, Source]
) -> tuple[Cloud, dict[str, Source]]:
    """``cloud`` with the services its name brings (``dod``: the DoD Graph) and, over them, the
    ``AZURE_SERVICE_*`` variables; and where each of those values came from, by
    ``services.<service>.<field>``.

    Raises:
        ConfigurationError: A variable names no service azenvcloud knows (a typo), or its value
            is no DNS suffix (``_SUFFIX``) or https URL (``_AUDIENCE``, ``_ENDPOINT``).
    """
    from .clouds import variant_services
    from .provenance import Source

    overrides = variant_services(cloud_name) if cloud_name else {}
    sources = {
        f"services.{service}.{field}": Source("derived", f"from AZURE_CLOUD={cloud_name.strip()}")
        for service, fields in overrides.items()
        for field in fields
        if cloud_name
    }
    kept = services_of(cloud.model_copy(update={"service_overrides": overrides})) if variables else {}
    for variable, value in sorted(variables.items()):
        origin = origins.get(variable, Source("environment"))
        service, field, parsed = _parse_variable(variable, value, origin)
        overrides.setdefault(service, {})[field] = parsed
        sources[f"services.{service}.{field}"] = origin
    for service, fields in overrides.items():
        endpoint_variable = override_variable(service, "endpoint")
        if endpoint_variable in variables and override_variable(service, "audience") not in variables:
            _audience_of_new_endpoint(service, fields, kept[service], sources)
    if not overrides:
        return cloud, sources
    return cloud.model_copy(update={"service_overrides": overrides}), sources


# Services whose token audience is their endpoint: a new endpoint brings its own audience.
_AUDIENCE_IS_ENDPOINT = frozenset({"graph", "log_analytics"})


def _audience_of_new_endpoint(
    service: str, fields: dict[str, str], kept: Service, sources: dict[str, Source]
) -> None:
    """An ``_ENDPOINT`` override never keeps the audience of the endpoint it replaced."""
    from .provenance import Source

    endpoint = fields["endpoint"]
    if kept.endpoint is not None and endpoint == kept.endpoint.rstrip("/"):
        return
    if service in _AUDIENCE_IS_ENDPOINT:
        fields["audience"] = endpoint
        sources[f"services.{service}.audience"] = Source(
            "derived", f"from {override_variable(service, 'endpoint')}"
        )
    elif kept.audience is not None:
        variable = override_variable(service, "audience")
        raise ConfigurationError(
            f"{override_variable(service, 'endpoint')}={quote_value(endpoint)} replaces the "
            f"{SERVICE_NAMES[service]} endpoint, but its token audience would stay {kept.audience}, the "
            f"audience of the endpoint it replaced: a token for that one would go to the new host. Accepted: "
            f"set {variable} to the new endpoint's audience too.",
            variables=(variable, override_variable(service, "endpoint")),
        )


def parse_service_variable(variable: str) -> tuple[str, str]:
    """``(service, field)`` of a service variable already accepted: ``("blob", "suffix")``."""
    match = _OVERRIDE.fullmatch(variable)
    if match is None:
        raise ValueError(f"{variable} is no service variable")
    return match.group(1).lower(), match.group(2).lower()


def _parse_variable(variable: str, value: str, origin: Source) -> tuple[str, str, str]:
    match = _OVERRIDE.fullmatch(variable)
    service = match.group(1).lower() if match else ""
    try:
        if match is None or service not in SERVICE_NAMES:
            raise InvalidValue(
                "it names no service azenvcloud knows",
                f"AZURE_SERVICE_<SERVICE>_SUFFIX, _AUDIENCE or _ENDPOINT, <SERVICE> one of "
                f"{', '.join(name.upper() for name in SERVICE_NAMES)}",
            )
        field = match.group(2).lower()
        return service, field, _parse_field(field, value)
    except InvalidValue as exc:
        where = f" (from .env file {origin.detail})" if origin.kind == "dotenv" else ""
        raise exc.configuration_error(f"{variable}{where}", value, variables=(variable,)) from None


def _parse_field(field: str, value: str) -> str:
    if field == "suffix":
        return parse_dns_suffix(value).lstrip(".").lower()
    return parse_endpoint(value, accepted="an https URL such as https://vault.azure.cn").rstrip("/")


def _service(settings: Settings, name: str, field: str) -> str:
    if name not in SERVICE_NAMES:
        raise ValueError(f"{name!r} is no service azenvcloud knows; known: {', '.join(SERVICE_NAMES)}")
    value = getattr(services_of(settings.cloud)[name], field)
    if value is None:
        variable = override_variable(name, field)
        raise ConfigurationError(
            f"{settings.cloud_name} has no known {field} for {SERVICE_NAMES[name]}: no source azenvcloud "
            f"trusts publishes it for this cloud, and it never uses another cloud's. Accepted: set "
            f"{variable} (in the environment or .env) to this cloud's value, if it offers the service.",
            variables=(variable,),
        )
    return str(value)


def service_url(service: str, name: str | None = None) -> str:
    """The https URL of a resource of ``service`` in the resolved cloud.

    Args:
        service: A service name (:data:`SERVICE_NAMES`), such as ``"keyvault"`` or ``"blob"``.
        name: The resource's short name (``"kv1"``): a DNS label. ``None`` for a service with a
            fixed endpoint (``"log_analytics"``, ``"graph"``).

    Raises:
        ConfigurationError: The cloud has no known suffix (or endpoint) for the service, or the
            name is no DNS label.
        ValueError: ``service`` is no service azenvcloud knows.
    """
    from .settings import get_settings

    settings = get_settings()
    if name is None:
        return _service(settings, service, "endpoint")
    label = name.strip().lower()
    if not _LABEL.fullmatch(label):
        raise ConfigurationError(
            f"{quote_value(name)} is not a {SERVICE_NAMES.get(service, service)} name: a name is one DNS "
            "label (letters, digits and '-', at most 63). Accepted: the short name, such as kv1; "
            "azenvcloud adds the cloud's suffix.",
            variables=(),
        )
    return f"https://{label}.{_service(settings, service, 'suffix')}"


# Services whose audience each resource names in its 401 challenge (the SDK follows it), and
# the get_client call that builds their client.
_CHALLENGE_SERVICES = {"keyvault": 'SecretClient, vault="<name>"'}


def service_scope(service: str) -> str:
    """The token scope (``<audience>/.default``) of ``service`` in the resolved cloud.

    Raises:
        ConfigurationError: The cloud has no known audience for the service (for Key Vault, whose
            audience comes from each vault's challenge, the message points to ``get_client``).
        ValueError: ``service`` is no service azenvcloud knows.
    """
    from .settings import get_settings

    settings = get_settings()
    client = _CHALLENGE_SERVICES.get(service)
    if client is not None and services_of(settings.cloud)[service].audience is None:
        variable = override_variable(service, "audience")
        raise ConfigurationError(
            f"{SERVICE_NAMES[service]} has no fixed scope to return: each resource names the token's "
            "audience in its challenge, and the SDK asks for that token itself. Accepted: "
            f"azenvcloud.get_client({client}) (or its azenvcloud.aio twin), which follows the "
            f"challenge; or set {variable} to this cloud's value if you need the scope yourself.",
            variables=(variable,),
        )
    return f"{_service(settings, service, 'audience')}{SCOPE_SUFFIX}"


def check_service_url(service: str, url: str, *, argument: str) -> str:
    """``url`` if its host may receive ``service``'s token in the resolved cloud, normalised.

    Accepted: a host of ``service`` in the resolved cloud (its suffix, its endpoint, or a sourced
    alternative form such as Storage's DNS-zone endpoints), and, where the resolved cloud has no
    known host for the service at all (a Monitor data collection endpoint), any host of no other
    built-in cloud. A host of another built-in cloud (any of its known hosts, for any service) is
    refused: that is the commonest data-plane failure, a hard-coded public host
    (``https://kv1.vault.azure.net`` under ``AZURE_CLOUD=china``), caught before any token request.
    To accept another host of no built-in cloud (a custom domain in front of a storage account),
    list it in ``AZENVCLOUD_ACCEPTED_HOSTS`` (the environment, a named .env file, or code); to
    change the cloud's hosts for a service, set its ``AZURE_SERVICE_<SERVICE>_SUFFIX`` or
    ``_ENDPOINT`` (with its ``_AUDIENCE``).

    Raises:
        ConfigurationError: The URL is malformed, or its host is not of the resolved cloud (the
            message names the cloud it belongs to, when it is a built-in one).
    """
    from .settings import get_settings

    settings = get_settings()
    try:
        normalised = parse_endpoint(url)
    except InvalidValue as exc:
        raise exc.configuration_error(argument, url, variables=(argument,)) from None
    host = host_of(normalised)
    own = services_of(settings.cloud)[service]
    if _belongs(own, host, settings.cloud_name):
        return normalised
    other = _builtin_cloud_of(host, besides=settings.cloud_name)
    if other is None and not (own.suffix or own.endpoint):
        return normalised  # no known hosts here: from code, the URL is the user's to choose
    if other is None and _accepted(host, settings.accepted_hosts):
        return normalised  # a host a trusted source added (AZENVCLOUD_ACCEPTED_HOSTS)
    of = (
        f"belongs to {other}" if other else f"is not a {SERVICE_NAMES[service]} host of {settings.cloud_name}"
    )
    if own.suffix or own.endpoint:
        expected = f"whose {SERVICE_NAMES[service]} hosts are {own.endpoint or '*.' + str(own.suffix)}"
    else:
        expected = f"which has no known {SERVICE_NAMES[service]} hosts"
    raise ConfigurationError(
        f"{argument}={quote_value(url)} {of}, but the configuration resolves {settings.cloud_name}, "
        f"{expected}: values of two clouds in one process make token requests fail or send a token to "
        "the other cloud. Accepted: a host of the resolved cloud (pass the short name instead of a URL), "
        f"or set {override_variable(service, 'suffix')} (in the environment or a named .env file) if this "
        "cloud's hosts are different.",
        variables=(argument, "AZURE_CLOUD"),
    )


# Sourced alternative host forms, per cloud and service. Storage's DNS-zone endpoints
# ("AzureDnsZone", preview, public cloud): https://<account>.z[00-99].<service>.storage.azure.net,
# learn.microsoft.com/azure/storage/blobs/storage-blob-query-endpoint-srp and
# learn.microsoft.com/azure/storage/common/storage-account-overview ("Azure DNS zone endpoints").
_ALTERNATIVE_HOSTS: Mapping[str, Mapping[str, re.Pattern[str]]] = {
    "AzureCloud": {
        kind: re.compile(rf"[a-z0-9]{{3,24}}\.z[0-9]{{2}}\.{kind}\.storage\.azure\.net")
        for kind in _STORAGE_KINDS
    },
}


def alternative_hosts(cloud_name: str) -> tuple[re.Pattern[str], ...]:
    """The sourced alternative host forms of ``cloud_name``'s services (a whole host matches)."""
    return tuple(_ALTERNATIVE_HOSTS.get(cloud_name, {}).values())


def parse_accepted_hosts(raw: object) -> tuple[str, ...]:
    """``AZENVCLOUD_ACCEPTED_HOSTS``: comma-separated host names, or ``*.`` and a DNS suffix."""
    accepted = "comma-separated host names (files.contoso.com) or *.suffix (*.contoso.com)"
    hosts = []
    for item in str(raw).split(","):
        text = item.strip().lower()
        if not text:
            continue
        wildcard = text.startswith("*.")
        name = parse_dns_suffix(text[2:] if wildcard else text).lstrip(".").rstrip(".")
        if "." not in name:
            raise InvalidValue(f"{item.strip()!r} is not a full host name", accepted)
        hosts.append(f"*.{name}" if wildcard else name)
    return tuple(hosts)


def _accepted(host: str, accepted_hosts: tuple[str, ...]) -> bool:
    return any(
        host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
        for pattern in accepted_hosts
    )


def _belongs(service: Service, host: str, cloud_name: str | None = None) -> bool:
    if service.endpoint and host == host_of(service.endpoint):
        return True
    alternative = _ALTERNATIVE_HOSTS.get(cloud_name or "", {}).get(service.name)
    if alternative is not None and alternative.fullmatch(host):
        return True
    return bool(service.suffix) and host.endswith(f".{service.suffix}")


def _builtin_cloud_of(host: str, *, besides: str) -> str | None:
    """The built-in cloud (other than ``besides``) any of whose known hosts ``host`` is."""
    from .clouds import BUILTIN_CLOUDS

    for name, cloud in BUILTIN_CLOUDS.items():
        if name == besides:
            continue
        if host in {host_of(cloud.authority_host), host_of(cloud.resource_manager)}:
            return name
        if any(_belongs(service, host, name) for service in services_of(cloud).values()):
            return name
    for canonical, services in clouds_data.VARIANTS.values():
        endpoints = {host_of(fields["endpoint"]) for fields in services.values() if "endpoint" in fields}
        if canonical != besides and host in endpoints:
            return canonical
    known = clouds_data.MANAGEMENT_HOSTS.get(host) or clouds_data.AUTHORITY_HOSTS.get(host)
    return known if known != besides else None


def services_report(
    cloud: Cloud, sources: Mapping[str, object] | None = None
) -> dict[str, dict[str, str | None]]:
    """Each service's values and where an overridden one came from, for ``show`` and ``clouds``.

    A value the cloud does not have reads ``None``, with the variable that would set it.
    """
    report: dict[str, dict[str, str | None]] = {}
    for name, service in services_of(cloud).items():
        row: dict[str, str | None] = {field: getattr(service, field) for field in SERVICE_FIELDS}
        for field in SERVICE_FIELDS:
            origin = (sources or {}).get(f"services.{name}.{field}")
            if origin is not None:
                row[f"{field}_source"] = f"{override_variable(name, field)} <- {origin}"
        report[name] = row
    return report
