"""What ``azenvcloud cache clear`` deletes: the token store's files and the metadata cache's
documents under the cache folder, and nothing else.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ._token_files import TOKENS_FOLDER, token_folder
from ._token_store import forget

__all__ = ["Purged", "purge"]

# The files the store writes, and so the only ones `cache clear` deletes.
_ENTRY_NAME = re.compile(r"[0-9a-f]{32}\.(?:json|lock)")
_TEMPORARY_NAME = re.compile(r"\.tmp-[A-Za-z0-9_]{1,64}\.json")


@dataclass
class Purged:
    """What :func:`purge` did: entries deleted, names it left alone, and a refusal (or ``None``)."""

    deleted: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: str | None = None


def purge(cache_dir: str | None, *, metadata: bool = False) -> tuple[Purged, Purged]:
    """Delete the token store's files under the metadata cache folder ``cache_dir`` (``None``:
    the user's), and with ``metadata`` the metadata cache's documents; tokens in memory are
    forgotten too. Only the store's own names are deleted (``<32 hex>.json|.lock``, its
    ``.tmp-*.json``; the metadata cache names its files alike), never through a symlinked folder, never a
    sub-folder or another file (those are listed as skipped). Never raises for a file."""
    forget()
    folder = token_folder(cache_dir)
    tokens = _purge_folder(folder, (_ENTRY_NAME, _TEMPORARY_NAME), count=".json", parent=True)
    documents = Purged()
    if metadata:
        # The metadata cache names its files as the store does (<32 hex>.json|.lock, .tmp-*.json).
        documents = _purge_folder(folder.parent, (_ENTRY_NAME, _TEMPORARY_NAME), count=".json", parent=False)
        documents.skipped = [name for name in documents.skipped if name != TOKENS_FOLDER]
    return tokens, documents


def _purge_folder(folder: Path, names: tuple[re.Pattern[str], ...], *, count: str, parent: bool) -> Purged:
    done = Purged()
    flags = (
        os.O_RDONLY
        | getattr(os, "O_DIRECTORY", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        for checked in (folder.parent, folder) if parent else (folder,):
            if stat.S_ISLNK(os.lstat(checked).st_mode):
                done.refused = f"{checked} is a symbolic link (not followed)"
                return done
        descriptor = os.open(folder, flags)
    except FileNotFoundError:
        return done
    except OSError as exc:
        done.refused = f"{folder} cannot be opened ({exc.strerror or exc})"
        return done
    try:
        for name in sorted(os.listdir(descriptor)):
            try:
                info = os.lstat(name, dir_fd=descriptor)
                if not any(pattern.fullmatch(name) for pattern in names) or stat.S_ISDIR(info.st_mode):
                    done.skipped.append(name)
                    continue
                os.unlink(name, dir_fd=descriptor)
            except FileNotFoundError:
                continue
            except OSError:
                done.skipped.append(name)
                continue
            done.deleted += name.endswith(count) and not name.startswith(".")
    except OSError as exc:
        done.refused = f"{folder} cannot be listed ({exc.strerror or exc})"
    finally:
        os.close(descriptor)
    return done
