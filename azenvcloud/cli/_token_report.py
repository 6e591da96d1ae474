"""What ``show`` says about the token store: whether and where tokens are kept, and which
credentials of the chain can use it."""

from __future__ import annotations

from typing import Any

from .._token_store import STORABLE, token_folder
from ..settings import Settings

__all__ = ["token_store_line", "token_store_report"]

# How the chain names the credentials whose tokens may be kept (EnvironmentCredential: with a
# secret or a certificate).
_CHAIN_NAMES = ("EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential")


def token_store_report(settings: Settings, chain: list[tuple[str, str]]) -> dict[str, Any]:
    """Whether and where tokens are kept, and which credentials of ``chain`` can use the store."""
    folder = token_folder(settings.metadata_cache_dir)
    return {
        "mode": settings.token_cache,
        "folder": str(folder) if settings.token_cache != "off" else None,  # noqa: S105 - a mode
        "credentials": [name for name, _ in chain if name in _CHAIN_NAMES],
        "kept": sorted(STORABLE),
    }


def token_store_line(report: dict[str, Any]) -> str:
    """One line for ``show``."""
    where = (
        f"kept unencrypted in {report['folder']} (readable by you alone)"
        if report["folder"]
        else "kept in memory only (a forked worker inherits them)"
    )
    users = ", ".join(report["credentials"]) or "none in this chain (developer tools are never stored)"
    return f"tokens: {where}; used by: {users}\n"
