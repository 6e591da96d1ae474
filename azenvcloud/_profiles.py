"""API-version profiles for Azure Stack Hub: the api_version each client must use.

azure-mgmt-resource 25+ dropped multi-API clients and ``KnownProfiles``, and silently ignores
``profile=``. A profile here maps client classes to the ``api_version`` azenvcloud passes when it
builds them. Versions come from azure-common's ``azure/profiles`` (2017-03-09-profile,
2018-03-01-hybrid, 2019-03-01-hybrid, and 2020-09-01-hybrid's ``azure.keyvault.KeyVaultClient``,
the Key Vault data plane, which the three Key Vault clients of today share) and Azure Stack Hub's
documentation (2020-09-01-hybrid).
Today's SDK models are written for the latest API version: fields an older version lacks are
simply absent in responses, and operations it lacks fail on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["API_PROFILES", "LATEST", "api_version_for", "client_key"]

LATEST = "latest"

_RESOURCES = "azure.mgmt.resource.resources.ResourceManagementClient"
_SUBSCRIPTIONS = "azure.mgmt.resource.subscriptions.SubscriptionClient"
_LOCKS = "azure.mgmt.resource.locks.ManagementLockClient"
_LINKS = "azure.mgmt.resource.links.ManagementLinkClient"
_POLICY = "azure.mgmt.resource.policy.PolicyClient"
_AUTHORIZATION = "azure.mgmt.authorization.AuthorizationManagementClient"
_KEYVAULT = "azure.mgmt.keyvault.KeyVaultManagementClient"
_NETWORK = "azure.mgmt.network.NetworkManagementClient"
_STORAGE = "azure.mgmt.storage.StorageManagementClient"
_COMPUTE = "azure.mgmt.compute.ComputeManagementClient"
_DNS = "azure.mgmt.dns.DnsManagementClient"
# The Key Vault data plane: azure-common's profiles name the old azure.keyvault.KeyVaultClient,
# whose API the three clients of today split among themselves.
_VAULTS = (
    "azure.keyvault.secrets.SecretClient",
    "azure.keyvault.keys.KeyClient",
    "azure.keyvault.certificates.CertificateClient",
)

API_PROFILES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        LATEST: {},
        "2020-09-01-hybrid": {
            **dict.fromkeys(_VAULTS, "2016-10-01"),
            _RESOURCES: "2019-10-01",
            _SUBSCRIPTIONS: "2016-06-01",
            _LOCKS: "2016-09-01",
            _LINKS: "2016-09-01",
            _POLICY: "2016-12-01",
            _AUTHORIZATION: "2016-09-01",
            _KEYVAULT: "2019-09-01",
            _NETWORK: "2018-11-01",
            _STORAGE: "2019-06-01",
            _COMPUTE: "2020-06-01",
            _DNS: "2016-04-01",
        },
        "2019-03-01-hybrid": {
            **dict.fromkeys(_VAULTS, "2016-10-01"),
            _RESOURCES: "2018-05-01",
            _SUBSCRIPTIONS: "2016-06-01",
            _LOCKS: "2016-09-01",
            _LINKS: "2016-09-01",
            _POLICY: "2016-12-01",
            _AUTHORIZATION: "2015-07-01",
            _KEYVAULT: "2016-10-01",
            _NETWORK: "2017-10-01",
            _STORAGE: "2017-10-01",
            _COMPUTE: "2017-12-01",
            _DNS: "2016-04-01",
        },
        "2018-03-01-hybrid": {
            **dict.fromkeys(_VAULTS, "2016-10-01"),
            _RESOURCES: "2018-02-01",
            _SUBSCRIPTIONS: "2016-06-01",
            _LOCKS: "2016-09-01",
            _LINKS: "2016-09-01",
            _POLICY: "2016-12-01",
            _AUTHORIZATION: "2015-07-01",
            _KEYVAULT: "2016-10-01",
            _NETWORK: "2017-10-01",
            _STORAGE: "2016-01-01",
            _COMPUTE: "2017-03-30",
            _DNS: "2016-04-01",
        },
        "2017-03-09-profile": {
            _RESOURCES: "2016-02-01",
            _SUBSCRIPTIONS: "2016-06-01",
            _LOCKS: "2015-01-01",
            _LINKS: "2016-09-01",
            _POLICY: "2015-10-01-preview",
            _AUTHORIZATION: "2015-07-01",
            _KEYVAULT: "2016-10-01",
            _NETWORK: "2015-06-15",
            _STORAGE: "2016-01-01",
            _COMPUTE: "2016-03-30",
        },
    }
)
"""Known profiles by name: client (public dotted name) -> api_version."""


def client_key(client_class: type) -> str:
    """A client's public dotted name: ``azure.mgmt.network.NetworkManagementClient``.

    Private implementation modules and the ``aio`` package are dropped, so the sync and async
    clients of a package share one entry.
    """
    public = []
    for part in client_class.__module__.split("."):
        if part.startswith("_"):
            break
        public.append(part)
    if public and public[-1] == "aio":
        public.pop()
    return ".".join([*public, client_class.__name__])


def api_version_for(profile: str, client_class: type) -> str | None:
    """The api_version ``profile`` pins for ``client_class``, or ``None`` to use the SDK's own."""
    return API_PROFILES[profile].get(client_key(client_class))
