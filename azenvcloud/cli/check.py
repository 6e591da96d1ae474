"""``azenvcloud check [--online]``: is the configuration usable, and does Azure agree?

Offline it builds what the process would build (settings, credential, clients) without a
request. ``--online`` then asks the credential chain for a token for the Resource Manager scope
and lists the subscriptions the identity sees, timing each step.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from ..clients import get_credential, get_resource_client, get_subscription_client, offline
from ._chain import chain_of, first_ready, successful_credential
from ._output import EXIT_OK, Unreachable, one_line, write_rows
from .show import add_env_file_option, configuration_warnings, load_settings

__all__ = ["add_parser", "run"]

T = TypeVar("T")
_STEP_WIDTH = len("subscriptions")


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "check",
        **options,
        help="validate the configuration; --online also gets a token and lists subscriptions",
        description="Validate the configuration by building the credential and clients the process "
        "would use. Exit status: 0 fine, 2 configuration error, 3 authentication or network failure.",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="get a token for the Resource Manager scope and list subscriptions, timing each step",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (errors too)")
    add_env_file_option(parser)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(arguments)
    with offline():  # built to validate them: nothing is contacted without --online
        credential = get_credential()
        get_subscription_client()
        if settings.subscription_id is not None:
            get_resource_client()
    scope = settings.credential_scopes[0]
    report: dict[str, Any] = {
        "configuration": "ok",
        "cloud_name": settings.cloud_name,
        "authority_host": settings.authority_host,
        "resource_manager": settings.resource_manager,
        "scope": scope,
        "subscription_id": settings.subscription_id,
        "first_credential": first_ready(chain_of(credential)),
        "warnings": configuration_warnings(settings),
    }
    text = not arguments.json
    if text:
        out.write(f"configuration: ok, cloud {settings.cloud_name}\n")
        for warning in report["warnings"]:
            out.write(f"warning: {warning}\n")
        write_rows(
            out,
            [
                ("authority", settings.authority_host),
                ("resource manager", settings.resource_manager),
                ("scope", scope),
                ("subscription", settings.subscription_id or "(not set; AZURE_SUBSCRIPTION_ID)"),
                ("first credential", report["first_credential"]),
            ],
        )
    if not arguments.online:
        if text:
            out.write("not contacted: add --online to get a token and list subscriptions\n")
        else:
            _dump(report, out)
        return EXIT_OK
    if text:
        out.write("online:\n")
        out.flush()
    started = time.perf_counter()
    _call("getting a token", lambda: credential.get_token(scope))
    token_seconds = time.perf_counter() - started
    answered = successful_credential(credential)
    report["token"] = {"seconds": round(token_seconds, 3), "credential": answered, "scope": scope}
    if text:
        write_rows(
            out, [("token", f"ok in {token_seconds:.3f} s from {answered} for {scope}")], width=_STEP_WIDTH
        )
        out.flush()
    started = time.perf_counter()
    subscriptions = _call(
        "listing subscriptions", lambda: list(get_subscription_client().subscriptions.list())
    )
    listing_seconds = time.perf_counter() - started
    listed = [
        {"subscription_id": item.subscription_id, "display_name": item.display_name} for item in subscriptions
    ]
    report["subscriptions"] = {"seconds": round(listing_seconds, 3), "listed": listed}
    missing = settings.subscription_id is not None and settings.subscription_id not in {
        item["subscription_id"] for item in listed
    }
    if not text:
        report["subscription_listed"] = not missing
        _dump(report, out)
        return EXIT_OK
    write_rows(
        out, [("subscriptions", f"{len(subscriptions)} listed in {listing_seconds:.3f} s")], width=_STEP_WIDTH
    )
    write_rows(
        out, [(item["subscription_id"] or "", item["display_name"] or "") for item in listed], indent="    "
    )
    if missing:
        out.write(
            f"note: AZURE_SUBSCRIPTION_ID {settings.subscription_id} is not among them; "
            "this identity may lack access to it\n"
        )
    return EXIT_OK


def _dump(report: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(report, indent=2) + "\n")  # one write: a secret is never split across two


def _call(step: str, call: Callable[[], T]) -> T:
    from azure.core.exceptions import AzureError

    try:
        return call()
    except AzureError as exc:
        raise Unreachable(f"{step} failed: {one_line(exc.message)}") from exc
