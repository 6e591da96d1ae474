"""What ``show`` and ``check`` say about the token store and its folder: whether and where tokens
are kept, which credentials of the chain can use the store, and whether the cache folder can be
used at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError, quote_value
from .._metadata_cache import default_folder
from .._settings import Settings
from .._token_files import folder_refusal, token_folder
from .._token_store import STORABLE
from .._user_files import trusted

__all__ = ["cache_folder_problems", "token_store_line", "token_store_report", "token_store_summary"]

# How the chain names the credentials whose tokens may be kept (EnvironmentCredential: with a
# secret or a certificate; a named configuration's chain holds the secret's or certificate's own).
_CHAIN_NAMES = (
    "EnvironmentCredential",
    "ClientSecretCredential",
    "CertificateCredential",
    "WorkloadIdentityCredential",
    "ManagedIdentityCredential",
)


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


def token_store_summary(report: dict[str, Any]) -> str:
    """Where tokens are kept, in a few words (``check``'s ``tokens`` row)."""
    if report["folder"] and report.get("refused"):
        return (
            f"NOT kept on disk: the store refuses {report['folder']} ({report['refused']}); "
            "kept in memory only"
        )
    if report["folder"]:
        return f"kept unencrypted in {report['folder']} (readable by you alone)"
    return "kept in memory only (a forked worker inherits them)"


def token_store_line(report: dict[str, Any]) -> str:
    """One line for ``show``."""
    users = ", ".join(report["credentials"]) or "none in this chain (developer tools are never stored)"
    return f"tokens: {token_store_summary(report)}; used by: {users}\n"


def cache_folder_problems(settings: Settings) -> list[str]:
    """Warnings about the metadata cache folder (which holds the token store), read-only.

    Raises:
        ConfigurationError: It is not a folder (a file, or a path through a file): nothing can be
            cached there, which the process would only say in a warning at each start.
    """
    named = settings.metadata_cache_dir
    folder = Path(named) if named else default_folder()
    shown = f"AZENVCLOUD_CACHE_DIR={quote_value(named)}" if named else f"The user cache folder {folder}"
    accepted = (
        "Accepted: the path of a folder (it is created when missing), or AZENVCLOUD_CACHE_DIR unset for "
        "the user cache folder."
    )
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return []  # created on first use
    except NotADirectoryError:
        raise ConfigurationError(
            f"{shown} is inside a file, not a folder: the metadata cache and the token store cannot be "
            f"used, so every start fetches the cloud metadata and asks for tokens anew. {accepted}",
            variables=("AZENVCLOUD_CACHE_DIR",),
        ) from None
    except OSError as exc:
        return [f"the metadata cache folder {folder} cannot be used ({exc.strerror or exc})"]
    if not stat.S_ISDIR(info.st_mode) and not stat.S_ISLNK(info.st_mode):
        raise ConfigurationError(
            f"{shown} is a file, not a folder: the metadata cache and the token store cannot be used, so "
            f"every start fetches the cloud metadata and asks for tokens anew. {accepted}",
            variables=("AZENVCLOUD_CACHE_DIR",),
        )
    if not trusted(info, folder=True):
        return [
            f"the metadata cache folder {folder} is not a folder of this user's that only they can write "
            "(a symbolic link, another user's, or writable by others): it is not trusted, and nothing is "
            "cached there"
        ]
    return []
