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
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._builtin_clouds import AUTHORITY_HOSTS
from .._single_flight import wait_for_prefetches
from . import _arm, _identity
from ._configurations import FakeConfiguration, acting_for
from ._dataplane import DataPlaneContent
from ._dns import ROUTES, UnroutedHostError, match, refuse_non_loopback_dns
from ._environment import PROXY_VARIABLES, acting, environment_of, is_isolated_variable, isolated_environment
from ._hosts import AZURE_SUFFIXES, BUILTIN_HOSTS, Certificates, cloud_hosts
from ._identity import DEFAULT_CLIENT_ID, DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, FAKE_CLIENT_SECRET
from ._request_log import RequestLog
from ._server import Failure, MetadataDocument, RecordedRequest, Server, State

if TYPE_CHECKING:
    from .._clouds import Cloud
    from .._dataplane.appconfiguration import KeyVaultReference, StoreValue

__all__ = [
    "AZURE_SUFFIXES",
    "BUILTIN_HOSTS",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SUBSCRIPTION_ID",
    "DEFAULT_TENANT_ID",
    "FAKE_CLIENT_SECRET",
    "PROXY_VARIABLES",
    "FakeCloud",
    "FakeConfiguration",
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
        from .._dataplane import appconfiguration

        return getattr(appconfiguration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class FakeCloud(DataPlaneContent):
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
        self._state = State()
        self._certificates = Certificates(self._hostnames)
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        if directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="azenvcloud-fake-")
            folder = Path(self._directory.name)
        else:
            folder = Path(directory)
        self.ca_bundle = str(folder / "ca.pem")
        """Path of a PEM file with the fake's certificate authority, for ``REQUESTS_CA_BUNDLE``."""
        self._certificates.ca.cert_pem.write_to_path(self.ca_bundle)
        self.cache_dir = str(folder / "cache")
        """A metadata cache folder of this fake's own (in :meth:`environment`): what is cached
        for a fake answer never lands in the user's real cache."""
        self._open_routes: list[dict[str, int]] = []  # this fake's route_hosts, under the state's lock
        self._log: RequestLog | None = None
        try:
            self._server = Server(self, self._certificates.context, port)
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
        failure = Failure(
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
        from .._clouds import canonical_cloud_name

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
        return _arm.metadata_2022(self, base)

    def metadata_2019(self, base: str) -> list[dict[str, Any]]:
        """A 2019-05-01 metadata array: this fake among other clouds."""
        return _arm.metadata_2019(self, base)

    def metadata_2015(self, base: str) -> dict[str, Any]:
        """A 2015-01-01 metadata object: authentication, graph, gallery and portal only."""
        return _arm.metadata_2015(self, base)

    def metadata_azure_stack_adfs(self, base: str) -> list[dict[str, Any]]:
        """An Azure Stack Hub ADFS stamp's 2022-09-01 answer: an array, ``/adfs`` login, no ARM."""
        return _arm.metadata_azure_stack_adfs(self, base)

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
        return environment_of(self, credential=credential, cloud=cloud)

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
        with acting(self, name, select=select) as cloud:
            yield cloud

    @contextmanager
    def as_clouds(
        self, clouds: Mapping[str, str] | None = None, /, **by_configuration: str
    ) -> Iterator[dict[str, FakeConfiguration]]:
        """Act as several built-in clouds at once, one per configuration, while the context is open:
        ``as_clouds(default="china", gov="usgov")`` or a mapping; two may act as one cloud.

        ``default`` (the unprefixed variables) keeps the fake's service principal; each named
        configuration gets its own (:class:`FakeConfiguration`: tenant, client ID, secret), its
        variables under its prefix (``GOV_AZURE_CLOUD``, ``GOV_AZURE_CLIENT_SECRET``, ...) and its
        name in ``AZENVCLOUD_CONFIGURATIONS``. Each cloud's hosts are routed here, its Resource
        Manager accepts only its scope, and an identity signs in only at its own cloud's authority
        and tenant; :attr:`RecordedRequest.configuration` says which configuration made a request.
        azenvcloud is reset on entry and exit, the environment restored on exit. Yields each
        configuration by name. Raises ``ValueError`` for a name no configuration may take.
        """
        with acting_for(self, {**(clouds or {}), **by_configuration}) as configurations:
            yield configurations

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
        unknown = sorted(name for name in hostnames if not self._certificates.covers(name))
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
            return any(match(name, route) is not None for route in self._open_routes)

    def managed_identity_environment(self) -> dict[str, str]:
        """Variables that make azure-identity's ``ManagedIdentityCredential`` ask this fake, as
        App Service's managed identity endpoint (``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER``),
        with ``AZURE_TOKEN_CREDENTIALS`` narrowing the chain to it."""
        return {
            "IDENTITY_ENDPOINT": f"{self.url}{_identity.MANAGED_IDENTITY_PATH}",
            "IDENTITY_HEADER": "fake-identity-header",
            "AZURE_TOKEN_CREDENTIALS": "ManagedIdentityCredential",
        }

    # -- what the server records (testing._server, ._proxy) --------------------------------------

    def _log_request(self, request: RecordedRequest, status: int | None) -> None:
        if self._log is not None:
            self._log.write(request, status)

    def _refused(self, method: str, host: str, path: str, why: str) -> None:
        """Record a proxy request the fake refused (:mod:`._proxy`)."""
        request = RecordedRequest(method, host, path, {}, {}, None, None, refused=why)
        with self._state.lock:
            self._state.requests.append(request)
        self._log_request(request, 403)
