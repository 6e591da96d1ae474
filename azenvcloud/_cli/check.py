"""``azenvcloud check [--online] [--strict]``: is the configuration usable, and does Azure agree?

Offline it builds what the process would build (settings, credential, clients) without a
request, and reports what a start-up probe needs: the cloud, the ``.env`` file it looked at, the
token store and every warning. ``--strict`` makes any warning a configuration error (exit 2).
``--online`` then asks the credential chain for a token for the Resource Manager scope and lists
the subscriptions the identity sees, timing each step.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from .._clients import offline
from .._dataplane.applicationinsights import completed_connection_string
from .._errors import ConfigurationError
from .._failure_hints import ca_hint, plain_network_message, sign_in_hint
from .._settings import Settings
from ._chain import answered_by, first_ready, successful_credential
from ._configurations import Target, add_configuration_option, chosen_env_file, declarations, target_of
from ._output import EXIT_OK, Unreachable, one_line, write_rows
from ._token_report import cache_folder_problems, token_store_report, token_store_summary
from .show import add_env_file_option, configuration_warnings, env_file_report, load_settings

__all__ = [
    "StrictFailure",
    "add_parser",
    "checked",
    "count",
    "go_online",
    "offline_report",
    "run",
    "strict_failure",
]

T = TypeVar("T")
_STEP_WIDTH = len("subscriptions")


class StrictFailure(ConfigurationError):
    """``check --strict`` found warnings: a configuration error (exit 2). ``report`` is what
    ``check --json`` prints, the error added to it."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message)
        self.report = report


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "check",
        **options,
        help="validate the configuration; --online also gets a token and lists subscriptions",
        description="Validate the configuration by building the credential and clients the process "
        "would use, and report the .env file looked at and the token store. Exit status: 0 fine, "
        "2 configuration error (with --strict: any warning too), 3 authentication or network failure.",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="get a token for the Resource Manager scope and list subscriptions, timing each step",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat every warning as a configuration error (exit 2): for init containers and CI",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (errors too)")
    which = parser.add_mutually_exclusive_group()
    add_configuration_option(which)
    which.add_argument(
        "--all",
        action="store_true",
        help="check the default and every declared configuration, one line each; exit with the worst "
        "status of the lines",
    )
    add_env_file_option(parser)


def offline_report(
    settings: Settings, credential: Any, env_file: dict[str, Any], target: Target | None = None
) -> dict[str, Any]:
    """What ``check`` says without a request, for one configuration (``credential``: the one built
    from ``settings``; ``env_file``: :func:`~azenvcloud._cli.show.env_file_report`; ``target``: which
    configuration, the default without it).

    Raises:
        ConfigurationError: The metadata cache folder is not a folder (a file, say).
    """
    target = target or Target(None)
    chain = target.chain(credential)
    tokens = token_store_report(settings, chain)
    try:
        cache_warnings = cache_folder_problems(settings)  # raises for a cache folder that is a file
    except ConfigurationError as exc:
        raise target.error(exc) from None
    store_warnings = (
        [f"the token store is on but refuses {tokens['folder']} ({tokens['refused']}): kept in memory only"]
        if tokens["refused"]
        else []
    )
    identity = target.identity_variables(settings) if target.name else None
    return {
        "name": target.label,
        "configuration": "ok",
        "cloud_name": settings.cloud_name,
        "authority_host": settings.authority_host,
        "resource_manager": settings.resource_manager,
        "scope": settings.credential_scopes[0],
        "subscription_id": settings.subscription_id,
        "first_credential": first_ready(chain),
        "env_file": env_file["read"],
        "env_file_looked_for": env_file["looked_for"],
        "token_store": tokens,
        "warnings": [*configuration_warnings(settings, identity), *cache_warnings, *store_warnings],
    }


def checked(target: Target, arguments: argparse.Namespace) -> tuple[Settings, Any, dict[str, Any]]:
    """Build what the process would build for ``target`` (settings, credential, clients), contacting
    nobody, and say what :func:`offline_report` says about it.

    Raises:
        ConfigurationError: It is not usable (naming its own variables), its Application Insights
            connection string included (as ``azenvcloud.telemetry`` would refuse it).
    """
    settings = load_settings(arguments) if target.name is None else target.named_settings()
    try:
        with offline():  # built to validate them: nothing is contacted without --online
            credential = target.credential()
            target.subscription_client()
            if settings.subscription_id is not None:
                target.resource_client()
        if settings.applicationinsights_connection_string is not None:
            completed_connection_string(settings)  # telemetry's own judge of its hosts and audience
    except ConfigurationError as exc:
        raise target.error(exc) from None
    report = offline_report(settings, credential, env_file_report(settings, arguments), target)
    return settings, credential, report


