"""``azenvcloud check [--online]``: is the configuration usable, and does Azure agree?

Offline it builds what the process would build (settings, credential, clients) without a
request. ``--online`` then asks the credential chain for a token for the Resource Manager scope
and lists the subscriptions the identity sees, timing each step.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from ..clients import get_credential, get_resource_client, get_subscription_client
from ._chain import chain_of, first_ready, successful_credential
from ._output import EXIT_OK, Unreachable, one_line, write_rows
from .show import add_env_file_option, load_settings

__all__ = ["add_parser", "run"]

T = TypeVar("T")
_STEP_WIDTH = len("subscriptions")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="validate the configuration; --online also gets a token and lists subscriptions",
        description="Validate the configuration by building the credential and clients the process "
        "would use. Exit status: 0 fine, 2 configuration error, 3 authentication or network failure.",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="get a token for the Resource Manager scope and list subscriptions, timing each step",
    )
    add_env_file_option(parser)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(arguments)
    credential = get_credential()
    get_subscription_client()
    if settings.subscription_id is not None:
        get_resource_client()
    scope = settings.credential_scopes[0]
    out.write(f"configuration: ok, cloud {settings.cloud_name}\n")
    write_rows(
        out,
        [
            ("authority", settings.authority_host),
            ("resource manager", settings.resource_manager),
            ("scope", scope),
            ("subscription", settings.subscription_id or "(not set; AZURE_SUBSCRIPTION_ID)"),
            ("first credential", first_ready(chain_of(credential))),
        ],
    )
    if not arguments.online:
        out.write("not contacted: add --online to get a token and list subscriptions\n")
        return EXIT_OK
    out.write("online:\n")
    out.flush()
    started = time.perf_counter()
    _call("getting a token", lambda: credential.get_token(scope))
    token_seconds = time.perf_counter() - started
    write_rows(
        out,
        [("token", f"ok in {token_seconds:.3f} s from {successful_credential(credential)} for {scope}")],
        width=_STEP_WIDTH,
    )
    out.flush()
    started = time.perf_counter()
    subscriptions = _call(
        "listing subscriptions", lambda: list(get_subscription_client().subscriptions.list())
    )
    listing_seconds = time.perf_counter() - started
    write_rows(
        out, [("subscriptions", f"{len(subscriptions)} listed in {listing_seconds:.3f} s")], width=_STEP_WIDTH
    )
    write_rows(
        out, [(item.subscription_id or "", item.display_name or "") for item in subscriptions], indent="    "
    )
    listed = {item.subscription_id for item in subscriptions}
    if settings.subscription_id is not None and settings.subscription_id not in listed:
        out.write(
            f"note: AZURE_SUBSCRIPTION_ID {settings.subscription_id} is not among them; "
            "this identity may lack access to it\n"
        )
    return EXIT_OK


def _call(step: str, call: Callable[[], T]) -> T:
    from azure.core.exceptions import AzureError

    try:
        return call()
    except AzureError as exc:
        raise Unreachable(f"{step} failed: {one_line(exc.message)}") from exc
