"""Data-plane services: the ``Service`` value, each cloud's services, and a service's URL and
scope in a resolved configuration.

Every cloud's services come from one place: the values the Azure CLI's table (or a private
cloud's metadata, or a snapshot) gives under the CLI's names, plus, for the built-in clouds, the
sourced values of ``_builtin_services.py``, plus overrides from the environment or ``.env``
(:mod:`azenvcloud._service_variables` applies them)::

    AZURE_SERVICE_<SERVICE>_SUFFIX / _AUDIENCE / _ENDPOINT
    e.g. AZURE_SERVICE_KEYVAULT_SUFFIX=vault.cloudapi.microsoft.scloud

A value that is not known is ``None``, and asking for it is a :class:`ConfigurationError` that
names the variable supplying it: never the public cloud's value.

The functions of a resolved configuration (:func:`url_of`, :func:`scope_of`) take its settings as
an argument: the public getters (``azenvcloud.service_url``, ``service_scope``) pass the resolved
settings (:mod:`azenvcloud._clients`), a recipe passes the settings it builds from, and this
module stays below the settings, beside the cloud model that uses it. A URL given in code is a
destination, judged with the others (``check_service_url``: :mod:`azenvcloud._destinations`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from . import _builtin_services as data
from ._errors import ConfigurationError, quote_value
from ._parsers import SCOPE_SUFFIX, InvalidValue, host_of, parse_service_suffix, parse_service_url

if TYPE_CHECKING:
    from ._clouds import Cloud
    from ._provenance import Source
    from ._settings import Settings

__all__ = [
    "SERVICES_KEY",
    "SERVICE_FIELDS",
    "SERVICE_NAMES",
    "STORAGE_KINDS",
    "Service",
    "ServiceRow",
    "alternative_hosts",
    "belongs",
    "hosts_in_words",
    "is_accepted",
    "is_service_variable",
    "override_variable",
    "parse_service_variable",
    "parse_variable",
    "scope_of",
    "services_of",
    "services_report",
    "suffixes_of",
    "url_of",
    "value_of",
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

SERVICE_NAMES: Mapping[str, str] = MappingProxyType(data.SERVICE_NAMES)
"""Every service azenvcloud knows, by the name its variables and helpers use (the data:
``_builtin_services.py``, beside each service's per-cloud values)."""

STORAGE_KINDS = ("blob", "queue", "file", "dfs", "table")
_OVERRIDE = re.compile(r"AZURE_SERVICE_([A-Z0-9_]+)_(SUFFIX|AUDIENCE|ENDPOINT)")


class Service(BaseModel):
    """One data-plane service in one cloud.

    Attributes:
        name: The service's name (``keyvault``, ``blob``, ``graph``, ...).
        suffix: The DNS suffix a resource's host ends with, without a leading dot
            (``vault.azure.cn``), or ``None`` where it is not known.
        audience: The token audience, without a trailing slash, or ``None``.
        endpoint: The fixed endpoint of a service that has one (Log Analytics, Microsoft Graph).
        alternative_suffixes: The DNS suffixes of the service's other sourced host forms, which a
            URL may name too (App Configuration's ``appconfig.azure.us`` beside ``azconfig.azure.us``);
            ``suffix`` alone builds a host from a short name. An ``AZURE_SERVICE_<SERVICE>_SUFFIX``
            override replaces them all.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    suffix: str | None = None
    audience: str | None = None
    endpoint: str | None = None
    alternative_suffixes: tuple[str, ...] = ()

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
        **{kind: {"suffix": f"{kind}.{storage}" if storage else None} for kind in STORAGE_KINDS},
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
        for kind in STORAGE_KINDS if name == "storage" else (name,):
            values[kind].update(builtin)
    for name, overridden in cloud.service_overrides.items():
        values[name].update(overridden)
    alternatives = {
        name: suffixes
        for name, suffixes in data.ALTERNATIVE_SUFFIXES.get(cloud.name, {}).items()
        if "suffix" not in cloud.service_overrides.get(name, {})  # an override replaces every form
    }
    return {
        name: Service(name=name, alternative_suffixes=alternatives.get(name, ()), **fields)
        for name, fields in values.items()
    }


def parse_service_variable(variable: str) -> tuple[str, str]:
    """``(service, field)`` of a service variable already accepted: ``("blob", "suffix")``."""
    match = _OVERRIDE.fullmatch(variable)
    if match is None:
        raise ValueError(f"{variable} is no service variable")
    return match.group(1).lower(), match.group(2).lower()


def parse_variable(variable: str, value: str, origin: Source) -> tuple[str, str, str]:
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
    return parse_service_suffix(value) if field == "suffix" else parse_service_url(value)


# Sourced alternative host forms, per cloud and service. Storage's DNS-zone endpoints
# ("AzureDnsZone", preview, public cloud): https://<account>.z[00-99].<service>.storage.azure.net,
# learn.microsoft.com/azure/storage/blobs/storage-blob-query-endpoint-srp and
# learn.microsoft.com/azure/storage/common/storage-account-overview ("Azure DNS zone endpoints").
_ALTERNATIVE_HOSTS: Mapping[str, Mapping[str, re.Pattern[str]]] = {
    "AzureCloud": {
        kind: re.compile(rf"[a-z0-9]{{3,24}}\.z[0-9]{{2}}\.{kind}\.storage\.azure\.net")
        for kind in STORAGE_KINDS
    },
}


def alternative_hosts(cloud_name: str) -> tuple[re.Pattern[str], ...]:
    """The sourced alternative host forms of ``cloud_name``'s services (a whole host matches)."""
    return tuple(_ALTERNATIVE_HOSTS.get(cloud_name, {}).values())


def is_accepted(host: str, accepted_hosts: tuple[str, ...]) -> bool:
    """Whether ``host`` is one of ``accepted_hosts`` (``*.`` patterns: any host below)."""
    return any(
        host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
        for pattern in accepted_hosts
    )


def belongs(service: Service, host: str, cloud_name: str | None = None) -> bool:
    """Whether ``host`` is one of ``service``'s: its endpoint's, under a suffix, or a sourced
    alternative form of ``cloud_name``'s."""
    if service.endpoint and host == host_of(service.endpoint):
        return True
    alternative = _ALTERNATIVE_HOSTS.get(cloud_name or "", {}).get(service.name)
    if alternative is not None and alternative.fullmatch(host):
        return True
    return any(host.endswith(f".{suffix}") for suffix in suffixes_of(service))


def suffixes_of(service: Service) -> tuple[str, ...]:
    """Every DNS suffix of ``service``'s hosts: its ``suffix``, then its alternative forms."""
    return (service.suffix, *service.alternative_suffixes) if service.suffix else service.alternative_suffixes


def hosts_in_words(service: Service) -> str:
    """``service``'s hosts for a message: its endpoint, or ``*.<suffix>`` for each of its suffixes
    (``*.azconfig.azure.us and *.appconfig.azure.us``)."""
    if service.endpoint:
        return service.endpoint
    return " and ".join(f"*.{suffix}" for suffix in suffixes_of(service))


ServiceRow = dict[str, "str | list[str] | None"]
"""One service in :func:`services_report`: ``suffix``, ``audience``, ``endpoint`` (``None`` where
unknown), ``alternative_suffixes`` (a list) and, for an overridden value, ``<field>_source``."""


def services_report(cloud: Cloud, sources: Mapping[str, object] | None = None) -> dict[str, ServiceRow]:
    """Each service's values and where an overridden one came from, for ``show`` and ``clouds``.

    A value the cloud does not have reads ``None``, with the variable that would set it.
    """
    report: dict[str, ServiceRow] = {}
    for name, service in services_of(cloud).items():
        row: ServiceRow = {field: getattr(service, field) for field in SERVICE_FIELDS}
        row["alternative_suffixes"] = list(service.alternative_suffixes)
        for field in SERVICE_FIELDS:
            origin = (sources or {}).get(f"services.{name}.{field}")
            if origin is not None:
                row[f"{field}_source"] = f"{override_variable(name, field)} <- {origin}"
        report[name] = row
    return report


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def value_of(settings: Settings, name: str, field: str) -> str:
    """``field`` (``suffix``, ``audience``, ``endpoint``) of service ``name`` in the resolved cloud.

    Raises:
        ConfigurationError: The cloud has no known value for it (naming the variable that sets it).
        ValueError: ``name`` is no service azenvcloud knows.
    """
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


def url_of(settings: Settings, service: str, name: str | None = None) -> str:
    """The https URL of a resource of ``service`` in the configuration ``settings`` resolved
    (:func:`azenvcloud.service_url` passes the resolved settings).

    Args:
        service: A service name (:data:`SERVICE_NAMES`), such as ``"keyvault"`` or ``"blob"``.
        name: The resource's short name (``"kv1"``): a DNS label. ``None`` for a service with a
            fixed endpoint (``"log_analytics"``, ``"graph"``).

    Raises:
        ConfigurationError: The cloud has no known suffix (or endpoint) for the service, or the
            name is no DNS label.
        ValueError: ``service`` is no service azenvcloud knows.
    """
    if name is None:
        return value_of(settings, service, "endpoint")
    label = name.strip().lower()
    if not _LABEL.fullmatch(label):
        raise ConfigurationError(
            f"{quote_value(name)} is not a {SERVICE_NAMES.get(service, service)} name: a name is one DNS "
            "label (letters, digits and '-', at most 63). Accepted: the short name, such as kv1; "
            "azenvcloud adds the cloud's suffix.",
            variables=(),
        )
    return f"https://{label}.{value_of(settings, service, 'suffix')}"


# Services whose audience each resource names in its 401 challenge (the SDK follows it), and
# the get_client call that builds their client.
_CHALLENGE_SERVICES = {"keyvault": 'SecretClient, vault="<name>"'}


def scope_of(settings: Settings, service: str) -> str:
    """The token scope (``<audience>/.default``) of ``service`` in the configuration ``settings``
    resolved (:func:`azenvcloud.service_scope` passes the resolved settings).

    Raises:
        ConfigurationError: The cloud has no known audience for the service (for Key Vault, whose
            audience comes from each vault's challenge, the message points to ``get_client``).
        ValueError: ``service`` is no service azenvcloud knows.
    """
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
    return f"{value_of(settings, service, 'audience')}{SCOPE_SUFFIX}"
