"""Microsoft Graph (msgraph-sdk): the cloud's Graph root and scope, and tokens for its host only.

``GraphServiceClient`` takes no endpoint: without a base URL on its request adapter it talks to
``https://graph.microsoft.com/v1.0``, and samples that pass the public scope break national
clouds (microsoftgraph/msgraph-sdk-python#218, #672). Here the adapter gets the resolved cloud's
Graph root (``https://microsoftgraph.chinacloudapi.cn/v1.0``; the DoD root for
``AZURE_CLOUD=dod``), the scope ``<root>/.default``, and ``allowed_hosts`` set to that host, so a
token is never sent to another host (kiota sends one anywhere when the list is empty).

Its recipe (:data:`GRAPH`) answers what every recipe answers, so ``aio.get_graph_client()`` is
``aio.get_client(GraphServiceClient)``: one path, one cache. msgraph-sdk is asynchronous only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .._parsers import host_of
from .._services import scope_of, url_of
from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import known_service

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from .._settings import Settings

__all__ = [
    "API_VERSION",
    "FAKE_ROUTES",
    "GRAPH",
    "RECIPES",
    "GraphRecipe",
    "build_graph_client",
    "close_graph_client",
    "graph_client_class",
]

API_VERSION = "v1.0"
ClientT = TypeVar("ClientT")


@dataclass(frozen=True)
class GraphRecipe:
    """How ``GraphServiceClient`` is built for the resolved cloud: its Graph root and scope, tokens
    for that host only. It takes no arguments of the caller's; it is async only."""

    service: str = "graph"

    def __post_init__(self) -> None:
        known_service(self.service, "GraphRecipe")

    def is_async(self, client_class: type[Any]) -> bool:
        """msgraph-sdk has only async clients (``azenvcloud.aio.get_graph_client``)."""
        return True

    def build(
        self,
        client_class: type[ClientT],
        *,
        subscription_id: str | None,
        kwargs: dict[str, Any],
        settings: Settings,
        credential: Any,
        asynchronous: bool,
    ) -> ClientT:
        """A ``GraphServiceClient`` for the resolved cloud's Graph (:func:`build_graph_client`).

        Raises:
            ConfigurationError: The cloud has no known Graph endpoint (naming the variable to set).
            ImportError: msgraph-sdk is not installed.
            TypeError: An argument was given: the client takes none of the caller's.
        """
        if subscription_id is not None or kwargs:
            raise TypeError(
                f"{client_class.__name__} takes no arguments here: azenvcloud sets its Graph root"
            )
        return build_graph_client(  # type: ignore[no-any-return]
            credential, url_of(settings, self.service), scope_of(settings, self.service)
        )

    def first_request_scopes(self, settings: Settings) -> tuple[str, ...] | None:
        """``None``: kiota asks with options of its own (CAE), which a prefetch does not match."""
        return None

    async def aclose(self, client: Any) -> None:
        """Close the client's connections (:func:`close_graph_client`)."""
        await close_graph_client(client)


GRAPH = GraphRecipe()
"""The recipe of msgraph-sdk's ``GraphServiceClient``."""

RECIPES = {"msgraph.graph_service_client.GraphServiceClient": GRAPH}


def graph_client_class() -> type[GraphServiceClient]:
    """msgraph-sdk's ``GraphServiceClient``.

    Raises:
        ImportError: msgraph-sdk is not installed (naming the extra to install).
    """
    try:
        from msgraph import GraphServiceClient
    except ImportError as exc:
        raise _missing(exc) from exc
    return GraphServiceClient  # type: ignore[no-any-return]


def _missing(exc: ImportError) -> ImportError:
    from .._failure_hints import install_hint

    return ImportError(f"get_graph_client needs msgraph-sdk ({exc.name} is missing): {install_hint('graph')}")


def build_graph_client(credential: Any, endpoint: str, scope: str) -> GraphServiceClient:
    """A ``GraphServiceClient`` for ``endpoint`` (the cloud's Graph root) with ``credential``.

    Raises:
        ImportError: msgraph-sdk is not installed (naming the extra to install).
    """
    try:
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )
        from msgraph import GraphRequestAdapter, GraphServiceClient
        from msgraph_core import GraphClientFactory
    except ImportError as exc:
        raise _missing(exc) from exc

    base_url = f"{endpoint.rstrip('/')}/{API_VERSION}"
    http = _http_client()
    http.base_url = base_url
    authentication = AzureIdentityAuthenticationProvider(
        credential, scopes=[scope], allowed_hosts=[host_of(endpoint)]
    )
    adapter = GraphRequestAdapter(
        authentication, client=GraphClientFactory.create_with_default_middleware(client=http)
    )
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


async def close_graph_client(client: GraphServiceClient) -> None:
    """Close the client's connections.

    ``GraphServiceClient`` has no ``close()``; its httpx client has, but msgraph-core's
    transport does not close the transport it wraps (msgraph-core 1.5), which would leave its
    connections open: each wrapped transport is closed here too.
    """
    http = client.request_adapter._http_client
    transport = getattr(http, "_transport", None)
    await http.aclose()
    while transport is not None:
        await transport.aclose()
        transport = getattr(transport, "transport", None)


def _http_client() -> Any:
    """The httpx client kiota's factory makes (same timeouts, HTTP/2), trusting the CA setting
    (:mod:`azenvcloud._ca`) rather than httpx's own (``SSL_CERT_FILE``, else certifi)."""
    import httpx
    from kiota_http.kiota_client_factory import DEFAULT_CONNECTION_TIMEOUT, DEFAULT_REQUEST_TIMEOUT

    from .._ca import ssl_context

    timeout = httpx.Timeout(DEFAULT_REQUEST_TIMEOUT, connect=DEFAULT_CONNECTION_TIMEOUT)
    return httpx.AsyncClient(timeout=timeout, http2=True, verify=ssl_context())


def _users(request: FakeRequest) -> Answer:
    """Microsoft Graph's users, for a token for this Graph root (its own host's scope)."""
    if request.scope != f"https://{request.host}/.default":
        return unauthorized(f"a token for https://{request.host}")
    if request.path != f"/{API_VERSION}/users":
        return 404, {"error": {"code": "Request_ResourceNotFound", "message": request.path}}, {}
    users = [
        {"id": f"00000000-0000-4000-8000-00000000000{index}", "displayName": f"Fake User {index}"}
        for index in (1, 2)
    ]
    return (
        200,
        {"@odata.context": f"https://{request.host}/{API_VERSION}/$metadata#users", "value": users},
        {},
    )


FAKE_ROUTES = (
    FakeRoute(
        service="graph",
        matches=lambda host, path: "graph" in host and path.startswith(f"/{API_VERSION}/"),
        answer=_users,
    ),
)
