"""``azenvcloud show``: every resolved value with its source, and who will ask for tokens."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from .._cloud_selection import SDK_CLOUD_CONF, SDK_CLOUD_KEY
from .._configuration_names import DECLARATION as CONFIGURATIONS_VARIABLE
from .._configuration_names import prefix_of
from .._credentials import identity_variable_sources
from .._env_file import ENV_FILE_VARIABLE, NO_ENV_FILE, require_env_file
from .._errors import ConfigurationError, quote_value, redact_url
from .._parsers import find_control_character
from .._provenance import IDENTITY_VARIABLES, VARIABLES
from .._services import ServiceRow, services_report
from .._settings import Settings, configure, get_settings
from .._variables import names
from .._version import __version__
from ._chain import first_ready
from ._configurations import Target, add_configuration_option, chosen_env_file, declarations, target_of
from ._output import EXIT_OK, write_rows
from ._token_report import token_store_line, token_store_report

__all__ = [
    "add_env_file_option",
    "add_parser",
    "configuration_warnings",
    "env_file_report",
    "identity_variables",
    "identity_warnings",
    "load_settings",
    "run",
]

# What is shown, in order: every setting in its declared order (azenvcloud._variables), the
# credential scopes right after the audience they derive from. A setting's label is its variable.
ORDER = tuple(
    shown
    for field in VARIABLES
    for shown in ((field, "credential_scopes") if field == "audience" else (field,))
)
_LABELS = {**VARIABLES, "credential_scopes": "(credential scopes)", SDK_CLOUD_KEY: SDK_CLOUD_CONF}


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "show",
        **options,
        help="the resolved configuration with the source of every value (the default command)",
        description="Show the configuration this process resolves, where each value came from, which "
        "azure-identity variables are set (never their secret values) and which credential will answer.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_configuration_option(parser)
    add_env_file_option(parser)


def add_env_file_option(parser: argparse.ArgumentParser) -> None:
    files = parser.add_mutually_exclusive_group()
    files.add_argument(
        "--env-file", metavar="PATH", help="read this .env file instead of ./.env (or AZENVCLOUD_ENV_FILE)"
    )
    files.add_argument("--no-env-file", action="store_true", help="read no .env file at all")


def load_settings(arguments: argparse.Namespace) -> Settings:
    """The process's settings as the getters will use them (``--env-file`` configured first)."""
    if arguments.no_env_file:
        return configure(_env_file=False)
    if arguments.env_file:
        require_env_file(
            arguments.env_file,
            shown=f"--env-file {quote_value(arguments.env_file)}",
            accepted="the path of an existing .env file; --no-env-file reads none",
        )
        return configure(_env_file=arguments.env_file)
    return get_settings()


def env_file_report(settings: Settings, arguments: argparse.Namespace) -> dict[str, Any]:
    """The .env file read and the one looked for, as ``show`` and ``check`` say it:
    ``{"read": path or None, "looked_for": path or None, "text": words}``."""
    if getattr(arguments, "no_env_file", False):
        return {"read": None, "looked_for": None, "text": "(none read: --no-env-file)"}
    named = os.environ.get(ENV_FILE_VARIABLE, "").strip()
    named_by: str | None = None
    if getattr(arguments, "env_file", None):
        looked_for, named_by = os.path.abspath(arguments.env_file), "--env-file"
    elif named.lower() == NO_ENV_FILE:
        return {"read": None, "looked_for": None, "text": f"(none read: {ENV_FILE_VARIABLE}={NO_ENV_FILE})"}
    elif named:
        looked_for, named_by = os.path.abspath(named), ENV_FILE_VARIABLE
    else:
        looked_for = os.path.abspath(".env")
    read = settings.env_file
    if read is None:
        text = f"(none read: no {looked_for})"
    elif named_by is None:
        text = f"{read} (found in the working directory)"
    else:
        text = f"{read} (named by {named_by})"
    return {"read": read, "looked_for": looked_for, "text": text}


def identity_variables(settings: Settings) -> dict[str, dict[str, Any]]:
    """The azure-identity variables that are set, each with its source; a secret's value is never
    read into the result (``"hidden": true`` and ``"value": null`` instead)."""
    found = {}
    for name, source in identity_variable_sources(settings).items():
        value = os.environ.get(name, "").strip() or settings._identity_from_env_file.get(name, "").strip()
        if find_control_character(value) is not None:
            value = quote_value(value)  # shown, not obeyed: an escape sequence must not reach the terminal
        hidden = IDENTITY_VARIABLES[name]
        found[name] = {"value": None if hidden else value, "hidden": hidden, "source": source}
    return found


def identity_warnings(identity: dict[str, dict[str, Any]]) -> list[str]:
    """Warnings about the identity variables: one credential's values from two places."""
    origins: dict[str, list[str]] = {}
    for name, item in identity.items():
        # A selector is not part of an identity; a value azenvcloud derived (the ADFS tenant) is
        # nobody's second place.
        if name != "AZURE_TOKEN_CREDENTIALS" and not item["source"].startswith("derived"):
            origins.setdefault(item["source"], []).append(name)
    if len(origins) < 2:
        return []
    parts = "; ".join(f"{', '.join(names)} from the {where}" for where, names in origins.items())
    return [
        f"the azure-identity variables come from more than one place ({parts}): azure-identity pairs "
        "them into one credential, such as a deployment's client ID with a developer's secret. Keep "
        "one identity's variables in one place."
    ]


