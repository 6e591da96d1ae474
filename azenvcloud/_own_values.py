"""What the trust rule compares a destination from the implicit ``./.env`` with: the selected
cloud's own value (the ``repeat`` rule), and which other built-in cloud a value is of (then the
refusal offers removing it). Each destination's declaration (:mod:`azenvcloud._variables`) names
the two it is judged by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _builtin_clouds as data
from ._clouds import Cloud, cloud_name_for_management_host
from ._connection_string import AAD_AUDIENCE, read_connection_string
from ._declaration import Another, Judge, NotOwn, Own, Selected
from ._host_owner import HostOwner, Role, audience_owners, foreign_owner
from ._parsers import host_of
from ._services import SERVICE_NAMES, belongs

__all__ = [
    "accepted_host_of_another_cloud",
    "audience_of_another_cloud",
    "connection_string_not_own",
    "derive_discovery",
    "host_of_another_cloud",
    "own",
    "own_discovery",
    "own_service_value",
    "service_value_of_another_cloud",
]


def _other_clouds(owner: HostOwner | None, cloud: Cloud) -> str | None:
    """The clouds other than ``cloud`` that own a host, in words, or ``None``."""
    others = " and ".join(sorted(owner.clouds - {cloud.name})) if owner is not None else ""
    return others or None


def own(attribute: str) -> Callable[[Selected, str], Own]:
    """The selected cloud's own value of one of its attributes."""

    def cloud_value(selected: Selected, variable: str) -> Own:
        cloud = selected.cloud
        return Own(getattr(cloud, attribute) if cloud else None, cloud.name if cloud else None)

    return cloud_value


def host_of_another_cloud(role: Role) -> Judge:
    """The other clouds that own an endpoint's host (judged as ``role``)."""

    def another(value: Any, selected: Selected, variable: str) -> Another | None:
        cloud = selected.cloud
        others = _other_clouds(foreign_owner(host_of(value), cloud, role=role), cloud) if cloud else None
        return Another(others) if others else None

    return another


def audience_of_another_cloud(value: Any, selected: Selected, variable: str) -> Another | None:
    """The other built-in cloud whose Resource Manager audience this is (never judged by zone)."""
    known = cloud_name_for_management_host(host_of(str(value)))
    return Another(known) if known is not None and selected.cloud and known != selected.cloud.name else None


def _discovery_derived(authority_host: str) -> bool:
    return host_of(authority_host) not in data.MSAL_WELL_KNOWN_AUTHORITY_HOSTS


def own_discovery(selected: Selected, variable: str) -> Own:
    """The value derived from the authority host, as resolution would derive it."""
    if selected.authority_host is None:
        return Own(None, None)
    name = selected.cloud.name if selected.cloud else data.CUSTOM
    return Own(str(_discovery_derived(selected.authority_host)).lower(), f"{name}'s authority host")


def derive_discovery(cloud: Cloud) -> tuple[Any, str]:
    derived = _discovery_derived(cloud.authority_host)
    how = "unknown to MSAL" if derived else "well known to MSAL"
    return derived, f"from the authority host ({how})"


def accepted_host_of_another_cloud(value: Any, selected: Selected, variable: str) -> Another | None:
    """The first listed host another built-in cloud than the selected one owns."""
    cloud = selected.cloud
    if cloud is None:
        return None
    for entry in value:
        others = _other_clouds(foreign_owner(entry.removeprefix("*."), cloud), cloud)
        if others:
            return Another(others, f"it lists {entry}, a host of {others}")
    return None


def own_service_value(selected: Selected, variable: str) -> Own:
    service, part = _service_and_field(variable)
    own = selected.services.get(service)
    return Own(
        getattr(own, part) if own is not None else None, selected.cloud.name if selected.cloud else None
    )


def service_value_of_another_cloud(value: Any, selected: Selected, variable: str) -> Another | None:
    """The other clouds a service's value is of: an audience by the sourced audiences (never by
    zone), a suffix or endpoint by its host's owner."""
    reference = selected.with_services
    if reference is None:
        return None
    service, part = _service_and_field(variable)
    if part == "audience":
        owners = audience_owners(str(value))
        return Another(" and ".join(sorted(owners))) if owners and reference.name not in owners else None
    host = host_of(str(value)) if part == "endpoint" else str(value)
    role: Role = "graph" if service == "graph" else "other"
    others = _other_clouds(foreign_owner(host, reference, role=role), reference)
    return Another(others) if others else None


def _service_and_field(variable: str) -> tuple[str, str]:
    service, _, part = variable.removeprefix("AZURE_SERVICE_").rpartition("_")
    return service.lower(), part.lower()


_TELEMETRY = "appinsights"


def connection_string_not_own(value: Any, selected: Selected) -> NotOwn | None:
    """Whether an Application Insights connection string is all the selected cloud's own: every
    host it sends to (written, or built from ``EndpointSuffix``) one of that cloud's sourced
    Application Insights hosts, and its ``AADAudience``, if any, that cloud's audience."""
    cloud = selected.with_services
    if cloud is None:
        return NotOwn("no built-in cloud or trusted source describes the cloud its hosts would belong to")
    read = read_connection_string(value)
    own = selected.services[_TELEMETRY]
    named = SERVICE_NAMES[_TELEMETRY]
    for key, url in read.destinations():
        host = host_of(url)
        others = _other_clouds(foreign_owner(host, cloud), cloud)
        if others is not None:
            return NotOwn(f"its {read.describe(key)} {url} is a host of {others}", others)
        if not belongs(own, host, cloud.name):
            return NotOwn(f"its {read.describe(key)} {url} is no {named} host of {cloud.name}")
    audience = read.get(AAD_AUDIENCE)
    if audience is not None and (own.audience is None or audience.rstrip("/") != own.audience):
        owners = " and ".join(sorted(audience_owners(audience) - {cloud.name})) or None
        mine = f"{own.audience}/" if own.audience else "none that a source gives"
        return NotOwn(f"its {AAD_AUDIENCE} {audience} is not {cloud.name}'s own ({mine})", owners)
    return None
