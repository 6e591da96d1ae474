"""The ``azenvcloud`` command line: what configuration this process will really use, and why.

Commands: ``show`` (the default), ``clouds``, ``check [--online] [--strict]``, ``env``, ``demo``,
``cache`` and ``tenant``.
Exit status: 0 fine, 2 configuration error, 3 authentication or network failure (an
unreachable metadata endpoint included), 64 a usage error. Errors are one line on stderr (and
a JSON object on stdout with ``--json``); ``--debug``, before or after the command, shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from .._errors import ConfigurationError, MetadataUnavailableError
from .._version import __version__
from . import _check_all, cache, check, clouds, demo, env, show, tenant
from ._output import EXIT_CONFIGURATION, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, Redacted, Unreachable

__all__ = ["main"]


def _check(arguments: argparse.Namespace, out: TextIO) -> int:
    return (_check_all.run if arguments.all else check.run)(arguments, out)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "show": show.run,
    "clouds": clouds.run,
    "check": _check,
    "env": env.run,
    "demo": demo.run,
    "cache": cache.run,
    "tenant": tenant.run,
}


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with the usage status (64) rather than the configuration error's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    # --debug is accepted before and after the command: on each subcommand too, without a
    # default there, so that it does not undo one given before.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks instead of one-line errors",
    )
    parser = _Parser(
        prog="azenvcloud",
        description="Keep the Azure authority, Resource Manager endpoint and token scope in step: show "
        "the configuration this process resolves and where each value came from, check it, and try it "
        "against a local fake cloud. Exit status: 0 fine, 2 configuration error, 3 authentication or "
        "network failure, 64 usage error.",
        parents=[debug],
    )
    parser.add_argument("--version", action="version", version=f"azenvcloud {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (show, clouds, check, env, demo, cache, tenant):
        module.add_parser(commands, parents=[debug])
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
    debug = getattr(arguments, "debug", False)
    _configure_logging(debug)
    # Every line a command writes, and every error, goes through one redacting writer.
    out: TextIO = Redacted(sys.stdout)  # type: ignore[assignment]  # a TextIO for every use
    err: TextIO = Redacted(sys.stderr)  # type: ignore[assignment]
    try:
        return _COMMANDS[arguments.command](arguments, out)
    except (ConfigurationError, Unreachable) as exc:
        if debug:
            raise
        unreachable = isinstance(exc, (Unreachable, MetadataUnavailableError))
        kind = "network or authentication failure" if unreachable else "configuration error"
        if getattr(arguments, "json", False):
            variables = list(getattr(exc, "variables", ()))
            # A report the command had made before the error (check --strict) keeps its place.
            document = {
                **getattr(exc, "report", {}),
                "error": {"kind": kind, "message": str(exc), "variables": variables},
            }
            out.write(json.dumps(document, indent=2) + "\n")  # one write: a secret is never split
        prefix = "" if isinstance(exc, Unreachable) else f"{kind}: "
        err.write(f"azenvcloud: {prefix}{exc}\n")
        return EXIT_UNREACHABLE if unreachable else EXIT_CONFIGURATION
    except BrokenPipeError:
        # The reader (| head) went away; say nothing more, as other Unix tools do.
        sys.stderr.close()
        return EXIT_OK
