"""``azenvcloud check --all``: the default and every declared configuration checked, one line each
(its name, status, cloud and first problem), the process-wide inputs that apply to all of them
printed once, exiting with the worst status of its lines.

Each configuration is checked as ``check --configuration NAME`` checks it (offline, then with
``--online`` a token from its own credential and its subscriptions); one that does not resolve is
its line's error, never the end of the others'. The worst status: a configuration error (2; under
``--strict`` a warning too) before an authentication or network failure (3) before fine (0). A
malformed ``AZENVCLOUD_CONFIGURATIONS`` is a configuration error of the whole command.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

from .._cloud_selection import SDK_CLOUD_CONF, SDK_CLOUDS
from .._configuration_names import DECLARATION as CONFIGURATIONS_VARIABLE
from .._env_file import choose_env_file, read_env_file
from .._errors import ConfigurationError, MetadataUnavailableError, redact_url
from .._identity_inputs import AT_CONSTRUCTION, AT_REQUEST, SECRETS
from .._named_settings import declared_names
from .._settings import Settings
from .._variables import ALL, declaration_of
from ._configurations import Target, chosen_env_file
from ._output import EXIT_CONFIGURATION, EXIT_OK, EXIT_UNREACHABLE, Unreachable, one_line, write_rows
from .check import checked, go_online, strict_failure
from .show import env_file_report

__all__ = ["AllFailed", "run"]

_CONFIGURATION_ERROR = "configuration error"
_UNREACHABLE = "network or authentication failure"
# Each status word, its exit status and its rank (the worst line decides).
_RANK = {"ok": 0, "warnings": 1, "unreachable": 2, "error": 3}
# The proxy variables every HTTP library of the process reads (requests, aiohttp, urllib).
_PROXIES = tuple(
    spelling
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
    for spelling in (name, name.lower())
)
# azure-identity's inputs it reads from the process environment for every credential, whatever
# configuration built it (azenvcloud/_identity_inputs.py): those not declared per configuration.
_IDENTITY_PROCESS = tuple(
    name for name in (*AT_CONSTRUCTION, *AT_REQUEST, *SECRETS) if declaration_of(name) is None
)
# The declarations of one value for the whole process (the .env file, azure-core's switch, the
# CAs, the exporter's switches); the Azure CLI's alias and other tools' cloud selectors are the
# default configuration's alone (shown on its line's warnings); AZENVCLOUD_ENV_FILE is the .env
# file's row (and --env-file / --no-env-file set it while the command runs).
_DECLARED_PROCESS = tuple(
    variable.name
    for variable in ALL
    if variable.scope == "process"
    and variable.pattern is None
    and variable.use not in ("alias", "cloud selector", "env file")
)


class AllFailed(ConfigurationError):
    """A line of ``check --all`` is a configuration error (exit 2); ``report`` is its document."""

    def __init__(self, message: str, report: dict[str, Any], variables: tuple[str, ...] = ()) -> None:
        super().__init__(message, variables=variables)
        self.report = report


class _Unreached(Unreachable):
    """A line of ``check --all`` failed online (exit 3); ``report`` is its document."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class _EnvFileRead:
    """What ``env_file_report`` needs of settings when the default's do not resolve."""

    env_file: str | None


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    with chosen_env_file(arguments):
        return _run(arguments, out)


def _run(arguments: argparse.Namespace, out: TextIO) -> int:
    targets = [Target(None), *(Target(name) for name in declared_names())]  # a bad declaration: exit 2
    entries: dict[str, dict[str, Any]] = {}
    built: dict[str, tuple[Settings, Any]] = {}
    for target in targets:
        try:
            settings, credential, report = checked(target, arguments)
        except ConfigurationError as exc:
            entries[target.label] = _failed(target, exc)
            continue
        entries[target.label] = report
        built[target.label] = (settings, credential)
    _route_warnings(targets, entries)
    for target in targets:
        entry = entries[target.label]
        if "status" in entry:
            continue
        entry["status"] = "warnings" if entry["warnings"] else "ok"
        if arguments.strict and entry["warnings"]:
            entry["configuration"] = "warnings"
            continue
        if arguments.online:
            settings, credential = built[target.label]
            try:
                go_online(target, settings, credential, entry, None)
            except Unreachable as exc:
                entry.update(
                    status="unreachable", error={"kind": _UNREACHABLE, "message": str(exc), "variables": []}
                )
    default = built.get(Target(None).label)
    process, env_text = _process(arguments, default[0] if default else None)
    document = {
        "status": max((entry["status"] for entry in entries.values()), key=_RANK.__getitem__),
        "exit_status": EXIT_OK,
        "configurations": entries,
        "process": process,
        "notes": _notes(entries),
    }
    failing = [entry for entry in entries.values() if _exit_of(entry, strict=arguments.strict) != EXIT_OK]
    worst = min((_exit_of(entry, strict=arguments.strict) for entry in failing), default=EXIT_OK)
    document["exit_status"] = worst
    if not arguments.json:
        _write(document, env_text, out, strict=arguments.strict)
        out.flush()  # the lines before the error line
    if worst == EXIT_OK:
        if arguments.json:
            out.write(json.dumps(document, indent=2) + "\n")  # one write: a secret is never split
        return EXIT_OK
    first = next(entry for entry in failing if _exit_of(entry, strict=arguments.strict) == worst)
    message = (
        f"{len(failing)} of {len(entries)} configurations not ok; "
        f"{first['name']}: {_problem(first, arguments.strict)}"
    )
    if worst == EXIT_UNREACHABLE:
        raise _Unreached(message, document)
    raise AllFailed(message, document, tuple(first.get("error", {}).get("variables", ())))


