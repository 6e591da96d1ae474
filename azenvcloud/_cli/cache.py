"""``azenvcloud cache clear``: delete the tokens (and metadata) azenvcloud keeps on disk.

Tokens are kept on disk only with ``AZENVCLOUD_TOKEN_CACHE=unencrypted``; this deletes them
whatever the setting says now, so that a token written before it was turned off goes too. It
works on a configuration that does not resolve as well (clearing is what one does while mending
it): the folder then follows ``AZENVCLOUD_CACHE_DIR`` from the environment, else from a .env file
named with ``--env-file`` or ``AZENVCLOUD_ENV_FILE``, else the user's cache folder; never from an
implicit ``./.env``, which may not set that variable (the trust rule).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO

from .._cache_purge import Purged, purge
from .._env_file import EnvFileChoice, choose_env_file, is_implicit, read_env_file
from .._errors import ConfigurationError
from .._parsers import InvalidValue, parse_cache_dir
from .._provenance import VARIABLES
from .._token_files import token_folder
from ._output import EXIT_OK
from .show import add_env_file_option, load_settings

_CACHE_DIR = VARIABLES["metadata_cache_dir"]

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
    try:
        cache_dir = load_settings(arguments).metadata_cache_dir
    except ConfigurationError:
        cache_dir = _cache_dir_alone(arguments)
        out.write(
            "the configuration does not resolve (`azenvcloud check` says why); clearing the folder "
            f"{_CACHE_DIR} names, else the user's cache folder\n"
        )
    folder = token_folder(cache_dir)
    tokens, documents = purge(cache_dir, metadata=arguments.metadata)  # tokens in memory are forgotten too
    _say(out, tokens, "token(s)", folder)
    if arguments.metadata:
        _say(out, documents, "metadata document(s)", folder.parent)
    return EXIT_OK


def _say(out: TextIO, done: Purged, what: str, folder: Path) -> None:
    """One line for what was deleted, one for a refusal, one for what was left alone."""
    if done.refused:
        out.write(f"deleted nothing from {folder}: {done.refused}\n")
        return
    out.write(f"deleted {done.deleted} {what} from {folder}\n")
    if done.skipped:
        shown = ", ".join(repr(name) for name in done.skipped[:10])
        more = f" and {len(done.skipped) - 10} more" if len(done.skipped) > 10 else ""
        out.write(f"left alone in {folder} (not azenvcloud's own files): {shown}{more}\n")


def _cache_dir_alone(arguments: argparse.Namespace) -> str | None:
    """``AZENVCLOUD_CACHE_DIR`` read on its own, when the whole configuration does not resolve:
    the environment's, else a named .env file's (an implicit ``./.env`` is never asked: it may
    not set this variable), else ``None`` for the user's cache folder.

    Raises:
        ConfigurationError: The value itself is not an absolute folder path (no folder to clear).
    """
    raw = os.environ.get(_CACHE_DIR, "").strip()
    if not raw:
        raw = _named_env_file_value(arguments)
    if not raw:
        return None
    try:
        return parse_cache_dir(raw)
    except InvalidValue as exc:
        raise exc.configuration_error(_CACHE_DIR, raw, variables=(_CACHE_DIR,)) from None


def _named_env_file_value(arguments: argparse.Namespace) -> str:
    """``AZENVCLOUD_CACHE_DIR`` from a .env file somebody named, or ``""``."""
    choice: EnvFileChoice = False if arguments.no_env_file else arguments.env_file
    if is_implicit(choice):
        return ""
    try:
        path = choose_env_file(choice)
        values = read_env_file(path).values if path is not None else {}
    except ConfigurationError:
        return ""  # the file is what is broken: it names no folder
    return values.get(_CACHE_DIR, "").strip()