def strict_failure(report: dict[str, Any]) -> str | None:
    """Why ``--strict`` refuses the configuration ``report`` describes, or ``None``."""
    warnings = report["warnings"]
    if not warnings:
        return None
    there = count(warnings)
    return f"--strict makes warnings configuration errors, and there {there}; the first: {warnings[0]}"


def count(warnings: list[str]) -> str:
    """``is 1 warning`` / ``are 3 warnings``."""
    return "is 1 warning" if len(warnings) == 1 else f"are {len(warnings)} warnings"


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    with chosen_env_file(arguments):
        return _run(target_of(arguments), arguments, out)


def _run(target: Target, arguments: argparse.Namespace, out: TextIO) -> int:
    settings, credential, report = checked(target, arguments)
    report["warnings"] += declarations(target)[1]
    refused = strict_failure(report) if arguments.strict else None
    if refused is not None:
        report["configuration"] = "warnings"
    text = not arguments.json
    if text:
        verdict = "ok" if refused is None else f"not ok under --strict (there {count(report['warnings'])})"
        which = f" {target.name}" if target.name else ""
        out.write(f"configuration{which}: {verdict}, cloud {settings.cloud_name}\n")
        for warning in report["warnings"]:
            out.write(f"warning: {warning}\n")
        unset = f"(not set; {target.variable('AZURE_SUBSCRIPTION_ID')})"
        write_rows(
            out,
            [
                ("authority", settings.authority_host),
                ("resource manager", settings.resource_manager),
                ("scope", report["scope"]),
                ("subscription", settings.subscription_id or unset),
                ("first credential", report["first_credential"]),
                (".env file", env_file_report(settings, arguments)["text"]),
                ("tokens", token_store_summary(report["token_store"])),
            ],
        )
    if refused is not None:
        out.flush()  # the report before the error line
        raise StrictFailure(refused, report)
    if arguments.online:
        go_online(target, settings, credential, report, out if text else None)
    elif text:
        out.write("not contacted: add --online to get a token and list subscriptions\n")
    if not text:
        _dump(report, out)
    return EXIT_OK


def go_online(
    target: Target, settings: Settings, credential: Any, report: dict[str, Any], out: TextIO | None
) -> None:
    """Get a token for the Resource Manager scope with ``target``'s credential and list the
    subscriptions it sees, timing each step, into ``report`` (and as text on ``out``).

    Raises:
        Unreachable: A step failed (exit 3).
    """
    scope = report["scope"]
    if out:
        out.write("online:\n")
        out.flush()
    started = time.perf_counter()
    _call("getting a token", lambda: credential.get_token(scope), settings)
    token_seconds = time.perf_counter() - started
    answered, from_store = answered_by(credential)
    report["token"] = {
        "seconds": round(token_seconds, 3),
        "credential": answered,
        "from_token_store": from_store,
        "scope": scope,
    }
    if out:
        source = successful_credential(credential)
        write_rows(
            out, [("token", f"ok in {token_seconds:.3f} s from {source} for {scope}")], width=_STEP_WIDTH
        )
        out.flush()
    started = time.perf_counter()
    subscriptions = _call(
        "listing subscriptions", lambda: list(target.subscription_client().subscriptions.list()), settings
    )
    listing_seconds = time.perf_counter() - started
    listed = [
        {"subscription_id": item.subscription_id, "display_name": item.display_name} for item in subscriptions
    ]
    report["subscriptions"] = {"seconds": round(listing_seconds, 3), "listed": listed}
    missing = settings.subscription_id is not None and settings.subscription_id not in {
        item["subscription_id"] for item in listed
    }
    report["subscription_listed"] = not missing
    if not out:
        return
    write_rows(
        out, [("subscriptions", f"{len(subscriptions)} listed in {listing_seconds:.3f} s")], width=_STEP_WIDTH
    )
    write_rows(
        out, [(item["subscription_id"] or "", item["display_name"] or "") for item in listed], indent="    "
    )
    if missing:
        out.write(
            f"note: {target.variable('AZURE_SUBSCRIPTION_ID')} {settings.subscription_id} is not among them; "
            "this identity may lack access to it\n"
        )


def _dump(report: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(report, indent=2) + "\n")  # one write: a secret is never split across two


def _call(step: str, call: Callable[[], T], settings: Settings) -> T:
    from azure.core.exceptions import AzureError

    try:
        return call()
    except AzureError as exc:
        message = plain_network_message(one_line(exc.message))
        # The credential adds its hints to its own errors; a listing's sign-in error gets them here.
        hint = sign_in_hint(message, cloud=settings.cloud_name, authority=settings.authority_host) + ca_hint(
            message
        )
        raise Unreachable(f"{step} failed: {message}{hint}") from exc
