"""Which cloud owns a host: one answer for every destination of a token or a secret.

A host is owned first by the most specific sourced host or DNS suffix of a cloud azenvcloud knows
(an authority host or MSAL alias, a Resource Manager or management host, a service's suffix or
fixed endpoint, a sourced alternative form such as Storage's DNS-zone endpoints), then by its
**zone**: the last two labels of such a value (``azure.com``, ``chinacloudapi.cn``). Zones come
from those destination values only: never from an audience (``https://storage.azure.com`` is the
Storage audience of every cloud) and never from a URL azenvcloud does not contact (the CLI's
``portal``, ``gallery``, ``vm_image_alias_doc``, ``sql_management``, ...). So
``login-us.microsoftonline.com`` is US Government's (an exact host) although
``microsoftonline.com`` is also a public zone; that is the one zone two clouds share.

A zone only refuses: it never makes a host acceptable for its own cloud
(``<vm>.<region>.cloudapp.azure.com`` is a virtual machine anyone can rent), it only marks the
host as another cloud's for every other cloud. :func:`foreign_owner` is the question callers ask:
*may a token or secret of this cloud go to this host, as far as ownership goes?* A host of no
zone (``my-dce.example.org``) has no owner; whether it is accepted is the caller's rule. The zone
list is only as complete as the sourced values are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from . import _builtin_clouds as data
from ._clouds import BUILTIN_CLOUDS, Cloud
from ._parsers import host_of
from ._services import alternative_hosts, services_of, suffixes_of

__all__ = [
    "HostOwner",
    "Role",
    "anchor_of",
    "audience_owners",
    "foreign_owner",
    "owner_of_host",
    "sourced_names",
    "zones",
]

Role = Literal["authority", "graph", "other"]
"""What a host is to a cloud: its identity authority, its Microsoft Graph, or anything else. A
custom cloud anchored to a built-in authority may have only the first two in that cloud's zones."""


@dataclass(frozen=True)
class HostOwner:
    """The clouds that own a host, and by what.

    Attributes:
        clouds: Canonical cloud names; more than one only for a host in a shared zone
            (``microsoftonline.com``) that no exact value claims.
        matched: The sourced host, the sourced DNS suffix the host is under, or the zone.
        by: ``host`` (an exact sourced host, or a sourced alternative host form), ``suffix`` or
            ``zone``.
    """

    clouds: frozenset[str]
    matched: str
    by: Literal["host", "suffix", "zone"]

    def describe(self, host: str = "") -> str:
        """The ownership of ``host`` in words: ``in azure.com, a DNS zone of AzureCloud``,
        ``under vault.azure.net, a DNS suffix of AzureCloud`` (``a DNS suffix of AzureCloud``
        when ``host`` is that suffix itself)."""
        clouds = " and ".join(sorted(self.clouds))
        if self.by == "host":
            return f"a host of {clouds}"
        if self.by == "suffix":
            if _normalised(host) == self.matched:
                return f"a DNS suffix of {clouds}"
            return f"under {self.matched}, a DNS suffix of {clouds}"
        return f"in {self.matched}, a DNS zone of {clouds}"


def _normalised(host: str) -> str:
    return host.strip().lower().rstrip(".")


@functools.cache
def _destinations() -> Mapping[str, tuple[frozenset[str], frozenset[str]]]:
    """Each cloud's sourced destination hosts and DNS suffixes (``(hosts, suffixes)``): the built-in
    clouds (their variants' services included) and the clouds recognised by host alone (GovSG, the
    closed Microsoft Cloud Deutschland)."""
    hosts: dict[str, set[str]] = {}
    suffixes: dict[str, set[str]] = {}
    for host, name in (*data.AUTHORITY_HOSTS.items(), *data.MANAGEMENT_HOSTS.items()):
        hosts.setdefault(name, set()).add(host)
    for name, cloud in BUILTIN_CLOUDS.items():
        own_hosts, own_suffixes = hosts.setdefault(name, set()), suffixes.setdefault(name, set())
        own_hosts.add(host_of(cloud.authority_host))
        own_hosts.add(host_of(cloud.resource_manager))
        own_suffixes.update(_normalised(value) for value in cloud.suffixes.model_dump().values() if value)
        for service in services_of(cloud).values():
            if service.endpoint:
                own_hosts.add(host_of(service.endpoint))
            own_suffixes.update(suffixes_of(service))
        for canonical, services in data.VARIANTS.values():
            for fields in services.values() if canonical == name else ():
                if "endpoint" in fields:
                    own_hosts.add(host_of(fields["endpoint"]))
                if "suffix" in fields:
                    own_suffixes.add(_normalised(fields["suffix"]))
    return {
        name: (frozenset(hosts.get(name, ())), frozenset(suffixes.get(name, ())))
        for name in {*hosts, *suffixes}
    }