def configuration_warnings(
    settings: Settings, identity: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """Every warning ``show`` and ``check`` print: what resolving noticed (a variable name that
    is almost azenvcloud's, another tool's cloud selector, an expired metadata copy in use) and
    the identity variables' (call it once the credential is built: it exports them; ``identity``:
    :func:`identity_variables`, when the caller already has it)."""
    if identity is None:
        identity = identity_variables(settings)
    return [*settings.warnings, *identity_warnings(identity)]


def _values(settings: Settings) -> dict[str, dict[str, Any]]:
    shown: dict[str, dict[str, Any]] = {}
    for field in ORDER:
        value: Any = settings.cloud_name if field == "cloud" else getattr(settings, field)
        if isinstance(value, str):
            value = redact_url(value)  # a metadata URL's query (a SAS signature) never leaves
        if isinstance(value, tuple):
            value = list(value) or None
        source = settings.sources.get(field)
        if field == "metadata_cache_dir" and value is None:
            from .._metadata_cache import default_folder

            value = str(default_folder())  # the folder itself, not a description of it
        shown[field] = {"value": value, "source": str(source) if source else "not set"}
    sdk = settings.sources.get(SDK_CLOUD_KEY)
    if sdk is not None:  # azure-core's own switch, checked to name the resolved cloud
        shown[SDK_CLOUD_KEY] = {"value": os.environ.get(sdk.detail, ""), "source": str(sdk)}
    return shown


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    with chosen_env_file(arguments):
        return _run(target_of(arguments), arguments, out)


def _run(target: Target, arguments: argparse.Namespace, out: TextIO) -> int:
    try:
        settings = load_settings(arguments) if target.name is None else target.named_settings()
        credential = target.credential()  # the default's exports azure-identity's variables from .env
    except ConfigurationError as exc:
        raise target.error(exc) from None
    env_file = env_file_report(settings, arguments)
    values = _values(settings)
    chain = target.chain(credential)
    identity = identity_variables(settings) if target.name is None else target.identity_variables(settings)
    declared, more = declarations(target)
    warnings = [*configuration_warnings(settings, identity), *more]
    if arguments.json:
        document = {
            "name": target.label,
            "cloud_name": settings.cloud_name,
            "values": values,
            "env_file": env_file["read"],
            "env_file_looked_for": env_file["looked_for"],
            "identity_variables": identity,
            "credential_chain": [{"credential": name, "status": status} for name, status in chain],
            "first_credential": first_ready(chain),
            "warnings": warnings,
            "services": services_report(settings.cloud, settings.sources),
            "token_store": token_store_report(settings, chain),
            "configurations": list(declared),
        }
        out.write(json.dumps(document, indent=2) + "\n")  # one write: a secret is never split across two
        return EXIT_OK
    which = f"configuration {target.name}: " if target.name else ""
    out.write(f"azenvcloud {__version__}: {which}cloud {settings.cloud_name}\n\n")
    labels = {**_LABELS, **names(prefix_of(target.name)[:-1])} if target.name else _LABELS
    rows: list[tuple[str, str]] = []
    for field, item in values.items():
        if item["value"] is None:
            rows.append((labels[field], "(not set)"))
            if item["source"].startswith("derived"):  # what applies instead, as for the cache folder
                rows.append(("", f"<- {item['source']}"))
        else:
            rows += [(labels[field], _text(item["value"])), ("", f"<- {item['source']}")]
    write_rows(out, rows)
    out.write(f"\n.env file: {env_file['text']}\n")
    if declared:
        out.write(
            f"named configurations: {', '.join(declared)} ({CONFIGURATIONS_VARIABLE}; show --configuration "
            "NAME, check --all)\n"
        )
    if identity:
        out.write("azure-identity variables:\n")
        write_rows(
            out,
            [
                (name, f"{'(set, value hidden)' if item['hidden'] else item['value']}  <- {item['source']}")
                for name, item in identity.items()
            ],
        )
    else:
        out.write("azure-identity variables: (none set)\n")
    for warning in warnings:
        out.write(f"warning: {warning}\n")
    credential_kind = f"a chain of {target.name}'s own identity" if target.name else "DefaultAzureCredential"
    out.write(f"credential: {credential_kind}; first to answer: {first_ready(chain)}\n")
    write_rows(out, chain)
    out.write(token_store_line(token_store_report(settings, chain)))
    lead = prefix_of(target.name) if target.name else ""
    overrides = f"{lead}AZURE_SERVICE_<SERVICE>_SUFFIX / _AUDIENCE / _ENDPOINT"
    out.write(f"data-plane services ({overrides} set them):\n")
    write_rows(out, service_rows(services_report(settings.cloud, settings.sources)))
    return EXIT_OK


def service_rows(report: dict[str, ServiceRow]) -> list[tuple[str, str]]:
    """One row per service: where its hosts are, its audience, and any override's source."""
    rows = []
    for name, row in report.items():
        suffixes = [row["suffix"], *(row["alternative_suffixes"] or [])] if row["suffix"] else []
        where = str(row["endpoint"] or ", ".join(f"*.{suffix}" for suffix in suffixes) or "hosts unknown")
        audience = str(
            row["audience"]
            or ("from the vault's challenge" if name in {"keyvault", "mhsm"} else "audience unknown")
        )
        overridden = [str(value) for key, value in row.items() if key.endswith("_source") and value]
        rows.append((name, "  ".join([where, audience, *overridden])))
    return rows
