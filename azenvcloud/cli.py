"""The ``azenvcloud`` command line: what configuration this process will really use, and why."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ._version import __version__
from .credentials import IDENTITY_VARIABLES
from .errors import ConfigurationError
from .provenance import VARIABLES
from .settings import Settings

__all__ = ["main"]

EXIT_OK = 0
EXIT_CONFIGURATION = 2

# What `show` reports, in order: attribute -> label (the variable that sets it, where one does).
_SHOWN = {**{field: VARIABLES[field] for field in VARIABLES}, "credential_scopes": "(credential scopes)"}
_ORDER = (
    "cloud",
    "authority_host",
    "resource_manager",
    "audience",
    "credential_scopes",
    "subscription_id",
    "disable_instance_discovery",
    "cloud_metadata_url",
    "api_profile",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azenvcloud",
        description="Show the Azure configuration this process resolves, and where each value came from.",
    )
    parser.add_argument("--version", action="version", version=f"azenvcloud {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    show = commands.add_parser(
        "show", help="the resolved configuration with the source of every value (default)"
    )
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.add_argument("--env-file", metavar="PATH", help="read this .env file instead of ./.env")
    return parser


def _values(settings: Settings) -> dict[str, dict[str, Any]]:
    sources = settings.sources
    shown: dict[str, dict[str, Any]] = {}
    for field in _ORDER:
        value: Any = settings.cloud_name if field == "cloud" else getattr(settings, field)
        source = sources.get(field)
        shown[field] = {
            "variable": VARIABLES.get(field),
            "value": value,
            "source": str(source) if source else "not set",
        }
    return shown


def _identity_variables() -> dict[str, str]:
    """Which azure-identity variables are set; secret values are never read into the output."""
    found = {}
    for name, secret in IDENTITY_VARIABLES.items():
        value = os.environ.get(name, "").strip()
        if value:
            found[name] = "(set, value hidden)" if secret else value
    return found


def _show(arguments: argparse.Namespace, out: TextIO) -> int:
    settings = Settings(_env_file=arguments.env_file) if arguments.env_file else Settings()
    values = _values(settings)
    identity = _identity_variables()
    if arguments.json:
        document = {
            "cloud_name": settings.cloud_name,
            "values": {
                name: {"value": item["value"], "source": item["source"]} for name, item in values.items()
            },
            "env_file": settings.env_file,
            "identity_variables": identity,
        }
        json.dump(document, out, indent=2)
        out.write("\n")
        return EXIT_OK
    out.write(f"azenvcloud {__version__}: cloud {settings.cloud_name}\n\n")
    width = max(len(_SHOWN[name]) for name in values)
    for name, item in values.items():
        value = item["value"]
        if value is None:
            out.write(f"  {_SHOWN[name]:<{width}}  (not set)\n")
            continue
        text = (
            ", ".join(value)
            if isinstance(value, list)
            else str(value).lower()
            if isinstance(value, bool)
            else value
        )
        out.write(f"  {_SHOWN[name]:<{width}}  {text}\n  {'':<{width}}  <- {item['source']}\n")
    out.write(f"\n.env file: {settings.env_file or '(none read)'}\n")
    listed = ", ".join(f"{name}={value}" for name, value in identity.items()) or "(none set)"
    out.write(f"azure-identity variables: {listed}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 2 configuration error)."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        arguments = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "show"])
    try:
        return _show(arguments, sys.stdout)
    except ConfigurationError as exc:
        if arguments.debug:
            raise
        sys.stderr.write(f"azenvcloud: configuration error: {exc}\n")
        return EXIT_CONFIGURATION
    except BrokenPipeError:
        # The reader (| head) went away; say nothing more, as other Unix tools do.
        sys.stderr.close()
        return EXIT_OK
