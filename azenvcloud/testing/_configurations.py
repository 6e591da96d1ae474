"""The fake serving several configurations at once: the default acting as one built-in cloud and a
named configuration (``gov``) as another, or two configurations of one cloud with identities of
their own, each a service principal the fake issues (tenant, client ID and secret), its
environment (``GOV_AZURE_CLOUD``, ``GOV_AZURE_CLIENT_ID``, ... and ``AZENVCLOUD_CONFIGURATIONS``),
and which configuration each request the fake receives was made for.

An identity the fake issued for a configuration signs in only at its own cloud's authority host
and in its own tenant (anywhere else: ``AADSTS700016``, as Entra ID answers for an application not
in the directory asked), with its own secret (any other: ``AADSTS7000215``); each cloud's Resource
Manager accepts only that cloud's scope. The fake's own service principal (``DEFAULT_CLIENT_ID``)
is the default configuration's, accepted anywhere as before.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._configuration_names import DECLARATION, prefix_of, variable_of
from ._dns import match
from ._hosts import acting_as
from ._identity import DEFAULT, DEFAULT_CLIENT_ID

if TYPE_CHECKING:
    from .._clouds import Cloud
    from . import FakeCloud

__all__ = [
    "FakeConfiguration",
    "accepted_at",
    "acting_for",
    "challenge_tenant",
]

# Where a configuration's identity comes from: the same name gives the same IDs in every run.
_NAMESPACE = uuid.UUID("5f3c1a8e-6b2d-4c57-9a0e-a2e3c0f1d4b7")
# The variables acting sets for each configuration (under its prefix), and those it removes: the
# fake's custom-cloud endpoints would win over the cloud's name.
_IDENTITY = (
    "AZURE_CLOUD",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_SUBSCRIPTION_ID",
)
_ENDPOINTS = ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE")


@dataclass(frozen=True)
class FakeConfiguration:
    """One configuration the fake serves: the built-in cloud it acts as, and the service principal
    it issued for it. Its :attr:`client_secret` is kept out of its ``repr``.

    Attributes:
        name: ``"default"`` (the unprefixed variables), or a named configuration's name (``gov``).
        cloud: The built-in cloud it acts as.
        tenant_id: Its tenant: the fake's own for the default, one of its own for a named one.
        client_id: Its service principal's client ID (the default's: ``DEFAULT_CLIENT_ID``).
        client_secret: The secret the fake accepts for that client ID alone.
        subscription_id: The subscription it is given (the fake lists the same for every one).
        selector: The ``AZURE_CLOUD`` value that selects its cloud.
    """

    name: str
    cloud: Cloud = field(repr=False)
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    subscription_id: str
    selector: str
    _hosts: dict[str, int] = field(repr=False, compare=False, default_factory=dict)

    @property
    def prefix(self) -> str:
        """The prefix of its variables: ``""`` for the default, ``"GOV_"`` for ``gov``."""
        return "" if self.name == DEFAULT else prefix_of(self.name)

    def environment(self) -> dict[str, str]:
        """Its variables, under its prefix: the cloud's selection and its service principal
        (``GOV_AZURE_CLOUD``, ``GOV_AZURE_TENANT_ID``, ``GOV_AZURE_CLIENT_ID``,
        ``GOV_AZURE_CLIENT_SECRET``, ``GOV_AZURE_SUBSCRIPTION_ID``)."""
        values = (self.selector, self.tenant_id, self.client_id, self.client_secret, self.subscription_id)
        named = None if self.name == DEFAULT else self.name
        return {variable_of(named, name): value for name, value in zip(_IDENTITY, values, strict=True)}


def _configuration(fake: FakeCloud, name: str, cloud_name: str) -> FakeConfiguration:
    cloud, selector, hosts = acting_as(cloud_name)
    routes = dict.fromkeys(hosts, 0)
    if name == DEFAULT:
        return FakeConfiguration(
            DEFAULT, cloud, fake.tenant_id, DEFAULT_CLIENT_ID, fake.client_secret, fake.subscriptions[0],
            selector, routes,
        )  # fmt: skip
    prefix_of(name)  # a name no configuration may take: ValueError, naming the rule
    return FakeConfiguration(
        name,
        cloud,
        str(uuid.uuid5(_NAMESPACE, f"tenant/{name}")),
        str(uuid.uuid5(_NAMESPACE, f"client/{name}")),
        f"fake-secret-of-{name}-{secrets.token_urlsafe(18)}",
        fake.subscriptions[0],
        selector,
        routes,
    )


@contextmanager
def acting_for(fake: FakeCloud, clouds: Mapping[str, str]) -> Iterator[dict[str, FakeConfiguration]]:
    """What :meth:`FakeCloud.as_clouds` does (its docstring says what): the environment, the
    fake's routes, identities and Resource Managers' scopes, and azenvcloud's state, restored on
    exit."""
    from .. import reset

    if not clouds:
        raise ValueError(
            "as_clouds needs at least one configuration: as_clouds(default='china', gov='usgov')"
        )
    configurations = {name: _configuration(fake, name, cloud) for name, cloud in clouds.items()}
    named = [name for name in configurations if name != DEFAULT]
    with fake._state.lock:
        taken = sorted(set(named) & {c.name for c in fake._state.identities.values()})
        if taken:
            raise ValueError(f"the fake already acts for the configurations {taken}")
        for configuration in configurations.values():
            if configuration.name != DEFAULT:
                fake._state.identities[configuration.client_id.lower()] = configuration
        fake._state.configurations.extend(configurations.values())
    saved = _take_environment(fake, configurations, named)
    reset()
    try:
        hosts = sorted({host for configuration in configurations.values() for host in configuration._hosts})
        with fake.route_hosts(*hosts):
            yield configurations
    finally:
        reset()
        with fake._state.lock:
            for configuration in configurations.values():
                fake._state.identities.pop(configuration.client_id.lower(), None)
            fake._state.configurations = [
                kept
                for kept in fake._state.configurations
                if all(kept is not c for c in configurations.values())
            ]
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


def _take_environment(
    fake: FakeCloud, configurations: Mapping[str, FakeConfiguration], named: list[str]
) -> dict[str, str | None]:
    """Set each configuration's variables (the endpoints that would win over its cloud removed),
    declare the named ones, and give them the default's metadata cache; the values before."""
    changed = {DECLARATION}
    for configuration in configurations.values():
        changed.update(configuration.environment())
        changed.update(f"{configuration.prefix}{name}" for name in _ENDPOINTS)
        changed.add(f"{configuration.prefix}AZENVCLOUD_CACHE_DIR")
    saved = {variable: os.environ.get(variable) for variable in changed}
    cache = os.environ.get("AZENVCLOUD_CACHE_DIR") or fake.cache_dir
    for configuration in configurations.values():
        for name in _ENDPOINTS:
            os.environ.pop(f"{configuration.prefix}{name}", None)
        os.environ.update(configuration.environment())
        own_cache = f"{configuration.prefix}AZENVCLOUD_CACHE_DIR"
        os.environ[own_cache] = os.environ.get(own_cache) or cache
    if named:
        declared = [word.strip() for word in os.environ.get(DECLARATION, "").split(",") if word.strip()]
        os.environ[DECLARATION] = ",".join(dict.fromkeys([*declared, *named]))
    return saved


def accepted_at(fake: FakeCloud, host: str) -> frozenset[str] | None:
    """The scopes a Resource Manager host of a cloud the fake acts as accepts (that cloud's), or
    ``None`` for another host. Called under the state's lock."""
    for configuration in fake._state.configurations:
        if host == configuration.cloud.resource_manager.split("://", 1)[-1].rstrip("/").lower():
            return frozenset(configuration.cloud.credential_scopes)
    return None


def challenge_tenant(fake: FakeCloud, host: str) -> str:
    """The tenant a data-plane host's challenge names: that of the configurations acting as the
    host's cloud when they share one (a vault is in its configuration's tenant), else the fake's."""
    with fake._state.lock:
        tenants = {c.tenant_id for c in fake._state.configurations if match(host, c._hosts) is not None}
    return tenants.pop() if len(tenants) == 1 else fake.tenant_id