def _failed(target: Target, exc: ConfigurationError) -> dict[str, Any]:
    unreachable = isinstance(exc, MetadataUnavailableError)  # the metadata endpoint did not answer
    return {
        "name": target.label,
        "status": "unreachable" if unreachable else "error",
        "cloud_name": None,
        "error": {
            "kind": _UNREACHABLE if unreachable else _CONFIGURATION_ERROR,
            "message": str(exc),
            "variables": list(exc.variables),
        },
    }


def _route_warnings(targets: list[Target], entries: dict[str, dict[str, Any]]) -> None:
    """The typo check runs with the default's resolution, for every prefix: a warning about a
    named configuration's variable (``GOV_AZURE_CLUOD ...``) goes to that configuration's line."""
    default = entries[Target(None).label]
    if "warnings" not in default:
        return
    for target in targets[1:]:
        entry = entries[target.label]
        if "warnings" not in entry:  # its line is an error: the default's line keeps the clue
            continue
        own = target.own_warnings(default["warnings"])
        default["warnings"] = [warning for warning in default["warnings"] if warning not in own]
        entry["warnings"] += own


def _exit_of(entry: dict[str, Any], *, strict: bool) -> int:
    status = entry["status"]
    if status == "error" or (strict and status == "warnings"):
        return EXIT_CONFIGURATION
    return EXIT_UNREACHABLE if status == "unreachable" else EXIT_OK


def _problem(entry: dict[str, Any], strict: bool) -> str:
    """The first problem of a line, or what went right."""
    if "error" in entry:
        return one_line(entry["error"]["message"])
    if entry["warnings"]:
        refused = strict_failure(entry) if strict else None
        return refused or one_line(entry["warnings"][0])
    if "subscriptions" in entry:
        listed = len(entry["subscriptions"]["listed"])
        found = entry["token"]["credential"] or "the token store"
        return f"token from {found}, {listed} subscription{'' if listed == 1 else 's'} listed"
    return f"first credential {entry['first_credential']}"


def _process(arguments: argparse.Namespace, settings: Settings | None) -> tuple[dict[str, Any], str]:
    """The inputs of the whole process, for every configuration: the ``.env`` file and each
    process-wide variable that is set (a secret's value hidden, a proxy's credentials redacted);
    and the ``.env`` file in words."""
    if settings is None:  # the default does not resolve: which file every configuration reads
        chosen = choose_env_file(None)
        settings = cast(Settings, _EnvFileRead(str(chosen.resolve()) if chosen is not None else None))
    env_file = env_file_report(settings, arguments)
    variables: dict[str, dict[str, Any]] = {}
    for name in (*_DECLARED_PROCESS, *_IDENTITY_PROCESS, *_PROXIES):
        value = os.environ.get(name, "").strip()
        source = "environment"
        if not value and name == CONFIGURATIONS_VARIABLE:
            value, source = _declared_in_env_file(settings.env_file)
        if value:
            hidden = name in SECRETS
            variables[name] = {
                "value": None if hidden else redact_url(value),
                "hidden": hidden,
                "source": source,
            }
    document = {
        "env_file": env_file["read"],
        "env_file_looked_for": env_file["looked_for"],
        "variables": variables,
    }
    return document, env_file["text"]


def _declared_in_env_file(path: str | None) -> tuple[str, str]:
    if path is None:
        return "", ""
    return read_env_file(Path(path)).values.get(CONFIGURATIONS_VARIABLE, "").strip(), f".env file {path}"


def _notes(entries: dict[str, dict[str, Any]]) -> list[str]:
    """``AZURE_SDK_CLOUD_CONF`` is checked against the default configuration only: a named one of
    another cloud gets its ``cloud_setting`` from azenvcloud, but a client of its built by hand
    without one would go to the switch's cloud."""
    raw = os.environ.get(SDK_CLOUD_CONF, "").strip()
    selected = SDK_CLOUDS.get(raw)
    if selected is None:
        return []
    others = [
        f"{name} ({entry['cloud_name']})"
        for name, entry in entries.items()
        if name != Target(None).label and entry.get("cloud_name") not in (None, selected)
    ]
    if not others:
        return []
    return [
        f"{SDK_CLOUD_CONF}={raw} selects {selected} for every Azure SDK client built without cloud_setting, "
        f"but {', '.join(others)} {'is' if len(others) == 1 else 'are'} of another cloud: azenvcloud gives "
        "their clients their own cloud_setting; a client of theirs built by hand must be given it too"
    ]


def _write(document: dict[str, Any], env_text: str, out: TextIO, *, strict: bool) -> None:
    entries = document["configurations"]
    write_rows(
        out,
        [
            (name, f"{entry['status']:<11}  {_cloud(entry):<17}  {_problem(entry, strict)}")
            for name, entry in entries.items()
        ],
        indent="",
    )
    process = document["process"]
    out.write("for every configuration (process-wide):\n")
    rows = [(".env file", env_text)]
    for name, item in process["variables"].items():
        shown = "(set, value hidden)" if item["hidden"] else item["value"]
        rows.append((name, shown if item["source"] == "environment" else f"{shown}  <- {item['source']}"))
    write_rows(out, rows)
    for note in document["notes"]:
        out.write(f"note: {note}\n")


def _cloud(entry: dict[str, Any]) -> str:
    return str(entry.get("cloud_name") or "(unresolved)")
