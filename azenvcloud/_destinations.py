"""The destinations and audiences of a resolved cloud, each refused when another cloud owns it.

A token is only as safe as the host it is sent to, whatever source each value came from. Two
rules, both the mixed-cloud error before any token request:

- **No destination of the resolved cloud is a host another cloud owns**
  (:func:`refuse_foreign_destinations`): its authority, its Resource Manager, every service's
  endpoint and suffixes, its other DNS suffixes, and the hosts ``AZENVCLOUD_ACCEPTED_HOSTS`` adds.
  Who owns a host is :mod:`azenvcloud._host_owner`'s one answer (a sourced host or suffix, then
  the host's DNS zone); a custom cloud may use no built-in zone, except that one anchored to a
  built-in authority (an Azure Stack Hub stamp with Microsoft Entra ID) keeps that authority and
  that cloud's Graph.
- **One cloud for every audience** (:func:`refuse_foreign_audiences`): a built-in cloud's audience
  (its Resource Manager audience, or a known data-plane audience such as ``https://vault.azure.net``)
  is refused with a host that is not one of that cloud's sourced hosts, and for a resolved cloud
  it is not the audience of. Audiences are judged against the sourced audiences only, never by zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import _builtin_clouds as data
from ._clouds import BUILTIN_CLOUDS, Cloud, variant_services
from ._errors import ConfigurationError, quote_value, redact_url
from ._host_owner import HostOwner, Role, anchor_of, audience_owners, foreign_owner, owner_of_host
from ._parsers import InvalidValue, host_of, parse_endpoint
from ._provenance import Source
from ._services import (
    SERVICE_NAMES,
    Service,
    belongs,
    hosts_in_words,
    is_accepted,
    override_variable,
    parse_service_variable,
    services_of,
    suffixes_of,
)

if TYPE_CHECKING:
    from ._settings import Settings

__all__ = [
    "check_url",
    "cloud_host",
    "refuse_foreign_accepted_hosts",
    "refuse_foreign_audiences",
    "refuse_foreign_destinations",
]


def cloud_host(host: str, cloud_name: str, *, suffix: bool = False) -> bool:
    """Whether ``host`` (or, with ``suffix``, a DNS suffix: the hosts below it) is one of
    ``cloud_name``'s sourced hosts, under one of its suffixes, or a sourced alternative form: its
    owner by a sourced value (:func:`~azenvcloud._host_owner.owner_of_host`), never by a zone."""
    owner = owner_of_host(f"account1.{host}" if suffix else host)  # a suffix: a resource below it
    return owner is not None and owner.by != "zone" and cloud_name in owner.clouds


def _in_zone(host: str, audience: str) -> bool:
    """Whether ``host`` is the audience's own host or below it (China's AI Search: no source names
    its suffix, but its audience ``https://search.azure.cn`` is the zone its services are in)."""
    zone = host_of(audience)
    host = host.lower().rstrip(".")
    return host == zone or host.endswith(f".{zone}")


def _owners(audience: str, cloud: Cloud) -> frozenset[str]:
    """The built-in clouds whose token ``audience`` asks for: the resolved cloud alone when the
    audience is its own too (the token comes from its authority), else every cloud it is of."""
    owners = audience_owners(audience)
    return frozenset({cloud.name}) if cloud.name in owners else owners


