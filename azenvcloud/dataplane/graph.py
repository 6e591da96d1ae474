"""Microsoft Graph (msgraph-sdk): the cloud's Graph root and scope, and tokens for its host only.

``GraphServiceClient`` takes no endpoint: without a base URL on its request adapter it talks to
``https://graph.microsoft.com/v1.0``, and samples that pass the public scope break national
clouds (microsoftgraph/msgraph-sdk-python#218, #672). Here the adapter gets the resolved cloud's
Graph root (``https://microsoftgraph.chinacloudapi.cn/v1.0``; the DoD root for
``AZURE_CLOUD=dod``), the scope ``<root>/.default``, and ``allowed_hosts`` set to that host, so a
token is never sent to another host (kiota sends one anywhere when the list is empty).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._values import host_of

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

__all__ = ["API_VERSION", "build_graph_client", "close_graph_client"]

API_VERSION = "v1.0"


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
        from .._install_hint import install_hint

        raise ImportError(
            f"get_graph_client needs msgraph-sdk ({exc.name} is missing): {install_hint('graph')}"
        ) from exc

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
