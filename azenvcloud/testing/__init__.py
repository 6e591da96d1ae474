"""A local fake Azure cloud on loopback HTTPS, for testing multicloud code without an account.

It serves what the real azure-identity, MSAL and azure-mgmt code asks for: the OpenID
configuration, the token endpoints (Entra ID and ADFS), and Resource Manager's subscription and
resource-group listings. Every request is logged (host, path, scope, bearer token) so a test can
assert where the real SDK went. Its certificate authority comes from ``trustme``, a dependency of
azenvcloud itself; it never imports pytest.

Example::

    with FakeCloud() as cloud:
        os.environ.update(cloud.environment())
        groups = list(azenvcloud.get_resource_client().resource_groups.list())
        assert cloud.requests[-1].host == "127.0.0.1"

While a fake is open (``with FakeCloud()``, or the ``azenvcloud_fake_cloud`` fixture), looking up
a host under a built-in cloud's domain that no :meth:`FakeCloud.route_hosts` routes fails at once
with :class:`UnroutedHostError`, naming the host and how to route it; other names (a compose
service, ``localhost``) resolve as before.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._builtin_clouds import AUTHORITY_HOSTS, MANAGEMENT_HOSTS
from .._single_flight import wait_for_prefetches
from ._dns import ROUTES, UnroutedHostError, _match, refuse_non_loopback_dns
from ._environment import is_isolated_variable, isolated_environment
from ._request_log import RequestLog
from ._server import MetadataDocument, RecordedRequest, _Failure, _Server, _State

if TYPE_CHECKING:
    from ..clouds import Cloud
    from ..dataplane.appconfiguration import KeyVaultReference, StoreValue

__all__ = [
    "AZURE_SUFFIXES",
    "BUILTIN_HOSTS",
    "PROXY_VARIABLES",
    "FakeCloud",
    "KeyVaultReference",
    "RecordedRequest",
    "StoreValue",
    "UnroutedHostError",
    "cloud_hosts",
    "is_isolated_variable",
    "isolated_environment",
    "refuse_non_loopback_dns",
    "wait_for_prefetches",
]


def __getattr__(name: str) -> Any:
    """``KeyVaultReference`` and ``StoreValue`` (the fake App Configuration store's values), from
    the App Configuration family's module on first use: importing it imports every SDK family's."""
    if name in ("KeyVaultReference", "StoreValue"):
        from ..dataplane import appconfiguration

        return getattr(appconfiguration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _data_plane_hosts() -> set[str]:
    from .._builtin_clouds import VARIANTS
    from .._service_model import suffixes_of
    from ..clouds import BUILTIN_CLOUDS

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
    from .._service_model import suffixes_of
    from .._values import host_of

    hosts = {host_of(cloud.authority_host), host_of(cloud.resource_manager)}
    for service in cloud.services.values():
        hosts.update(f"*.{suffix}" for suffix in suffixes_of(service))
        if service.endpoint:
            hosts.add(host_of(service.endpoint))
    return tuple(sorted(hosts))


def _acting_as(name: str) -> tuple[Cloud, str, tuple[str, ...]]:
    """The built-in cloud ``name`` spells, the ``AZURE_CLOUD`` value that selects it, and every
    host it is reached at. A name with services of its own (``dod``: the DoD Graph) is selected
    as given, and its own hosts are among them."""
    from .._values import host_of
    from ..clouds import cloud_from_name, variant_services

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


DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000fa4e"
DEFAULT_CLIENT_ID = "0c0ffee0-0000-4000-8000-000000000001"
MANAGED_IDENTITY_PATH = "/msi/token"  # where the fake answers as a managed identity endpoint
DEFAULT_SUBSCRIPTION_ID = "5b5c41b0-0000-4000-8000-000000000001"
FAKE_CLIENT_SECRET = "fake-client-secret-for-the-local-fake-cloud"  # noqa: S105 - fake by design

PROXY_VARIABLES: tuple[str, ...] = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
"""The proxy variables :meth:`FakeCloud.environment` sets with ``cloud=``: both spellings, as
each tool reads one or the other (curl the lower-case ones, Python the lower-case first)."""
_NO_PROXY = ("NO_PROXY", "no_proxy")
_LOOPBACK_ONLY = "localhost,127.0.0.1,::1"  # no proxy for loopback; nothing else bypasses the fake


class FakeCloud:
    """A fake Azure cloud (identity authority + Resource Manager) on ``https://127.0.0.1:<port>``.

    Its certificate covers every built-in cloud's hosts (:data:`BUILTIN_HOSTS`), so that
    :meth:`route_hosts` and :meth:`as_cloud` can send real cloud host names here.

    Args:
        hostnames: Extra host names the fake serves with a valid certificate (``*.`` wildcards
            too, covering every name below them), for :meth:`route_hosts`.
        tenant_id: The tenant its subscriptions belong to.
        subscriptions: Subscription IDs it lists (default: one).
        resource_groups: Resource group names each subscription lists.
        directory: A folder of yours for its files (its CA certificate :attr:`ca_bundle`, its
            metadata cache :attr:`cache_dir`), left in place by :meth:`stop`; default: a new
            temporary folder, removed by :meth:`stop`. The private keys of its CA and
            certificate are never written to a file.
        port: The port on 127.0.0.1 (default: one the system picks). The same port is its
            HTTPS and its proxy (:attr:`proxy_url`).
        request_log: A file to write one JSON line per request to, as each is answered (method,
            host, path, kind, status, scope, client ID and tenant; never a token or a secret);
            created anew, readable by you alone, closed by :meth:`stop`.
    """

    audience = "https://management.fake.azenvcloud.test/"

    def __init__(
        self,
        *,
        hostnames: tuple[str, ...] = (),
        tenant_id: str = DEFAULT_TENANT_ID,
        subscriptions: tuple[str, ...] = (DEFAULT_SUBSCRIPTION_ID,),
        resource_groups: tuple[str, ...] = ("rg-alpha", "rg-beta"),
        directory: str | os.PathLike[str] | None = None,
        port: int = 0,
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        import trustme  # imported here: azenvcloud.cli imports this module only for `demo`

        self.tenant_id = tenant_id
        self.client_secret = FAKE_CLIENT_SECRET
        """The one client secret the token endpoint accepts (any other: AADSTS7000215, as Entra ID)."""
        self.subscriptions = subscriptions
        self.resource_groups = resource_groups
        # Its own metadata's data-plane hosts too: a private cloud's vaults and accounts.
        self._hostnames = tuple(
            dict.fromkeys(
                (
                    *BUILTIN_HOSTS,
                    *hostnames,
                    "*.vault.fake.azenvcloud.test",
                    "*.blob.core.fake.azenvcloud.test",
                    "*.appconfig.fake.azenvcloud.test",  # a private cloud's stores (its own variables)
                )
            )
        )
        self._state = _State()
        self._ca = trustme.CA()
        certificate = self._ca.issue_cert("127.0.0.1", "localhost", "::1", *self._hostnames)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        _load_certificate(context, certificate)
        self._deeper: dict[str, ssl.SSLContext] = {}  # names below a wildcard by more than one label
        self._deeper_lock = threading.Lock()
        context.sni_callback = self._certificate_for_name
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        if directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="azenvcloud-fake-")
            folder = Path(self._directory.name)
        else:
            folder = Path(directory)
        self.ca_bundle = str(folder / "ca.pem")
        """Path of a PEM file with the fake's certificate authority, for ``REQUESTS_CA_BUNDLE``."""
        self._ca.cert_pem.write_to_path(self.ca_bundle)
        self.cache_dir = str(folder / "cache")
        """A metadata cache folder of this fake's own (in :meth:`environment`): what is cached
        for a fake answer never lands in the user's real cache."""
        self._open_routes: list[dict[str, int]] = []  # this fake's route_hosts, under the state's lock
        self._log: RequestLog | None = None
        try:
            self._server = _Server(self, context, port)
            if request_log is not None:
                self._log = RequestLog(request_log)
        except BaseException:
            if self._directory is not None:
                self._directory.cleanup()
            raise
        self._thread: threading.Thread | None = None
        self._fences: list[object] = []
        self._state.metadata = {"2022-09-01": self.metadata_2022}

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeCloud:
        """Start serving in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="azenvcloud-fake", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove its temporary folder (not a ``directory`` you gave)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        if self._log is not None:
            self._log.close()
        if self._directory is not None:
            self._directory.cleanup()

    def __enter__(self) -> FakeCloud:
        """Start serving, and fence the built-in clouds' domains (see :meth:`fence_unrouted`)."""
        self.start()
        self._fences.append(ROUTES.fence(AZURE_SUFFIXES))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fences:
            ROUTES.unfence(self._fences.pop())
        self.stop()

    @contextmanager
    def fence_unrouted(self) -> Iterator[None]:
        """While open, a host under a built-in cloud's domain (:data:`AZURE_SUFFIXES`) that no
        :meth:`route_hosts` routes fails at once with :class:`UnroutedHostError`, which names it
        and how to route it (azure-core does not retry it); other names resolve as before.
        ``with FakeCloud()`` and the ``azenvcloud_fake_cloud`` fixture open it."""
        token = ROUTES.fence(AZURE_SUFFIXES)
        try:
            yield
        finally:
            ROUTES.unfence(token)

    # -- what tests configure and assert on ----------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port on 127.0.0.1."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``: authority host and Resource Manager endpoint."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:<port>``: the fake as an HTTPS proxy for another process. A
        ``CONNECT`` to a host routed here (:meth:`route_hosts`, :meth:`as_cloud`) is answered by
        the fake itself; any other is refused and recorded as a ``refused`` request, and nothing
        passes through to the internet."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._state.lock:
            return list(self._state.requests)

    def requests_of(self, kind: str) -> list[RecordedRequest]:
        """The requests of one :attr:`RecordedRequest.kind` (``token``, ``arm``, ...)."""
        return [request for request in self.requests if request.kind == kind]

    def reset(self) -> None:
        """Forget requests, issued tokens, failures, served paths, scope expectations and a
        changed :attr:`client_secret`."""
        with self._state.lock:
            self._state.requests.clear()
            self._state.tokens.clear()
            self._state.issued_to.clear()
            self._state.failures.clear()
            self._state.accepted_scopes = None
            self._state.metadata = {"2022-09-01": self.metadata_2022}
            self._state.served.clear()
            self._state.latency.clear()
            self._state.blobs.clear()
            self._state.tenants.clear()
        self.client_secret = FAKE_CLIENT_SECRET

    def accept_scopes(self, *scopes: str) -> None:
        """Make Resource Manager refuse (401) tokens issued for any other scope, as Azure does."""
        with self._state.lock:
            self._state.accepted_scopes = frozenset(scopes)

    def fail(
        self,
        path_contains: str,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        trickle: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests whose path contains ``path_contains`` with ``status``.

        ``body`` is JSON, or ``bytes`` sent as they are; ``delay`` seconds pass before the answer;
        ``trickle`` seconds pass before each byte of the body (a server that sends slowly).
        """
        failure = _Failure(
            path_contains,
            status,
            times,
            body if body is not None else {"error": {"code": "Injected", "message": "injected"}},
            headers or {},
            delay,
            trickle,
        )
        with self._state.lock:
            self._state.failures.append(failure)

    def add_tenant(self, tenant_id: str, *, cloud: str, region_scope: str | None = None) -> None:
        """Make ``tenant_id`` a tenant of the built-in cloud ``cloud`` (any accepted spelling, GovSG
        too), as Entra ID's OpenID discovery sees it, until :meth:`reset`.

        Its OpenID configuration (``/{tenant}/v2.0/.well-known/openid-configuration``) then answers
        at that cloud's authority hosts, with ``cloud_instance_name`` (the authority host without
        ``login.``) and ``tenant_region_scope`` (``region_scope``); at another built-in cloud's
        authority host it answers 400 with AADSTS90002, as Entra ID does for a tenant it does not
        know. A tenant not added answers at every host, as before.
        """
        from ..clouds import canonical_cloud_name

        canonical = canonical_cloud_name(cloud)
        if canonical not in set(AUTHORITY_HOSTS.values()):
            raise ValueError(f"{cloud!r} is no built-in cloud with an authority host")
        with self._state.lock:
            self._state.tenants[tenant_id.lower()] = (canonical, region_scope)

    def latency(self, path_contains: str, seconds: float) -> None:
        """Answer every request whose path contains ``path_contains`` ``seconds`` late (a real
        network between a process and its cloud), until :meth:`reset`."""
        with self._state.lock:
            self._state.latency[path_contains] = seconds

    def serve(self, path: str, answer: Any, *, method: str = "GET") -> None:
        """Serve your own Resource Manager path (a provider's operation) until :meth:`reset`.

        ``answer`` is the JSON to send, or a callable given the :class:`RecordedRequest` that
        returns the JSON or ``(status, JSON)``. As on Azure, the request must carry a token this
        fake issued (for an accepted scope, see :meth:`accept_scopes`), else it gets a 401.
        ``path`` matches exactly, or as a prefix when it ends with ``/``. Paths served here win
        over the built-in ones; any other path gets an honest 404.
        """
        with self._state.lock:
            self._state.served[(method.upper(), path)] = answer

    def set_secrets(
        self,
        vault: str,
        secrets: Mapping[str, str],
        *,
        disabled: Iterable[str] = (),
        permissions: Iterable[str] = ("get", "list"),
    ) -> None:
        """Give the Key Vault ``vault`` exactly ``secrets`` (name -> value), until :meth:`reset`.

        ``vault`` is a vault's name (``"kv1"``: that vault under every cloud's Key Vault suffix,
        so the same call serves a test in any cloud) or its host (``"kv1.vault.azure.cn"``). The
        vault then answers as Key Vault does: names without regard to case, a missing one 404
        (``SecretNotFound``), one of ``disabled`` 403 to a get (``SecretDisabled``) and listed as
        not enabled; ``permissions`` (``"get"``, ``"list"``) is what every identity may do there,
        any other operation a 403 (``AccessDenied``). A vault never set answers every name with
        ``fake-value-of-<name>``.

        Raises:
            ValueError: A name Key Vault would refuse (only letters, digits and dashes), a
                disabled name not among ``secrets``, or an unknown permission.
        """
        from ..dataplane.keyvault import keep_vault
        from ._dataplane import _Kept

        keep_vault(_Kept(self), vault, secrets, disabled=disabled, permissions=permissions)

    def set_store(
        self,
        store: str,
        values: Mapping[str, StoreValue],
        *,
        labels: Mapping[str, Mapping[str, StoreValue]] | None = None,
        snapshots: Mapping[str, Mapping[str, StoreValue]] | None = None,
        permissions: Iterable[str] = ("read",),
    ) -> None:
        """Give the App Configuration store ``store`` exactly these key-values, until :meth:`reset`.

        ``store`` is a store's name (``"cfg1"``: that store under every cloud's App Configuration
        suffixes, both host forms) or its host (``"cfg1.azconfig.azure.us"``). ``values`` are its
        key-values without a label: text, a :class:`KeyVaultReference` (``KeyVaultReference(
        "https://kv1.vault.usgovcloudapi.net/secrets/db-password")``), or JSON (a ``dict`` or
        ``list``); ``labels`` maps a label to its key-values; ``snapshots`` a snapshot's name to
        its key-values. The store answers ``GET /kv`` with key and label filters, in pages, and
        its snapshots, to a token for its cloud's App Configuration audience; ``permissions``
        (``"read"``) is what every identity may do there, none: a 403. A store never set holds
        no key-values.

        Raises:
            ValueError: An empty key, label or snapshot name, or an unknown permission.
            TypeError: A value of another type.
        """
        from ..dataplane.appconfiguration import keep_store
        from ._dataplane import _Kept

        keep_store(_Kept(self), store, values, labels=labels, snapshots=snapshots, permissions=permissions)

    def serve_metadata(self, documents: dict[str, MetadataDocument]) -> None:
        """Answer ``/metadata/endpoints?api-version=V`` with ``documents[V]``; other versions 404.

        A document is the JSON to send (a ``dict`` or ``list``), raw ``bytes``, or a callable
        given the base URL the client asked for that returns either (:meth:`metadata_2022` and
        its siblings), until :meth:`reset`.

        Raises:
            TypeError: A key is not a string, or a document is none of these.
        """
        for version, document in documents.items():
            if not isinstance(version, str) or not (
                callable(document) or isinstance(document, (dict, list, bytes))
            ):
                raise TypeError(
                    "serve_metadata takes {api_version: document}, a document being the JSON (dict or "
                    "list), bytes, or a callable given the base URL (such as fake.metadata_2022); got "
                    f"{version!r}: {type(document).__name__}"
                )
        with self._state.lock:
            self._state.metadata = dict(documents)

    def metadata_2022(self, base: str) -> dict[str, Any]:
        """A 2022-09-01 metadata object describing this fake, as public Azure answers."""
        return {
            "name": "FakeCloud",
            "portal": f"{base}/portal",
            "authentication": {
                "loginEndpoint": base,
                "audiences": [self.audience, base],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "resourceManager": f"{base}/",
            "microsoftGraphResourceId": f"{base}/graph/",
            "suffixes": {"keyVaultDns": "vault.fake.azenvcloud.test", "storage": "core.fake.azenvcloud.test"},
        }

    def metadata_2019(self, base: str) -> list[dict[str, Any]]:
        """A 2019-05-01 metadata array: this fake among other clouds."""
        other = {
            "name": "OtherCloud",
            "authentication": {
                "loginEndpoint": "https://login.other.example/",
                "audiences": ["https://other/"],
            },
            "resourceManager": "https://management.other.example/",
        }
        return [other, self.metadata_2022(base)]

    def metadata_2015(self, base: str) -> dict[str, Any]:
        """A 2015-01-01 metadata object: authentication, graph, gallery and portal only."""
        return {
            "galleryEndpoint": f"{base}/gallery/",
            "graphEndpoint": "https://graph.windows.net/",
            "portalEndpoint": f"{base}/portal/",
            "authentication": {"loginEndpoint": f"{base}/", "audiences": [self.audience]},
        }

    def metadata_azure_stack_adfs(self, base: str) -> list[dict[str, Any]]:
        """An Azure Stack Hub ADFS stamp's 2022-09-01 answer: an array, ``/adfs`` login, no ARM."""
        return [
            {
                "name": "AzureStackCloud",
                "portal": f"{base}/portal",
                "authentication": {
                    "loginEndpoint": f"{base}/adfs/",
                    "audiences": [f"{self.audience}{self.tenant_id}"],
                    "tenant": "adfs",
                    "identityProvider": "ADFS",
                },
                "graph": f"{base}/graph/",
                "suffixes": {
                    "keyVaultDns": "vault.local.azurestack.external",
                    "storage": "local.azurestack.external",
                },
            }
        ]

    def environment(
        self, *, credential: str = "EnvironmentCredential", cloud: str | None = None
    ) -> dict[str, str]:
        """Environment variables that point azenvcloud and azure-identity at this fake.

        A custom cloud (authority, Resource Manager and audience here), a service principal
        with a fake secret, the fake's CA for TLS, ``AZURE_TOKEN_CREDENTIALS`` narrowing the
        chain so that it can never fall through to managed identity, and a metadata cache folder
        of the fake's own (:attr:`cache_dir`). A process started with them (``env=``) uses the
        fake as this one does.

        With ``cloud`` (a built-in cloud's name), the variables for *another process* to reach
        this fake acting as that cloud, while :meth:`as_cloud` (or :meth:`route_hosts` of its
        hosts) is open here: ``AZURE_CLOUD`` and azure-identity's ``AZURE_AUTHORITY_HOST`` select
        the cloud, and :data:`PROXY_VARIABLES` send the process's HTTP and HTTPS through the
        fake (:attr:`proxy_url`; ``NO_PROXY`` only loopback), which answers on the cloud's real
        host names and refuses every other: code that never imports azenvcloud reaches
        ``login.chinacloudapi.cn`` here, and nothing else.
        """
        if cloud is not None:
            built_in, selector, _ = _acting_as(cloud)
            return {
                "AZURE_CLOUD": selector,
                "AZURE_AUTHORITY_HOST": built_in.authority_host,
                **{
                    name: value
                    for name, value in self.environment(credential=credential).items()
                    if name not in {"AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"}
                },
                **dict.fromkeys(PROXY_VARIABLES, self.proxy_url),
                **dict.fromkeys(_NO_PROXY, _LOOPBACK_ONLY),
            }
        return {
            "AZURE_AUTHORITY_HOST": self.url,
            "AZURE_RESOURCE_MANAGER": self.url,
            "AZURE_AUDIENCE": self.audience,
            "AZURE_SUBSCRIPTION_ID": self.subscriptions[0],
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AZURE_TOKEN_CREDENTIALS": credential,
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
            "SSL_CERT_FILE": self.ca_bundle,
            "AZENVCLOUD_CACHE_DIR": self.cache_dir,
        }

    @contextmanager
    def as_cloud(self, name: str, *, select: bool = True) -> Iterator[Cloud]:
        """Act as the built-in cloud ``name`` (any accepted spelling) while the context is open.

        All its host names resolve here (:meth:`route_hosts` of :func:`cloud_hosts`: authority,
        Resource Manager and every data-plane service, ``*.vault.azure.cn`` included), and
        Resource Manager accepts only that cloud's scope. The endpoint variables of
        :meth:`environment` are removed and, with ``select`` (the default), ``AZURE_CLOUD`` set
        to the cloud. With ``select=False`` the fake chooses nothing: an ``AZURE_CLOUD`` the test
        set (in the environment, ``isolated_environment`` included) stays, else your project's
        ``.env`` must choose, which is how a test proves that either does. A name with services of its own
        (``dod``: the DoD Graph) is selected as given. The metadata cache is the fake's own
        unless ``AZENVCLOUD_CACHE_DIR`` is set. azenvcloud is reset on entry and exit, and the
        environment restored on exit. Yields the built-in :class:`~azenvcloud.Cloud`.
        """
        from .. import reset

        cloud, selector, hosts = _acting_as(name)
        changed = (
            "AZURE_CLOUD",
            "AZURE_AUTHORITY_HOST",
            "AZURE_RESOURCE_MANAGER",
            "AZURE_AUDIENCE",
            "AZENVCLOUD_CACHE_DIR",
        )
        saved = {variable: os.environ.get(variable) for variable in changed}
        for variable in changed[1:4]:
            os.environ.pop(variable, None)
        if select:
            os.environ["AZURE_CLOUD"] = selector
        if not os.environ.get("AZENVCLOUD_CACHE_DIR"):
            os.environ["AZENVCLOUD_CACHE_DIR"] = self.cache_dir
        self.accept_scopes(*cloud.credential_scopes)
        reset()
        try:
            with self.route_hosts(*hosts):
                yield cloud
        finally:
            reset()
            with self._state.lock:
                self._state.accepted_scopes = None
            for variable, value in saved.items():
                if value is None:
                    os.environ.pop(variable, None)
                else:
                    os.environ[variable] = value

    @contextmanager
    def route_hosts(self, *hostnames: str) -> Iterator[None]:
        """Resolve ``hostnames`` (any port) to this fake while the context is open.

        The real SDK keeps its real URLs, ``Host`` headers and TLS server names; only name
        resolution changes, so a test sees exactly which host each request was meant for.
        Names must be among those the fake serves (:data:`BUILTIN_HOSTS` and the constructor's
        ``hostnames``, a wildcard covering every name below it: a certificate is made for each).
        Contexts may nest and close in any order: each takes back only its own names, and name
        resolution is restored when the last one closes.
        """
        unknown = sorted(name for name in hostnames if not self._covers(name))
        if unknown:
            raise ValueError(
                f"the certificate does not cover {unknown}; pass them as FakeCloud(hostnames=...)"
            )
        route = {name.lower().rstrip("."): self.port for name in hostnames}
        ROUTES.add(route)
        with self._state.lock:
            self._open_routes.append(route)
        try:
            yield
        finally:
            with self._state.lock:
                self._open_routes = [item for item in self._open_routes if item is not route]
            ROUTES.remove(route)

    @property
    def routed_hosts(self) -> tuple[str, ...]:
        """The host names routed to this fake now (:meth:`route_hosts`, :meth:`as_cloud`): the
        names its proxy (:attr:`proxy_url`) answers for, sorted."""
        with self._state.lock:
            return tuple(sorted({name for route in self._open_routes for name in route}))

    def _routed_here(self, host: str) -> bool:
        """Whether an open :meth:`route_hosts` of this fake routes ``host`` (its proxy answers for it)."""
        name = host.lower().rstrip(".")
        with self._state.lock:
            return any(_match(name, route) is not None for route in self._open_routes)

    def _covers(self, name: str) -> bool:
        """Whether the fake serves ``name`` with a certificate for it: one of its names, or a name
        under one of its ``*.`` wildcards, however many labels below (a regional
        ``t1.westus2-1.eventgrid.azure.net`` under ``*.eventgrid.azure.net``)."""
        labels = name.lower().rstrip(".").split(".")
        return ".".join(labels) in self._hostnames or any(
            "*." + ".".join(labels[start:]) in self._hostnames for start in range(1, len(labels))
        )

    def _in_certificate(self, name: str) -> bool:
        """Whether the fake's one certificate covers ``name`` (exactly, or by a wildcard of one label)."""
        parent = name.split(".", 1)[1] if "." in name else ""
        return name in self._hostnames or f"*.{parent}" in self._hostnames

    def _certificate_for_name(self, connection: Any, name: str | None, context: ssl.SSLContext) -> None:
        """TLS's server name callback: a name the fake serves that its certificate's one-label
        wildcards do not cover gets a certificate of its own (made once, from the same CA)."""
        if name is None:
            return
        name = name.lower().rstrip(".")
        if self._in_certificate(name) or not self._covers(name):
            return
        with self._deeper_lock:
            own = self._deeper.get(name)
            if own is None:
                own = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                _load_certificate(own, self._ca.issue_cert(name))
                self._deeper[name] = own
        connection.context = own

    # -- the fake service ------------------------------------------------------------------

    def _issue(self, scope: str, client_id: str | None = None, tenant: str | None = None) -> str:
        token = f"fake-token-{secrets.token_hex(12)}"
        with self._state.lock:
            self._state.tokens[token] = scope
            self._state.issued_to[token] = (client_id, tenant)
        return token

    def _attribution(
        self, method: str, path: str, *, query: dict[str, str], form: dict[str, str], bearer: str | None
    ) -> tuple[str | None, str | None]:
        """Who a request is for: the client ID and tenant of a token request (the tenant is the
        authority's first path segment: a tenant ID, ``organizations``, ``adfs``), or those of
        the token it presents."""
        if path == MANAGED_IDENTITY_PATH:
            return query.get("client_id"), None
        if method == "POST" and path.endswith("/token"):
            segments = [segment for segment in path.split("/") if segment]
            return form.get("client_id"), segments[0] if len(segments) > 1 else None
        with self._state.lock:
            return self._state.issued_to.get(bearer or "", (None, None))

    def _log_request(self, request: RecordedRequest, status: int | None) -> None:
        if self._log is not None:
            self._log.write(request, status)

    def _refused(self, method: str, host: str, path: str, why: str) -> None:
        """Record a proxy request the fake refused (:mod:`._proxy`)."""
        request = RecordedRequest(method, host, path, {}, {}, None, None, refused=why)
        with self._state.lock:
            self._state.requests.append(request)
        self._log_request(request, 403)

    def _route(  # noqa: PLR0911 - one return per route
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str],
        form: dict[str, str],
        bearer: str | None,
        base: str,
    ) -> tuple[int, Any]:
        segments = [segment for segment in path.split("/") if segment]
        if method == "GET" and path == "/metadata/endpoints":
            with self._state.lock:
                document = self._state.metadata.get(query.get("api-version", ""))
            if document is None:
                return 404, {
                    "error": {"code": "NoRegisteredProviderFound", "message": "unsupported api-version"}
                }
            return 200, document(base) if callable(document) else document
        if method == "GET" and path.endswith("/.well-known/openid-configuration"):
            return self._tenant_openid_configuration(base, segments[0])
        if method == "GET" and path.endswith("/discovery/instance"):
            # As Entra ID answers (MSAL reads "metadata" after a failed token request): the
            # authority's aliases, here only itself.
            host = urlsplit(base).netloc
            return 200, {
                "tenant_discovery_endpoint": f"{base}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            }
        if method == "POST" and path.endswith("/token"):
            return self._token(form, segments[0] if len(segments) > 1 else None)
        if method == "GET" and path == MANAGED_IDENTITY_PATH:
            return self._managed_identity_token(query)
        if method == "GET" and segments[:1] == ["subscriptions"]:
            return self._arm(segments, bearer)
        if method == "GET" and segments == ["tenants"]:
            return self._authorized(bearer, lambda: {"value": [{"tenantId": self.tenant_id}]})
        return 404, {"error": {"code": "NotFound", "message": f"the fake cloud serves no {method} {path}"}}

    def _served(self, request: RecordedRequest) -> tuple[int, Any] | None:
        with self._state.lock:
            answer = next(
                (
                    value
                    for (method, path), value in self._state.served.items()
                    if method == request.method
                    and (request.path == path or (path.endswith("/") and request.path.startswith(path)))
                ),
                None,
            )
        if answer is None:
            return None
        status, payload = self._authorized(
            request.bearer, lambda: answer(request) if callable(answer) else answer
        )
        if status == 200 and isinstance(payload, tuple):
            return payload  # (status, JSON) from the user's callable
        return status, payload

    def _tenant_openid_configuration(self, base: str, tenant: str) -> tuple[int, Any]:
        """A tenant added with :meth:`add_tenant` is known at its cloud's authority hosts only."""
        with self._state.lock:
            added = self._state.tenants.get(tenant.lower())
        host = (urlsplit(base).hostname or "").lower()
        asked_cloud = AUTHORITY_HOSTS.get(host)
        if added is None or asked_cloud is None:
            return 200, self._openid_configuration(base, tenant)
        cloud, region_scope = added
        if asked_cloud != cloud:
            return 400, {
                "error": "invalid_tenant",
                "error_description": f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you "
                "have the correct tenant ID and are signing into the correct cloud.",
                "error_codes": [90002],
            }
        document = self._openid_configuration(base, tenant)
        document["tenant_region_scope"] = region_scope
        document["cloud_instance_name"] = host.removeprefix("login.")
        return 200, document

    def _openid_configuration(self, base: str, tenant: str) -> dict[str, Any]:
        if tenant == "adfs":
            prefix = f"{base}/adfs"
            return {
                "issuer": f"{prefix}",
                "authorization_endpoint": f"{prefix}/oauth2/authorize",
                "token_endpoint": f"{prefix}/oauth2/token",
            }
        tenant_id = self.tenant_id if tenant in {"common", "organizations"} else tenant
        return {
            "issuer": f"{base}/{tenant_id}/v2.0",
            "authorization_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/devicecode",
            "tenant_region_scope": None,
        }

    def _token(self, form: dict[str, str], tenant: str | None) -> tuple[int, Any]:
        if "client_secret" in form and form["client_secret"] != self.client_secret:
            return 401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }
        scope = " ".join(part for part in form.get("scope", "").split() if part.endswith("/.default"))
        if not scope:
            return 400, {
                "error": "invalid_scope",
                "error_description": "AADSTS70011: no .default scope requested",
            }
        return 200, {
            "token_type": "Bearer",
            "expires_in": 3600,
            "ext_expires_in": 3600,
            "access_token": self._issue(scope, form.get("client_id"), tenant),
        }

    def _managed_identity_token(self, query: dict[str, str]) -> tuple[int, Any]:
        # An App Service managed identity endpoint (IDENTITY_ENDPOINT, api-version 2019-08-01):
        # azure-identity asks with the resource, not a scope.
        resource = query.get("resource", "")
        if not resource:
            return 400, {"error": "invalid_request", "error_description": "no resource requested"}
        return 200, {
            "access_token": self._issue(f"{resource}/.default", query.get("client_id")),
            "expires_on": str(int(time.time()) + 3600),
            "resource": resource,
            "token_type": "Bearer",
        }

    def managed_identity_environment(self) -> dict[str, str]:
        """Variables that make azure-identity's ``ManagedIdentityCredential`` ask this fake, as
        App Service's managed identity endpoint (``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER``),
        with ``AZURE_TOKEN_CREDENTIALS`` narrowing the chain to it."""
        return {
            "IDENTITY_ENDPOINT": f"{self.url}{MANAGED_IDENTITY_PATH}",
            "IDENTITY_HEADER": "fake-identity-header",
            "AZURE_TOKEN_CREDENTIALS": "ManagedIdentityCredential",
        }

    def _authorized(self, bearer: str | None, answer: Callable[[], Any]) -> tuple[int, Any]:
        with self._state.lock:
            scope = self._state.tokens.get(bearer or "")
            accepted = self._state.accepted_scopes
        if scope is None:
            return 401, {
                "error": {"code": "InvalidAuthenticationToken", "message": "no token the fake issued"}
            }
        if accepted is not None and scope not in accepted:
            return 401, {
                "error": {
                    "code": "InvalidAuthenticationTokenAudience",
                    "message": f"the token was issued for {scope!r}, not for this Resource Manager",
                }
            }
        return 200, answer()

    def _arm(self, segments: list[str], bearer: str | None) -> tuple[int, Any]:
        if segments == ["subscriptions"]:
            return self._authorized(
                bearer,
                lambda: {
                    "value": [
                        {
                            "id": f"/subscriptions/{subscription}",
                            "subscriptionId": subscription,
                            "tenantId": self.tenant_id,
                            "displayName": f"Fake subscription {index}",
                            "state": "Enabled",
                        }
                        for index, subscription in enumerate(self.subscriptions, start=1)
                    ]
                },
            )
        if (
            len(segments) == 3
            and segments[2].lower() == "resourcegroups"
            and segments[1] in self.subscriptions
        ):
            subscription = segments[1]
            return self._authorized(
                bearer,
                lambda: {
                    "value": [
                        {
                            "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
                            "name": name,
                            "type": "Microsoft.Resources/resourceGroups",
                            "location": "fakeregion",
                            "properties": {"provisioningState": "Succeeded"},
                        }
                        for name in self.resource_groups
                    ]
                },
            )
        if len(segments) >= 2 and segments[1] not in self.subscriptions:
            return 404, {
                "error": {"code": "SubscriptionNotFound", "message": f"no subscription {segments[1]}"}
            }
        return 404, {
            "error": {
                "code": "NotFound",
                "message": f"the fake cloud serves no GET /{'/'.join(segments)}; "
                "serve it with FakeCloud.serve()",
            }
        }


def new_subscription_id() -> str:
    """A fresh random subscription ID for a fake cloud."""
    return str(uuid.uuid4())
