"""``azenvcloud show``: every resolved value with its source, and who will ask for tokens."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from .._version import __version__
from ..clients import get_credential
from ..credentials import IDENTITY_VARIABLES
from ..provenance import VARIABLES
from ..settings import Settings, configure, get_settings
from ._chain import chain_of, first_ready
from ._output import EXIT_OK, write_rows

__all__ = ["add_env_file_option", "add_parser", "identity_variables", "load_settings", "run"]

# What is shown, in order. A field's label is the variable that sets it, where one does.
ORDER = (
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
_LABELS = {**VARIABLES, "credential_scopes": "(credential scopes)"}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "show",
        help="the resolved configuration with the source of every value (the default command)",
        description="Show the configuration this process resolves, where each value came from, which "
        "azure-identity variables are set (never their secret values) and which credential will answer.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_env_file_option(parser)


def add_env_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-file", metavar="PATH", help="read this .env file instead of ./.env (or AZENVCLOUD_ENV_FILE)"
    )


def load_settings(arguments: argparse.Namespace) -> Settings:
    """The process's settings as the getters will use them (``--env-file`` configured first)."""
    if arguments.env_file:
        return configure(_env_file=arguments.env_file)
    return get_settings()


def identity_variables() -> dict[str, str]:
    """The azure-identity variables that are set; a secret's value is never read into the result."""
    found = {}
    for name, secret in IDENTITY_VARIABLES.items():
        value = os.environ.get(name, "").strip()
        if value:
            found[name] = "(set, value hidden)" if secret else value
    return found


def _values(settings: Settings) -> dict[str, dict[str, Any]]:
    shown: dict[str, dict[str, Any]] = {}
    for field in ORDER:
        value: Any = settings.cloud_name if field == "cloud" else getattr(settings, field)
        source = settings.sources.get(field)
        shown[field] = {"value": value, "source": str(source) if source else "not set"}
    return shown


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(arguments)
    values = _values(settings)
    chain = chain_of(get_credential())  # exports azure-identity's variables from .env as well
    if arguments.json:
        identity = identity_variables()
        document = {
            "cloud_name": settings.cloud_name,
            "values": values,
            "env_file": settings.env_file,
            "identity_variables": identity,
            "credential_chain": [{"credential": name, "status": status} for name, status in chain],
            "first_credential": first_ready(chain),
        }
        json.dump(document, out, indent=2)
        out.write("\n")
        return EXIT_OK
    out.write(f"azenvcloud {__version__}: cloud {settings.cloud_name}\n\n")
    rows: list[tuple[str, str]] = []
    for field, item in values.items():
        if item["value"] is None:
            rows.append((_LABELS[field], "(not set)"))
        else:
            rows += [(_LABELS[field], _text(item["value"])), ("", f"<- {item['source']}")]
    write_rows(out, rows)
    out.write(f"\n.env file: {settings.env_file or '(none read)'}\n")
    listed = ", ".join(f"{name}={value}" for name, value in identity_variables().items()) or "(none set)"
    out.write(f"azure-identity variables: {listed}\n")
    out.write(f"credential: DefaultAzureCredential; first to answer: {first_ready(chain)}\n")
    write_rows(out, chain)
    return EXIT_OK
