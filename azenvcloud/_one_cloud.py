"""One cloud for every audience: a built-in cloud's token never goes to a host of no built-in cloud.

A token is only as safe as the host it is sent to. When the audience a token is asked for belongs
to a built-in cloud (its Resource Manager audience, or a known data-plane audience such as
``https://vault.azure.net``) but the host that receives it belongs to no built-in cloud, that host
would hold a real token of the built-in cloud: this is the mixed-cloud error, before any token
request, whatever source each value came from. A private cloud (Azure Stack Hub, an air-gapped
cloud) has audiences of its own, so it never meets this rule.

Also here: azure-core's own switch, ``AZURE_SDK_CLOUD_CONF`` (read from the environment only, as
azure-core does), which must name the cloud azenvcloud resolved, since the SDK clients a program
builds without ``cloud_setting`` would otherwise talk to another cloud.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from . import _builtin_clouds as data
from ._service_model import SERVICE_NAMES, override_variable, services_of
from ._values import host_of
from .clouds import BUILTIN_CLOUDS, Cloud, variant_services
from .errors import ConfigurationError, quote_value
from .provenance import Source

__all__ = ["SDK_CLOUDS", "SDK_CLOUD_KEY", "refuse_foreign_audiences", "refuse_other_sdk_cloud", "sdk_cloud"]

SDK_CLOUD_KEY = "sdk_cloud_conf"
"""Where ``AZURE_SDK_CLOUD_CONF``'s source is kept among the settings' sources."""

# azure-core accepts exactly the names of its AzureClouds members, case-sensitively:
# Azure/azure-sdk-for-python, sdk/core/azure-core/azure/core/settings.py, convert_azure_cloud
# (azure-core 1.41.0, as installed; azure/core/_azure_clouds.py has the three members).
SDK_CLOUDS: Mapping[str, str] = {
    "AZURE_PUBLIC_CLOUD": data.PUBLIC,
    "AZURE_CHINA_CLOUD": data.CHINA,
    "AZURE_US_GOVERNMENT": data.US_GOVERNMENT,
}
_SDK_VARIABLE = "AZURE_SDK_CLOUD_CONF"
# A vault's audience is named by its challenge: https://<the cloud's vault suffix> (the scope every
# built-in cloud's vault asks for, as tests/test_dataplane.py sees on the wire).
_AUDIENCE_IS_SUFFIX = frozenset({"keyvault", "mhsm"})


def sdk_cloud(raw: str | None, sources: dict[str, Source]) -> str | None:
    """The canonical cloud ``AZURE_SDK_CLOUD_CONF`` names, or ``None`` when it is unset; records
    its source under :data:`SDK_CLOUD_KEY`.

    Raises:
        ConfigurationError: A value azure-core would refuse (it compares case-sensitively).
    """
    if raw is None:
        return None
    sources[SDK_CLOUD_KEY] = Source("environment", _SDK_VARIABLE)
    if raw not in SDK_CLOUDS:
        raise ConfigurationError(
            f"{_SDK_VARIABLE}={quote_value(raw)} is not usable: azure-core accepts only the exact names of "
            f"its clouds, and refuses this value when it builds a client. Accepted: "
            f"{', '.join(SDK_CLOUDS)} (case-sensitive), or leave it unset and select the cloud with "
            "AZURE_CLOUD.",
            variables=(_SDK_VARIABLE,),
        )
    return SDK_CLOUDS[raw]


def refuse_other_sdk_cloud(raw: str, cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """``AZURE_SDK_CLOUD_CONF`` names another cloud than the resolved one: the process would run two."""
    if SDK_CLOUDS.get(raw) == cloud.name:
        return
    chosen = sources.get("cloud") or sources.get("resource_manager") or Source("derived")
    raise ConfigurationError(
        f"{_SDK_VARIABLE}={quote_value(raw)} selects {SDK_CLOUDS.get(raw, raw)} for every Azure SDK "
        f"client built without cloud_setting, but the configuration resolves {cloud.name} ({chosen}): "
        f"one process would talk to two clouds. Accepted: unset {_SDK_VARIABLE}, or set it to the "
        "resolved cloud's name"
        + "".join(f" ({member})" for member, name in SDK_CLOUDS.items() if name == cloud.name)
        + ", or select that cloud with AZURE_CLOUD instead.",
        variables=(_SDK_VARIABLE, "AZURE_CLOUD"),
    )


@functools.cache
def _audiences() -> Mapping[str, str]:
    """Host of every built-in cloud's audience (Resource Manager and data plane) -> cloud."""
    found = dict(data.MANAGEMENT_HOSTS)
    for name, cloud in BUILTIN_CLOUDS.items():
        for service in services_of(cloud).values():
            if service.audience:
                found.setdefault(host_of(service.audience), name)
            elif service.name in _AUDIENCE_IS_SUFFIX and service.suffix:
                found.setdefault(service.suffix, name)
    for canonical, services in data.VARIANTS.values():
        for fields in services.values():
            if "audience" in fields:
                found.setdefault(host_of(fields["audience"]), canonical)
    return found


