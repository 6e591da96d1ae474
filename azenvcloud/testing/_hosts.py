"""The host names the fake cloud answers for, and its TLS certificates for them.

Every authority, Resource Manager and data-plane host of the built-in clouds (:data:`BUILTIN_HOSTS`,
``*.vault.azure.cn`` covering every vault), the hosts of one cloud (:func:`cloud_hosts`), and one
certificate from the fake's throwaway CA for all of them, plus, made once on demand, a certificate
for a name a one-label wildcard does not cover (a regional ``t1.westus2-1.eventgrid.azure.net``).
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import TYPE_CHECKING, Any

from .._builtin_clouds import AUTHORITY_HOSTS, MANAGEMENT_HOSTS

if TYPE_CHECKING:
    from .._clouds import Cloud

__all__ = ["AZURE_SUFFIXES", "BUILTIN_HOSTS", "Certificates", "acting_as", "cloud_hosts"]


def _data_plane_hosts() -> set[str]:
    from .._builtin_clouds import VARIANTS
    from .._clouds import BUILTIN_CLOUDS
    from .._services import suffixes_of

    hosts = {
        fields["endpoint"].split("://", 1)[1]
        for _, services in VARIANTS.values()
        for fields in services.values()
        if "endpoint" in fields
    }
    for cloud in BUILTIN_CLOUDS.values():
        for service in cloud.services.values():
            hosts.update(f"*.{suffix}" for suffix in suffixes_of(service))
            if service.endpoint:
                hosts.add(service.endpoint.split("://", 1)[1])
    return hosts


BUILTIN_HOSTS: tuple[str, ...] = tuple(sorted({*AUTHORITY_HOSTS, *MANAGEMENT_HOSTS, *_data_plane_hosts()}))
"""Every authority and Resource Manager host of the built-in (and retired) clouds, and their
data-plane hosts (``*.vault.azure.cn`` covers every vault)."""

AZURE_SUFFIXES: tuple[str, ...] = tuple(sorted({".".join(host.split(".")[-2:]) for host in BUILTIN_HOSTS}))
"""The domains of the built-in clouds' hosts (``chinacloudapi.cn``, ``windows.net``, ...): while a
fake is open, an unrouted name under one of them fails at once (:class:`UnroutedHostError`)."""


def cloud_hosts(cloud: Cloud) -> tuple[str, ...]:
    """Every host name ``cloud`` is reached at: its authority, its Resource Manager, and its
    services' hosts (``*.vault.azure.cn`` for every vault; fixed endpoints as they are)."""
    from .._parsers import host_of
    from .._services import suffixes_of

    hosts = {host_of(cloud.authority_host), host_of(cloud.resource_manager)}
    for service in cloud.services.values():
        hosts.update(f"*.{suffix}" for suffix in suffixes_of(service))
        if service.endpoint:
            hosts.add(host_of(service.endpoint))
    return tuple(sorted(hosts))


def acting_as(name: str) -> tuple[Cloud, str, tuple[str, ...]]:
    """The built-in cloud ``name`` spells, the ``AZURE_CLOUD`` value that selects it, and every
    host it is reached at. A name with services of its own (``dod``: the DoD Graph) is selected
    as given, and its own hosts are among them."""
    from .._clouds import cloud_from_name, variant_services
    from .._parsers import host_of

    cloud = cloud_from_name(name)
    variant = variant_services(name)
    hosts = {*cloud_hosts(cloud), *(host_of(f["endpoint"]) for f in variant.values() if "endpoint" in f)}
    return cloud, name if variant else cloud.name, tuple(sorted(hosts))


def _load_certificate(context: ssl.SSLContext, certificate: Any) -> None:
    """The fake's certificate and its private key into ``context``, through an anonymous file in
    memory where the system has one (Linux: ``memfd_create``): ``ssl`` loads a key only from a
    path, and trustme's way writes it to a temporary file, which never happens here. Elsewhere,
    trustme's way (a file of this user's alone, deleted at once)."""
    if not hasattr(os, "memfd_create") or not os.path.isdir("/proc/self/fd"):
        certificate.configure_cert(context)  # pragma: no cover - not Linux
        return
    pem = certificate.private_key_and_cert_chain_pem.bytes()
    descriptor = os.memfd_create("azenvcloud-fake-certificate", os.MFD_CLOEXEC)
    try:
        written = 0
        while written < len(pem):
            written += os.write(descriptor, pem[written:])
        context.load_cert_chain(f"/proc/self/fd/{descriptor}")
    finally:
        os.close(descriptor)


class Certificates:
    """The fake's CA and the names it serves: one certificate for them all, and a certificate of
    its own (made once) for a name below a wildcard by more than one label.

    Args:
        hostnames: The names served, ``*.`` wildcards covering every name below them.
    """

    def __init__(self, hostnames: tuple[str, ...]) -> None:
        import trustme  # imported here: azenvcloud._cli imports the fake only for `demo`

        self.hostnames = hostnames
        self.ca = trustme.CA()
        certificate = self.ca.issue_cert("127.0.0.1", "localhost", "::1", *hostnames)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        """The server's TLS context: the certificate, and the server name callback."""
        _load_certificate(self.context, certificate)
        self._deeper: dict[str, ssl.SSLContext] = {}  # names below a wildcard by more than one label
        self._deeper_lock = threading.Lock()
        self.context.sni_callback = self._certificate_for_name

    def covers(self, name: str) -> bool:
        """Whether the fake serves ``name`` with a certificate for it: one of its names, or a name
        under one of its ``*.`` wildcards, however many labels below (a regional
        ``t1.westus2-1.eventgrid.azure.net`` under ``*.eventgrid.azure.net``)."""
        labels = name.lower().rstrip(".").split(".")
        return ".".join(labels) in self.hostnames or any(
            "*." + ".".join(labels[start:]) in self.hostnames for start in range(1, len(labels))
        )

    def _in_certificate(self, name: str) -> bool:
        """Whether the fake's one certificate covers ``name`` (exactly, or by a wildcard of one label)."""
        parent = name.split(".", 1)[1] if "." in name else ""
        return name in self.hostnames or f"*.{parent}" in self.hostnames

    def _certificate_for_name(self, connection: Any, name: str | None, context: ssl.SSLContext) -> None:
        """TLS's server name callback: a name the fake serves that its certificate's one-label
        wildcards do not cover gets a certificate of its own (made once, from the same CA)."""
        if name is None:
            return
        name = name.lower().rstrip(".")
        if self._in_certificate(name) or not self.covers(name):
            return
        with self._deeper_lock:
            own = self._deeper.get(name)
            if own is None:
                own = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                _load_certificate(own, self.ca.issue_cert(name))
                self._deeper[name] = own
        connection.context = own
