"""Storage: blobs, queues, file shares, Data Lake and tables (azure-storage-*, azure-data-tables).

Each account's service has its own host, ``https://{account}.{blob|queue|file|dfs|table}.{storage
suffix}``, and every cloud's token audience is ``https://storage.azure.com`` (the SDKs' own
``audience=``; ``storage.azure.cn`` and ``storage.azure.us`` are refused by Entra ID,
Azure/azure-sdk-for-go PR #25534). A file share client with a token credential requires
``token_intent="backup"`` (azure-storage-file-share ``_share_service_client.py``).
"""

from __future__ import annotations

from types import MappingProxyType

from ._recipe import Recipe

__all__ = ["RECIPES"]

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