def refuse_foreign_audiences(cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """A built-in cloud's audience with a Resource Manager or service host that is not that
    cloud's sourced host (one cloud for every audience). Audiences are judged against the sourced
    audiences only, never by zone: one is refused when it is another built-in cloud's and not the
    resolved cloud's, or when it is the resolved cloud's but its host is none of that cloud's
    sourced hosts (a customer's name under a Microsoft zone). Hosts another cloud owns are
    :func:`refuse_foreign_destinations`' to refuse, before this.

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
            f"{' or '.join(sorted(owners))}'s own Resource Manager (or just AZURE_CLOUD), or that host's "
            "own audience (a private cloud's, from its metadata)",
        )
    own_services: Mapping[str, Service] | None = None
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
            audience_variable = override_variable(name, "audience")
            host_variable = override_variable(name, field)
            if own_services is None:
                builtin = BUILTIN_CLOUDS.get(cloud.name)
                own_services = services_of(builtin) if builtin is not None else {}
            own = own_services.get(name)
            if cloud.name in owners:  # its own audience, on a host that is none of its own
                hosts = hosts_in_words(own) if own is not None else ""
                accepted = (
                    f"unset {host_variable} ({cloud.name}'s own {SERVICE_NAMES[name]} hosts: {hosts})"
                    if hosts
                    else f"a {SERVICE_NAMES[name]} host of {cloud.name} in {host_variable}"
                ) + f", or that host's own {SERVICE_NAMES[name]} audience in {audience_variable}"
            elif own is not None:
                accepted = f"unset {audience_variable} ({cloud.name}'s own" + (
                    f": {own.audience})" if own.audience else " comes from the resource itself)"
                )
            else:
                accepted = f"that host's own {SERVICE_NAMES[name]} audience in {audience_variable}"
            raise _foreign(
                (audience_variable, str(audience), sources.get(f"services.{name}.audience")),
                (override_variable(name, field), value, sources.get(f"services.{name}.{field}")),
                owners,
                accepted,
                resolved=cloud.name,
            )


def _foreign(
    audience: tuple[str, str, Source | None],
    destination: tuple[str, str, Source | None],
    owners: frozenset[str],
    accepted: str,
    *,
    resolved: str | None = None,
) -> ConfigurationError:
    def shown(item: tuple[str, str, Source | None]) -> str:
        variable, value, source = item
        return f"{variable}={quote_value(value)} ({source or 'default'})"

    owner = " or ".join(sorted(owners))
    value = destination[1]
    found = owner_of_host(host_of(value) if "://" in value else f"account1.{value}")
    if found is None:
        where = "a host of no built-in cloud"
    elif found.by == "zone":
        where = f"none of {' or '.join(sorted(found.clouds))}'s sourced hosts (only {found.describe()})"
    else:
        where = f"a host of {' and '.join(sorted(found.clouds))}"
    of = f"{owner}, not of {resolved}," if resolved and resolved not in owners else owner
    return ConfigurationError(
        f"{shown(audience)} is an audience of {of} but {shown(destination)} is {where}: a real "
        f"{owner} token would be sent there. Values of two clouds in one configuration are "
        f"refused before any token request. Accepted: {accepted}.",
        variables=(destination[0], audience[0]),
    )


# -- every destination of the resolved cloud: no host another cloud owns ------------------------


@dataclass(frozen=True)
class _Destination:
    """One value of the resolved cloud that a token or a secret is sent to (or below)."""

    variable: str  # the variable that sets it (or would override it)
    value: str  # as the configuration has it
    host: str  # the host, or the DNS suffix, whose owner is judged
    source: Source
    role: Role = "other"
    field: str | None = None  # a settings field (authority_host, ...) for Source.names
    label: str = ""  # how to name a value no variable set: "the Key Vault suffix"

    @property
    def shown(self) -> str:
        quoted = quote_value(self.value)
        if self.field is not None:
            named = self.source.names(self.field)
            return f"{named}={quoted}" + (" (environment)" if self.source.kind == "environment" else "")
        if self.source.kind in {"metadata", "default"}:
            where = (
                f"from the metadata at {redact_url(self.source.detail)}"
                if self.source.kind == "metadata"
                else str(self.source)
            )
            return f"{self.label} {quoted} ({where})"
        return f"{self.variable}={quoted} ({self.source})"


def _destinations(
    cloud: Cloud, sources: Mapping[str, Source], described_by: Source
) -> Iterator[_Destination]:
    """Every destination of ``cloud``: its authority, its Resource Manager, each service's
    endpoint and suffixes, and the rest of its DNS suffixes (a private cloud's metadata has them)."""
    yield _Destination(
        "AZURE_AUTHORITY_HOST",
        cloud.authority_host,
        host_of(cloud.authority_host),
        sources.get("authority_host") or described_by,
        "authority",
        field="authority_host",
    )
    yield _Destination(
        "AZURE_RESOURCE_MANAGER",
        cloud.resource_manager,
        host_of(cloud.resource_manager),
        sources.get("resource_manager") or described_by,
        field="resource_manager",
    )
    for name, service in services_of(cloud).items():
        if service.endpoint:
            yield _Destination(
                override_variable(name, "endpoint"),
                service.endpoint,
                host_of(service.endpoint),
                sources.get(f"services.{name}.endpoint") or described_by,
                "graph" if name == "graph" else "other",
                label=f"the {SERVICE_NAMES[name]} endpoint",
            )
        for suffix in suffixes_of(service):
            yield _Destination(
                override_variable(name, "suffix"),
                suffix,
                suffix,
                sources.get(f"services.{name}.suffix") or described_by,
                label=f"the {SERVICE_NAMES[name]} suffix",
            )
    for field, value in cloud.suffixes.model_dump().items():
        if value:
            yield _Destination(
                "AZURE_CLOUD_METADATA_URL",
                value,
                value.lstrip("."),
                described_by,
                label=f"the cloud's {field} suffix",
            )


def refuse_foreign_destinations(
    cloud: Cloud, sources: Mapping[str, Source], *, described_by: Source, cloud_name: str | None = None
) -> None:
    """No destination of the resolved cloud is a host another cloud owns
    (:func:`~azenvcloud._host_owner.foreign_owner`: by a sourced host or suffix, or by its zone),
    whatever its source: the environment, a named ``.env`` file, code, metadata.

    Args:
        cloud: The resolved cloud, service variables applied.
        sources: Where each resolved value came from.
        described_by: Where the cloud's own values came from (its metadata, or the built-in defaults).
        cloud_name: ``AZURE_CLOUD`` as given (``dod``), for the cloud's own values in a message.

    Raises:
        ConfigurationError: The mixed-cloud error, naming the value, its source and its owner.
    """
    if described_by.kind == "default" and not any(
        source.kind != "default" for key, source in sources.items() if _is_destination_key(key)
    ):
        return  # a built-in cloud's own sourced values, and nothing over them
    for destination in _destinations(cloud, sources, described_by):
        if destination.source.kind == "default":
            continue  # the built-in cloud's own sourced value (the zone table's own test checks them)
        owner = foreign_owner(destination.host, cloud, role=destination.role)
        if owner is not None:
            raise _foreign_destination(destination, owner, cloud, sources, cloud_name)


def _is_destination_key(key: str) -> bool:
    return key in {"authority_host", "resource_manager"} or (
        key.startswith("services.") and not key.endswith(".audience")
    )


def refuse_foreign_accepted_hosts(
    cloud: Cloud, accepted_hosts: tuple[str, ...], source: Source | None
) -> None:
    """``AZENVCLOUD_ACCEPTED_HOSTS`` adds hosts of no built-in cloud: one another cloud owns would
    only ever be refused where it is used, so it is the mixed-cloud error here, where ``check`` sees it."""
    for entry in accepted_hosts:
        owner = foreign_owner(entry.removeprefix("*."), cloud)
        if owner is None:
            continue
        other = " and ".join(sorted(owner.clouds - {cloud.name}))
        switch = (
            f"; or select {other} with AZURE_CLOUD, if that is the cloud you mean"
            if len(owner.clouds) == 1
            else ""
        )
        raise ConfigurationError(
            f"AZENVCLOUD_ACCEPTED_HOSTS ({source or 'argument'}) lists {entry}, which belongs to {other} "
            f"({owner.describe(entry)}), but the configuration resolves {_resolved(cloud)}: a token of one "
            "cloud would be sent to a host of another. Values of two clouds in one configuration are refused "
            "before any token request, whatever is listed. Accepted: remove it from the list (which adds "
            f"hosts of no built-in cloud, such as a custom domain in front of a resource){switch}.",
            variables=("AZENVCLOUD_ACCEPTED_HOSTS",),
        )


def _resolved(cloud: Cloud) -> str:
    """The resolved cloud in words, for a message about a host of another cloud."""
    if cloud.name in BUILTIN_CLOUDS or anchor_of(cloud) == cloud.name:
        return cloud.name
    anchor = anchor_of(cloud)
    if anchor is not None:
        return (
            f"{cloud.name}, a cloud of its own on {anchor}'s authority (only that authority and {anchor}'s "
            "Microsoft Graph may be in a built-in cloud's DNS zone)"
        )
    return f"{cloud.name}, a cloud of its own (none of its hosts may be in a built-in cloud's DNS zone)"


def _foreign_destination(
    destination: _Destination,
    owner: HostOwner,
    cloud: Cloud,
    sources: Mapping[str, Source],
    cloud_name: str | None,
) -> ConfigurationError:
    other = " and ".join(sorted(owner.clouds - {cloud.name}))
    chosen = sources.get("cloud")
    resolved = _resolved(cloud) + (f" ({chosen})" if chosen and cloud.name in BUILTIN_CLOUDS else "")
    own = _own_value(destination, cloud, cloud_name)
    if destination.field is None and destination.source.kind in {"metadata", "default"}:
        fix = f"cloud metadata whose hosts are {cloud.name}'s own"
        if destination.variable.startswith("AZURE_SERVICE_"):
            fix += f", or {destination.variable} set to " + (own or "a host of the cloud's own")
    elif own:
        fix = f"unset {destination.variable} ({cloud.name}'s own: {own})"
    else:
        fix = f"unset {destination.variable}, or set it to a host of the cloud's own"
    if len(owner.clouds - {cloud.name}) == 1 and cloud.name in BUILTIN_CLOUDS:
        fix += f"; or select {other} with AZURE_CLOUD, if that is the cloud you mean"
    return ConfigurationError(
        f"{destination.shown} is {owner.describe(destination.host)}, but the configuration resolves "
        f"{resolved}: a token or a secret of one cloud would be sent to a host of another. Values of "
        f"two clouds in one configuration are refused before any token request, from any source. Accepted: "
        f"{fix}.",
        variables=(destination.variable, "AZURE_CLOUD"),
    )


def _own_value(destination: _Destination, cloud: Cloud, cloud_name: str | None) -> str | None:
    """The resolved built-in cloud's own value for the destination's variable, for a message."""
    builtin = BUILTIN_CLOUDS.get(cloud.name)
    if builtin is None:
        return None
    if destination.field is not None:
        return str(getattr(builtin, destination.field))
    if not destination.variable.startswith("AZURE_SERVICE_"):
        return None
    service, field = parse_service_variable(destination.variable)
    overrides = variant_services(cloud_name) if cloud_name else {}
    value = getattr(services_of(builtin.model_copy(update={"service_overrides": overrides}))[service], field)
    return str(value) if value else None


def check_url(settings: Settings, service: str, url: str, *, argument: str = "url") -> str:
    """``url`` if its host may receive ``service``'s token in the configuration ``settings``
    resolved, normalised (:func:`azenvcloud.check_service_url` passes the resolved settings).

    First, a host another cloud owns (:func:`~azenvcloud._host_owner.foreign_owner`: any of its
    sourced hosts or suffixes, for any service, or a name in its DNS zone, such as a public data
    collection endpoint under ``monitor.azure.com``) is the mixed-cloud error, whatever
    ``AZENVCLOUD_ACCEPTED_HOSTS`` lists: that is the commonest data-plane failure, a hard-coded
    public host (``https://kv1.vault.azure.net`` under ``AZURE_CLOUD=china``), caught before any
    token request. Then accepted: a host of ``service`` in the resolved cloud (its suffixes, its
    endpoint, or a sourced alternative form such as Storage's DNS-zone endpoints); any host where
    the resolved cloud has no known host for the service at all (a data collection endpoint under
    Bleu); and a host a trusted source listed in ``AZENVCLOUD_ACCEPTED_HOSTS`` (the environment, a
    named .env file, or code: a custom domain in front of a storage account). A zone never makes a
    host acceptable: ``<vm>.<region>.cloudapp.azure.com`` is a virtual machine anyone can rent.

    Raises:
        ConfigurationError: The URL is malformed, or its host is not of the resolved cloud (the
            message names the cloud that owns it, when one does).
    """
    try:
        normalised = parse_endpoint(url)
    except InvalidValue as exc:
        raise exc.configuration_error(argument, url, variables=(argument,)) from None
    host = host_of(normalised)
    cloud = settings.cloud
    own = services_of(cloud)[service]
    named = SERVICE_NAMES[service]
    foreign = foreign_owner(host, cloud, role="graph" if service == "graph" else "other")
    if foreign is not None:
        raise _another_clouds(argument, url, host, foreign, service=service, settings=settings)
    if belongs(own, host, cloud.name):
        return normalised
    if not (own.suffix or own.endpoint):
        return normalised  # no known hosts here: from code, the URL is the user's to choose
    if is_accepted(host, settings.accepted_hosts):
        return normalised  # a host a trusted source added (AZENVCLOUD_ACCEPTED_HOSTS)
    raise ConfigurationError(
        f"{argument}={quote_value(url)} is not {_article(named)} {named} host of {cloud.name}, whose {named} "
        f"hosts are {hosts_in_words(own)}. Accepted: a host of those (or the short name instead of a URL: "
        "azenvcloud adds the suffix); a host of your own in front of the resource (a custom domain), listed "
        f"in AZENVCLOUD_ACCEPTED_HOSTS (the environment, a named .env file or code); or, if {cloud.name}'s "
        f"{named} hosts are different, {override_variable(service, 'suffix')} in the environment or a named "
        ".env file.",
        variables=(argument, "AZENVCLOUD_ACCEPTED_HOSTS"),
    )


def _another_clouds(
    argument: str, url: str, host: str, owner: HostOwner, *, service: str, settings: Settings
) -> ConfigurationError:
    """A URL of another cloud: the mixed-cloud error, suggesting nothing that would mix them."""
    cloud = settings.cloud
    others = sorted(owner.clouds - {cloud.name})
    own = services_of(cloud)[service]
    named = SERVICE_NAMES[service]
    chosen = settings.sources.get("cloud")
    resolved = f"{cloud.name} ({chosen})" if chosen and cloud.name in BUILTIN_CLOUDS else cloud.name
    if own.suffix or own.endpoint:
        hosts = hosts_in_words(own)
        accepted = (
            f"{_article(named)} {named} host of {cloud.name} ({hosts}; or the short name instead of a URL)"
        )
    else:
        accepted = f"a host of {cloud.name}'s own {named} resource"
    if len(others) == 1 and cloud.name in BUILTIN_CLOUDS:
        accepted += f", or select {others[0]} with AZURE_CLOUD, if that is the cloud you mean"
    return ConfigurationError(
        f"{argument}={quote_value(url)} belongs to {' and '.join(others)} (it is {owner.describe(host)}), "
        f"but the configuration resolves {resolved}: {_article(cloud.name)} {cloud.name} token would be sent "
        "to a host of another cloud, and the request would fail. Values of two clouds in one configuration "
        "are refused before any token request, whichever hosts are listed as accepted. "
        f"Accepted: {accepted}.",
        variables=(argument, "AZURE_CLOUD"),
    )


def _article(words: str) -> str:
    """``a`` or ``an`` before a service's name: an App Configuration host, a Key Vault host."""
    return "an" if words[:1].upper() in "AEIOU" else "a"
