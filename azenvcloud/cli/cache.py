"""``azenvcloud cache clear``: delete the tokens (and metadata) azenvcloud keeps on disk.

Tokens are kept on disk only with ``AZENVCLOUD_TOKEN_CACHE=unencrypted``; this deletes them
whatever the setting says now, so that a token written before it was turned off goes too.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from .._token_store import purge, token_folder
from ._output import EXIT_OK
from .show import add_env_file_option, load_settings

__all__ = ["add_parser", "run"]


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "cache",
        **options,
        help="clear the tokens (and cached metadata) azenvcloud keeps on disk",
        description="Delete what azenvcloud keeps on disk under the metadata cache folder "
        "(AZENVCLOUD_CACHE_DIR, else the user's cache folder): the token store's files "
        "(AZENVCLOUD_TOKEN_CACHE=unencrypted) and, with --metadata, the cached cloud metadata.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    clear = actions.add_parser("clear", help="delete the stored tokens", parents=options.get("parents", []))
    clear.add_argument("--metadata", action="store_true", help="delete the cached metadata documents too")
    add_env_file_option(clear)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(arguments)
    folder = token_folder(settings.metadata_cache_dir)
    deleted = purge(settings.metadata_cache_dir)  # tokens in memory are forgotten too
    out.write(f"deleted {deleted} token(s) from {folder}\n")
    if arguments.metadata:
        documents = list(folder.parent.glob("*.json")) if folder.parent.is_dir() else []
        for path in documents:
            path.unlink(missing_ok=True)
        out.write(f"deleted {len(documents)} metadata document(s) from {folder.parent}\n")
    return EXIT_OK