@functools.cache
def _hosts() -> tuple[frozenset[str], tuple[str, ...]]:
    """Every built-in cloud's known hosts and DNS suffixes (a resource's host ends with
    ``.<suffix>``), and the domains they are registered under (``azure.cn``, ``usgovcloudapi.net``:
    Microsoft's, so a host under one is a built-in cloud's, even where no value is sourced)."""
    hosts = {*data.MANAGEMENT_HOSTS, *data.AUTHORITY_HOSTS}
    suffixes: set[str] = set()
    for name, cloud in BUILTIN_CLOUDS.items():
        services = list(services_of(cloud).values())
        for service in services:
            if service.endpoint:
                hosts.add(host_of(service.endpoint))
            if service.suffix:
                suffixes.add(service.suffix)
        for fields in variant_services(name).values():
            if "endpoint" in fields:
                hosts.add(host_of(fields["endpoint"]))
    for _, services_of_variant in data.VARIANTS.values():
        for fields in services_of_variant.values():
            if "endpoint" in fields:
                hosts.add(host_of(fields["endpoint"]))
    domains = {".".join(name.split(".")[-2:]) for name in (*hosts, *suffixes)}
    return frozenset(hosts), tuple(sorted(suffixes | domains))


def builtin_cloud_host(host: str) -> bool:
    """Whether ``host`` is a known host of a built-in cloud, or under one of its suffixes."""
    hosts, suffixes = _hosts()
    host = host.lower().rstrip(".")
    return host in hosts or any(host == suffix or host.endswith(f".{suffix}") for suffix in suffixes)


def refuse_foreign_audiences(cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """A built-in cloud's audience with a Resource Manager or service host of no built-in cloud.

    Raises:
        ConfigurationError: Naming the audience, the host and where each came from.
    """
    audiences = _audiences()
    owner = audiences.get(host_of(cloud.audience))
    if owner is not None and host_of(cloud.resource_manager) not in data.MANAGEMENT_HOSTS:
        raise _foreign(
            ("AZURE_AUDIENCE", cloud.audience, sources.get("audience")),
            ("AZURE_RESOURCE_MANAGER", cloud.resource_manager, sources.get("resource_manager")),
            owner,
            "or that host's own audience (a private cloud's, from its metadata)",
        )
    for name, service in services_of(cloud).items():
        audience = service.audience
        owner = audiences.get(host_of(audience)) if audience else None
        if owner is None or audience is None:
            continue
        for field in ("endpoint", "suffix"):
            value = getattr(service, field)
            host = host_of(value) if field == "endpoint" and value else value
            if host and not builtin_cloud_host(host):
                audience_variable = override_variable(name, "audience")
                raise _foreign(
                    (audience_variable, audience, sources.get(f"services.{name}.audience")),
                    (override_variable(name, field), value, sources.get(f"services.{name}.{field}")),
                    owner,
                    f"or that host's own {SERVICE_NAMES[name]} audience in {audience_variable}",
                )


def _foreign(
    audience: tuple[str, str, Source | None],
    destination: tuple[str, str, Source | None],
    owner: str,
    alternative: str,
) -> ConfigurationError:
    def shown(item: tuple[str, str, Source | None]) -> str:
        variable, value, source = item
        return f"{variable}={quote_value(value)} ({source or 'default'})"

    return ConfigurationError(
        f"{shown(audience)} is an audience of {owner}, but {shown(destination)} is a host of no built-in "
        f"cloud: a real {owner} token would be sent there. Values of two clouds in one configuration are "
        f"refused before any token request. Accepted: {owner}'s own host, {alternative}.",
        variables=(destination[0], audience[0]),
    )
