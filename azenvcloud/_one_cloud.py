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
from ._service_model import SERVICE_NAMES, alternative_hosts, override_variable, services_of
from ._values import host_of
from .clouds import BUILTIN_CLOUDS, Cloud, variant_services
from .errors import ConfigurationError, quote_value
from .provenance import Source

__all__ = [
    "SDK_CLOUDS",
    "SDK_CLOUD_CONF",
    "SDK_CLOUD_KEY",
    "cloud_host",
    "refuse_foreign_audiences",
    "refuse_other_sdk_cloud",
    "sdk_cloud",
]

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
SDK_CLOUD_CONF = "AZURE_SDK_CLOUD_CONF"
"""azure-core's own cloud switch (1.39+), read from the environment only, as azure-core does."""
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
    sources[SDK_CLOUD_KEY] = Source("environment", SDK_CLOUD_CONF)
    if raw not in SDK_CLOUDS:
        raise ConfigurationError(
            f"{SDK_CLOUD_CONF}={quote_value(raw)} is not usable: azure-core accepts only the exact names of "
            f"its clouds, and refuses this value when it builds a client. Accepted: "
            f"{', '.join(SDK_CLOUDS)} (case-sensitive), or leave it unset and select the cloud with "
            "AZURE_CLOUD.",
            variables=(SDK_CLOUD_CONF,),
        )
    return SDK_CLOUDS[raw]


