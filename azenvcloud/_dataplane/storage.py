"""Storage: blobs, queues, file shares, Data Lake and tables (azure-storage-*, azure-data-tables).

Each account's service has its own host, ``https://{account}.{blob|queue|file|dfs|table}.{storage
suffix}``, and every cloud's token audience is ``https://storage.azure.com`` (the SDKs' own
``audience=``; ``storage.azure.cn`` and ``storage.azure.us`` are refused by Entra ID,
Azure/azure-sdk-for-go PR #25534). A file share client with a token credential requires
``token_intent="backup"`` (azure-storage-file-share ``_share_service_client.py``).
"""

from __future__ import annotations

from types import MappingProxyType

from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES"]

RECIPES = {
    "azure.storage.blob.BlobServiceClient": Recipe(
        service="blob",
        url_argument="account_url",
        name_argument="account",
        audience="audience",
        prefetch=True,
    ),
    "azure.storage.queue.QueueServiceClient": Recipe(
        service="queue", url_argument="account_url", name_argument="account", audience="audience"
    ),
    "azure.storage.fileshare.ShareServiceClient": Recipe(
        service="file",
        url_argument="account_url",
        name_argument="account",
        audience="audience",
        arguments=MappingProxyType({"token_intent": "backup"}),
    ),
    "azure.storage.filedatalake.DataLakeServiceClient": Recipe(
        service="dfs", url_argument="account_url", name_argument="account", audience="audience"
    ),
    "azure.data.tables.TableServiceClient": Recipe(
        service="table", url_argument="endpoint", name_argument="account", audience="audience"
    ),
}


_SCOPE = "https://storage.azure.com/.default"  # every cloud's ([GO2] in _builtin_services.py)
_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"


def _blob(request: FakeRequest) -> Answer:
    """An account's containers (``c1``, ``c2``) and the blobs put into them."""
    if request.scope != _SCOPE:
        return unauthorized(f"a token for {_SCOPE}")
    headers = {"ETag": '"0x1"', "Last-Modified": _DATE}
    if request.query.get("comp") == "list":
        from xml.sax.saxutils import escape  # the fake's alone: not on get_client's path

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
        request.kept[key] = request.body
        return 201, b"", {**headers, "Content-MD5": "", "x-ms-request-server-encrypted": "true"}
    content = request.kept.get(key)
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


FAKE_ROUTES = (
    FakeRoute(
        service="blob",
        matches=lambda host, path: host.count(".") > 1 and host.split(".")[1] == "blob",
        answer=_blob,
    ),
)