@functools.cache
def sourced_names() -> Mapping[str, tuple[frozenset[str], Literal["host", "suffix"]]]:
    """Every sourced host and DNS suffix, with the clouds it is a destination of and which it is
    (a name that is both a host and a suffix counts as a host)."""
    found: dict[str, tuple[set[str], Literal["host", "suffix"]]] = {}
    for name, (hosts, suffixes) in _destinations().items():
        for kind, values in (("suffix", suffixes), ("host", hosts)):
            for value in values:
                clouds, known = found.get(value, (set(), kind))
                clouds.add(name)
                found[value] = (clouds, "host" if "host" in {kind, known} else "suffix")
    return {value: (frozenset(clouds), kind) for value, (clouds, kind) in found.items()}


def _zone_of(name: str) -> str | None:
    labels = name.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 and all(labels[-2:]) else None


@functools.cache
def zones() -> Mapping[str, frozenset[str]]:
    """Every zone (the last two labels of a sourced destination host or suffix) and its clouds."""
    found: dict[str, set[str]] = {}
    for name, (hosts, suffixes) in _destinations().items():
        for value in (*hosts, *suffixes):
            zone = _zone_of(value)
            if zone is not None:
                found.setdefault(zone, set()).add(name)
    return {zone: frozenset(clouds) for zone, clouds in found.items()}


@functools.cache
def _alternative_host_forms() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((pattern, name) for name in BUILTIN_CLOUDS for pattern in alternative_hosts(name))


def owner_of_host(host: str) -> HostOwner | None:
    """The clouds that own ``host`` (a host name, any case, or a DNS suffix), or ``None``.

    The most specific sourced value wins: an exact host (or a sourced alternative host form),
    else the longest sourced DNS suffix the host is under (or is), else the host's zone.
    """
    name = _normalised(host)
    if not name:
        return None
    names = sourced_names()
    exact = names.get(name)
    if exact is not None and exact[1] == "host":
        return HostOwner(exact[0], name, "host")
    for pattern, cloud in _alternative_host_forms():
        if pattern.fullmatch(name):
            return HostOwner(frozenset({cloud}), name, "host")
    labels = name.split(".")
    for start in range(len(labels) - 1):  # the longest suffix first; never a single label
        suffix = ".".join(labels[start:])
        known = names.get(suffix)
        if known is not None and known[1] == "suffix":
            return HostOwner(known[0], suffix, "suffix")
    zone = _zone_of(name)
    owners = zones().get(zone) if zone else None
    return HostOwner(owners, str(zone), "zone") if owners else None


def anchor_of(cloud: Cloud) -> str | None:
    """The known cloud ``cloud`` is, or a custom cloud is anchored to: the cloud whose authority
    host it uses exactly (an Azure Stack Hub stamp with Microsoft Entra ID uses
    ``login.microsoftonline.com``). ``None`` for a cloud with an authority of its own (ADFS)."""
    if cloud.name in _destinations():
        return cloud.name
    return data.AUTHORITY_HOSTS.get(host_of(cloud.authority_host))


def _allowed(cloud: Cloud, role: Role) -> frozenset[str]:
    """The clouds whose hosts may be ``cloud``'s in ``role``: a known cloud its own; a custom
    cloud anchored to a built-in authority that cloud, for its authority and its Graph only."""
    if cloud.name in _destinations():
        return frozenset({cloud.name})
    anchor = anchor_of(cloud)
    return frozenset({anchor}) if anchor is not None and role != "other" else frozenset()


def foreign_owner(host: str, cloud: Cloud, *, role: Role = "other") -> HostOwner | None:
    """The owner of ``host`` when it is not ``cloud``'s to use, else ``None``.

    This is the one ownership question every destination of a token or a secret asks: a host a
    cloud other than ``cloud`` owns (by an exact host, a suffix, or a zone) may receive neither,
    whoever configured it. A custom cloud may use no built-in zone, except that one anchored to a
    built-in authority (:func:`anchor_of`) keeps that authority and that cloud's Graph.

    Args:
        host: A host name or a DNS suffix.
        cloud: The resolved cloud.
        role: What the host is to ``cloud`` (``authority``, ``graph`` or ``other``).
    """
    owner = owner_of_host(host)
    if owner is None or owner.clouds <= _allowed(cloud, role):
        return None
    return owner


# A vault's audience is named by its challenge: https://<the cloud's vault suffix> (the scope every
# built-in cloud's vault asks for, as tests/test_dataplane.py sees on the wire).
_AUDIENCE_IS_SUFFIX = frozenset({"keyvault", "mhsm"})


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


def audience_owners(audience: str) -> frozenset[str]:
    """The built-in clouds ``audience`` is a sourced audience of (judged by its host; never by zone)."""
    return _audiences().get(host_of(audience), frozenset())