def refuse_other_sdk_cloud(raw: str, cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """``AZURE_SDK_CLOUD_CONF`` names another cloud than the resolved one: the process would run two."""
    if SDK_CLOUDS.get(raw) == cloud.name:
        return
    chosen = sources.get("cloud") or sources.get("resource_manager") or Source("derived")
    raise ConfigurationError(
        f"{SDK_CLOUD_CONF}={quote_value(raw)} selects {SDK_CLOUDS.get(raw, raw)} for every Azure SDK "
        f"client built without cloud_setting, but the configuration resolves {cloud.name} ({chosen}): "
        f"one process would talk to two clouds. Accepted: unset {SDK_CLOUD_CONF}, or set it to the "
        "resolved cloud's name"
        + "".join(f" ({member})" for member, name in SDK_CLOUDS.items() if name == cloud.name)
        + ", or select that cloud with AZURE_CLOUD instead.",
        variables=(SDK_CLOUD_CONF, "AZURE_CLOUD"),
    )


@functools.cache
def _audiences() -> Mapping[str, frozenset[str]]:
    """Host of every built-in cloud's audience (Resource Manager and data plane) -> its clouds
    (Storage's ``https://storage.azure.com`` is the audience of every cloud)."""
    found: dict[str, set[str]] = {}
    for host, name in data.MANAGEMENT_HOSTS.items():
        found.setdefault(host, set()).add(name)
    for name, cloud in BUILTIN_CLOUDS.items():
        for service in services_of(cloud).values():
            if service.audience:
                found.setdefault(host_of(service.audience), set()).add(name)
            elif service.name in _AUDIENCE_IS_SUFFIX and service.suffix:
                found.setdefault(service.suffix, set()).add(name)
    for canonical, services in data.VARIANTS.values():
        for fields in services.values():
            if "audience" in fields:
                found.setdefault(host_of(fields["audience"]), set()).add(canonical)
    return {host: frozenset(names) for host, names in found.items()}


@functools.cache
def _hosts() -> Mapping[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Each built-in cloud's known hosts and DNS suffixes (a resource's host ends with
    ``.<suffix>``), its variants' included: sourced values only. No registrable domain stands in
    for them: ``azure.com`` also holds customers' names (``<vm>.<region>.cloudapp.azure.com``)."""
    found: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    for name, cloud in BUILTIN_CLOUDS.items():
        hosts = {
            host
            for host, owner in (*data.MANAGEMENT_HOSTS.items(), *data.AUTHORITY_HOSTS.items())
            if owner == name
        }
        suffixes: set[str] = set()
        for service in services_of(cloud).values():
            if service.endpoint:
                hosts.add(host_of(service.endpoint))
            if service.suffix:
                suffixes.add(service.suffix)
        variants = [services for canonical, services in data.VARIANTS.values() if canonical == name]
        for services in [variant_services(name), *variants]:
            for fields in services.values():
                if "endpoint" in fields:
                    hosts.add(host_of(fields["endpoint"]))
        found[name] = (frozenset(hosts), tuple(sorted(suffixes)))
    return found


def cloud_host(host: str, cloud_name: str, *, suffix: bool = False) -> bool:
    """Whether ``host`` (or, with ``suffix``, a DNS suffix: the hosts below it) is one of
    ``cloud_name``'s sourced hosts, under one of its suffixes, or a sourced alternative form."""
    hosts, suffixes = _hosts().get(cloud_name, (frozenset(), ()))
    host = host.lower().rstrip(".")
    if host in hosts or any(host.endswith(f".{known}") for known in suffixes):
        return True
    if suffix and host in suffixes:
        return True
    example = f"account1.{host}" if suffix else host  # a suffix: the host of a resource below it
    return any(pattern.fullmatch(example) for pattern in alternative_hosts(cloud_name))


def _in_zone(host: str, audience: str) -> bool:
    """Whether ``host`` is the audience's own host or below it (China's AI Search: no source names
    its suffix, but its audience ``https://search.azure.cn`` is the zone its services are in)."""
    zone = host_of(audience)
    host = host.lower().rstrip(".")
    return host == zone or host.endswith(f".{zone}")


def _clouds_of_host(host: str, *, suffix: bool) -> list[str]:
    return [name for name in BUILTIN_CLOUDS if cloud_host(host, name, suffix=suffix)]


def _owners(audience: str, cloud: Cloud) -> frozenset[str]:
    """The built-in clouds whose token ``audience`` asks for: the resolved cloud alone when the
    audience is its own too (the token comes from its authority), else every cloud it is of."""
    owners = _audiences().get(host_of(audience), frozenset())
    return frozenset({cloud.name}) if cloud.name in owners else owners


def refuse_foreign_audiences(cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """A built-in cloud's audience with a Resource Manager or service host of no built-in cloud,
    or of another built-in cloud (one cloud for every audience).

    Raises:
        ConfigurationError: Naming the audience, the host and where each came from.
    """
    owners = _owners(cloud.audience, cloud)
    arm_cloud = data.MANAGEMENT_HOSTS.get(host_of(cloud.resource_manager))
    if owners and arm_cloud not in owners:
        raise _foreign(
            ("AZURE_AUDIENCE", cloud.audience, sources.get("audience")),
            ("AZURE_RESOURCE_MANAGER", cloud.resource_manager, sources.get("resource_manager")),
            owners,
            arm_cloud,
            "or that host's own audience (a private cloud's, from its metadata)",
        )
    for name, service in services_of(cloud).items():
        audience = service.audience
        owners = _owners(audience, cloud) if audience else frozenset()
        if not owners:
            continue
        for field in ("endpoint", "suffix"):
            value = getattr(service, field)
            host = host_of(value) if field == "endpoint" and value else value
            if not host or _in_zone(host, str(audience)):
                continue
            if any(cloud_host(host, owner, suffix=field == "suffix") for owner in owners):
                continue
            others = _clouds_of_host(host, suffix=field == "suffix")
            audience_variable = override_variable(name, "audience")
            raise _foreign(
                (audience_variable, str(audience), sources.get(f"services.{name}.audience")),
                (override_variable(name, field), value, sources.get(f"services.{name}.{field}")),
                owners,
                others[0] if others else None,
                f"or that host's own {SERVICE_NAMES[name]} audience in {audience_variable}",
            )


def _foreign(
    audience: tuple[str, str, Source | None],
    destination: tuple[str, str, Source | None],
    owners: frozenset[str],
    other: str | None,
    alternative: str,
) -> ConfigurationError:
    def shown(item: tuple[str, str, Source | None]) -> str:
        variable, value, source = item
        return f"{variable}={quote_value(value)} ({source or 'default'})"

    owner = " or ".join(sorted(owners))
    where = f"a host of {other}" if other else "a host of no built-in cloud"
    return ConfigurationError(
        f"{shown(audience)} is an audience of {owner}, but {shown(destination)} is {where}: a real "
        f"{owner} token would be sent there. Values of two clouds in one configuration are "
        f"refused before any token request. Accepted: {owner}'s own host, {alternative}.",
        variables=(destination[0], audience[0]),
    )
