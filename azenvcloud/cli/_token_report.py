"""What ``show`` says about the token store: whether and where tokens are kept, and which
credentials of the chain can use it."""

from __future__ import annotations

import os
from typing import Any

from .._token_store import STORABLE, folder_refusal, token_folder
from ..settings import Settings

__all__ = ["token_store_line", "token_store_report"]

# How the chain names the credentials whose tokens may be kept (EnvironmentCredential: with a
# secret or a certificate).
_CHAIN_NAMES = ("EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential")


def token_store_report(settings: Settings, chain: list[tuple[str, str]]) -> dict[str, Any]:
    """Whether and where tokens are kept, and which credentials of ``chain`` can use the store."""
    folder = token_folder(settings.metadata_cache_dir)
    on = settings.token_cache != "off"  # noqa: S105 - a mode
    return {
        "mode": settings.token_cache,
        "folder": str(folder) if on else None,
        "refused": folder_refusal(folder) if on else None,  # the store's own checks, read-only
        "credentials": [name for name, _ in chain if name in _CHAIN_NAMES and _kept(name)],
        "kept": sorted(STORABLE),
    }


def _kept(name: str) -> bool:
    # EnvironmentCredential wraps a secret or a certificate (kept) before a user name and
    # password (UsernamePasswordCredential: never kept), as azure-identity chooses.
    if name != "EnvironmentCredential":
        return True
    return bool(os.environ.get("AZURE_CLIENT_SECRET") or os.environ.get("AZURE_CLIENT_CERTIFICATE_PATH"))


def token_store_line(report: dict[str, Any]) -> str:
    """One line for ``show``."""
    if report["folder"] and report.get("refused"):
        where = (
            f"NOT kept on disk: the store refuses {report['folder']} ({report['refused']}); "
            "kept in memory only"
        )
    elif report["folder"]:
        where = f"kept unencrypted in {report['folder']} (readable by you alone)"
    else:
        where = "kept in memory only (a forked worker inherits them)"
    users = ", ".join(report["credentials"]) or "none in this chain (developer tools are never stored)"
    return f"tokens: {where}; used by: {users}\n"
