"""The fake cloud's data-plane services, each on the host names of the cloud it acts as.

Each answers as the real service does where the SDKs look: the token's scope must be the one
the service accepts (Key Vault's comes from its challenge, Storage's is ``https://storage.azure
.com/.default`` in every cloud, Log Analytics' is its endpoint's), else a 401. Requests are
logged like every other, with the service's name as their kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from . import FakeCloud, RecordedRequest

__all__ = ["answer", "service_of"]

Answer = tuple[int, Any, dict[str, str]]
_STORAGE_SCOPE = "https://storage.azure.com/.default"


def service_of(request: RecordedRequest) -> str | None:
    """The data-plane service a request is for, by its host and path, or ``None``."""
    labels = request.host.split(".")
    if len(labels) > 2 and labels[1] == "vault" and request.path.startswith("/secrets/"):
        return "keyvault"
    if len(labels) > 2 and labels[1] == "blob":
        return "blob"
    if labels[0] == "api" and "loganalytics" in labels and request.path.startswith("/v1/workspaces/"):
        return "log_analytics"
    if "graph" in request.host and request.path.startswith("/v1.0/"):
        return "graph"
    return None


def answer(cloud: FakeCloud, request: RecordedRequest, body: bytes) -> Answer | None:
    """The answer of the data-plane service the request is for, or ``None`` if it is for none."""
    service = service_of(request)
    if service == "keyvault":
        return _key_vault(cloud, request)
    if service == "blob":
        return _blob(cloud, request, body)
    if service == "log_analytics":
        return _log_analytics(cloud, request)
    if service == "graph":
        return _graph(cloud, request)
    return None


def _scope(cloud: FakeCloud, request: RecordedRequest) -> str | None:
    with cloud._state.lock:
        return cloud._state.tokens.get(request.bearer or "")


def _unauthorized(message: str, headers: dict[str, str] | None = None) -> Answer:
    return 401, {"error": {"code": "InvalidAuthenticationTokenAudience", "message": message}}, headers or {}


def _key_vault(cloud: FakeCloud, request: RecordedRequest) -> Answer:
    """A vault's secrets: a challenge naming the resource (the vault's suffix) and tenant to a
    request without the right token, the secret to one with it."""
    resource = f"https://{request.host.split('.', 1)[1]}"
    if _scope(cloud, request) != f"{resource}/.default":
        challenge = f'Bearer authorization="https://login.invalid/{cloud.tenant_id}", resource="{resource}"'
        return _unauthorized(f"a token for {resource}", {"WWW-Authenticate": challenge})
    name = request.path.split("/")[2]
    value = "set" if request.method == "PUT" else f"fake-value-of-{name}"
    return 200, {"id": f"https://{request.host}/secrets/{name}/1", "value": value}, {}


def _blob(cloud: FakeCloud, request: RecordedRequest, body: bytes) -> Answer:
    """An account's containers (``c1``, ``c2``) and the blobs put into them."""
    if _scope(cloud, request) != _STORAGE_SCOPE:
        return _unauthorized(f"a token for {_STORAGE_SCOPE}")
    headers = {"ETag": '"0x1"', "Last-Modified": _DATE}
    if request.query.get("comp") == "list":
        containers = "".join(
            f"<Container><Name>{name}</Name><Properties><Last-Modified>{_DATE}</Last-Modified>"
            f'<Etag>"0x1"</Etag></Properties></Container>'
            for name in ("c1", "c2")
        )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="https://{escape(request.host)}/">'
            f"<Containers>{containers}</Containers><NextMarker /></EnumerationResults>"
        )
        return 200, xml.encode(), {**headers, "Content-Type": "application/xml"}
    key = f"{request.host}{request.path}"
    if request.method == "PUT":
        with cloud._state.lock:
            cloud._state.blobs[key] = body
        return 201, b"", {**headers, "Content-MD5": "", "x-ms-request-server-encrypted": "true"}
    with cloud._state.lock:
        content = cloud._state.blobs.get(key)
    if content is None:
        return 404, b"", {**headers, "x-ms-error-code": "BlobNotFound"}
    return (
        200,
        content,
        {
            **headers,
            "Content-Type": "application/octet-stream",
            "x-ms-blob-type": "BlockBlob",
            "Content-Range": f"bytes 0-{max(len(content) - 1, 0)}/{len(content)}",
        },
    )


def _log_analytics(cloud: FakeCloud, request: RecordedRequest) -> Answer:
    """A workspace query: one table with the workspace and the scope the token was for."""
    scope = _scope(cloud, request)
    if scope != f"https://{request.host}/.default":
        return _unauthorized(f"a token for https://{request.host}")
    workspace = request.path.split("/")[3]
    table = {
        "name": "PrimaryResult",
        "columns": [{"name": "workspace", "type": "string"}, {"name": "scope", "type": "string"}],
        "rows": [[workspace, scope]],
    }
    return 200, {"tables": [table]}, {}


def _graph(cloud: FakeCloud, request: RecordedRequest) -> Answer:
    """Microsoft Graph's users, for a token for this Graph root (its own host's scope)."""
    if _scope(cloud, request) != f"https://{request.host}/.default":
        return _unauthorized(f"a token for https://{request.host}")
    if request.path != "/v1.0/users":
        return 404, {"error": {"code": "Request_ResourceNotFound", "message": request.path}}, {}
    users = [
        {"id": f"00000000-0000-4000-8000-00000000000{index}", "displayName": f"Fake User {index}"}
        for index in (1, 2)
    ]
    return 200, {"@odata.context": f"https://{request.host}/v1.0/$metadata#users", "value": users}, {}


_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"
