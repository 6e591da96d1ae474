"""The identity authority's OpenID configuration, kept in the metadata cache: one round trip
fewer at every process start.

Before its first token request in a process, MSAL asks the authority for its OpenID
configuration (``/{tenant}/v2.0/.well-known/openid-configuration``, ``/adfs/.well-known/...``)
to learn the token endpoint. The Azure CLI saves that round trip with MSAL's ``http_cache``
(AzureAD/microsoft-authentication-library-for-python issue #334), which azure-identity does not
expose. Here the synchronous credential's HTTP session, given to azure-identity through its
public ``transport=`` argument, answers that one request from the metadata cache while the copy
is fresh (``AZENVCLOUD_METADATA_TTL``, whose ``0`` turns this off too); every other request goes
to the network untouched.

The document says where MSAL sends the client secret, so a copy is stored and served only when
its token endpoint is https on the authority's own host, and only from a cache folder that only
the user can write (:class:`azenvcloud._metadata_cache.Cache`).
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# Imported with azure-identity (whose transport is built on them), never at `import azenvcloud`.
from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse
from urllib3.util.retry import Retry

from ._metadata_cache import Cache
from ._transports import transport_options

if TYPE_CHECKING:
    from requests import PreparedRequest, Response

    from ._settings import Settings

__all__ = ["caching_transport"]

_OPENID_PATH = "/.well-known/openid-configuration"


def caching_transport(settings: Settings) -> RequestsTransport | None:
    """An azure-core transport whose session answers the authority's OpenID configuration from
    the cache, or ``None`` when the cache is off or unusable."""
    if settings.metadata_ttl <= 0:
        return None
    cache = Cache.open(settings.metadata_cache_dir)
    if cache is None:
        return None
    transport = RequestsTransport(**transport_options(settings))
    transport.open()  # its session, set up as azure-core sets up its own
    adapter = _OpenIdConfigurationCache(cache, _origin(settings.authority_host), settings.metadata_ttl)
    transport.session.mount(settings.authority_host + "/", adapter)
    return transport


class _OpenIdConfigurationCache(HTTPAdapter):
    """Answers ``GET .../.well-known/openid-configuration`` of one authority from the cache;
    sends everything else, and a missing, stale or untrusted copy's request, to the network."""

    def __init__(self, cache: Cache, authority: tuple[str, int] | None, ttl: int) -> None:
        # Retries are azure-core's business (its RetryPolicy), as on the adapters it mounts itself.
        super().__init__(max_retries=Retry(total=False, redirect=False, raise_on_status=False))
        self._cache: Cache | None = cache
        self._authority = authority
        self._ttl = ttl

    def __getstate__(self) -> dict[str, Any]:
        # requests' HTTPAdapter pickles only its own settings (__attrs__): add the cache's recipe.
        state: dict[str, Any] = super().__getstate__()
        folder = str(self._cache.folder) if self._cache is not None else None
        return {**state, "_azenvcloud": (folder, self._authority, self._ttl)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled (a credential handed to another process): the folder is checked again there.
        folder, self._authority, self._ttl = state.pop("_azenvcloud")
        super().__setstate__(state)
        self._cache = Cache.open(folder) if folder is not None else None

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        url = request.url or ""
        if request.method != "GET" or not _is_openid_configuration(url) or self._cache is None:
            return super().send(request, *args, **kwargs)
        path = self._cache.path(url)
        entry = self._cache.read(path, url)
        if entry is not None and entry.fresh(self._ttl) and _sends_tokens_to(entry.body, self._authority):
            return self._answer(request, entry.body.encode())
        response = super().send(request, *args, **kwargs)
        if response.status_code == 200 and _sends_tokens_to(response.text, self._authority):
            self._cache.write(path, url, response.text, location=url)
        return response

    def _answer(self, request: PreparedRequest, body: bytes) -> Response:
        raw = HTTPResponse(
            body=io.BytesIO(body),
            headers={"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(body))},
            status=200,
            reason="OK",
            preload_content=False,
            decode_content=False,
            request_method="GET",
            request_url=request.url,
        )
        return self.build_response(request, raw)


def _is_openid_configuration(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.endswith(_OPENID_PATH) and not parts.query and not parts.fragment


def _origin(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an https URL without user-info, else ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username is not None or not parts.hostname:
        return None
    return parts.hostname.lower(), port


def _sends_tokens_to(body: str, authority: tuple[str, int] | None) -> bool:
    """Whether ``body`` is an OpenID configuration whose token endpoint is https on the
    authority's own host and port."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False
    endpoint = document.get("token_endpoint") if isinstance(document, dict) else None
    return isinstance(endpoint, str) and authority is not None and _origin(endpoint) == authority
