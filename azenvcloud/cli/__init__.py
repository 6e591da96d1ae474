"""The ``azenvcloud`` command line: what configuration this process will really use, and why.

Commands: ``show`` (the default), ``clouds``, ``check [--online]``, ``env`` and ``demo``.
Exit status: 0 fine, 2 configuration error (or a usage error), 3 authentication or network
failure. Errors are one line on stderr; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .._version import __version__
from ..errors import ConfigurationError
from . import check, clouds, demo, env, show
from ._output import EXIT_CONFIGURATION, EXIT_OK, EXIT_UNREACHABLE, Unreachable

__all__ = ["main"]

_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "show": show.run,
    "clouds": clouds.run,
    "check": check.run,
    "env": env.run,
    "demo": demo.run,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azenvcloud",
        description="Keep the Azure authority, Resource Manager endpoint and token scope in step: show "
        "the configuration this process resolves and where each value came from, check it, and try it "
        "against a local fake cloud. Exit status: 0 fine, 2 configuration error, 3 authentication or "
        "network failure.",
    )
    parser.add_argument("--version", action="version", version=f"azenvcloud {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (show, clouds, check, env, demo):
        module.add_parser(commands)
    return parser


def _configure_logging(debug: bool) -> None:
    # Without a handler, Python prints library warnings through its last-resort handler:
    # azure-identity's multi-line chain report would follow our one-line error. --debug shows
    # warnings from every library and azenvcloud's own debug messages (no secrets in either).
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("azenvcloud").setLevel(logging.DEBUG)
    else:
        logging.getLogger().addHandler(logging.NullHandler())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    given = list(sys.argv[1:] if argv is None else argv)
    arguments = parser.parse_args(given)
    if arguments.command is None:
        arguments = parser.parse_args([*given, "show"])
    _configure_logging(arguments.debug)
    try:
        return _COMMANDS[arguments.command](arguments, sys.stdout)
    except ConfigurationError as exc:
        if arguments.debug:
            raise
        sys.stderr.write(f"azenvcloud: configuration error: {exc}\n")
        return EXIT_CONFIGURATION
    except Unreachable as exc:
        if arguments.debug:
            raise
        sys.stderr.write(f"azenvcloud: {exc}\n")
        return EXIT_UNREACHABLE
    except BrokenPipeError:
        # The reader (| head) went away; say nothing more, as other Unix tools do.
        sys.stderr.close()
        return EXIT_OK
