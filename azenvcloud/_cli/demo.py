"""``azenvcloud demo``: the whole chain, working, with no Azure account.

Starts the local fake cloud (:class:`azenvcloud.testing.FakeCloud`, loopback HTTPS with a
throwaway certificate authority), points an isolated configuration at it and lists
subscriptions and resource groups through the real azure-identity, MSAL and azure-mgmt code.
With ``--cloud`` the built-in cloud's real host names are resolved to the fake, so the request
log shows exactly which authority, scope and Resource Manager each request was meant for.
The process environment is restored afterwards; nothing leaves the machine.

With ``--serve`` the fake runs for other programs (``azenvcloud check --online``, your app,
code that never imports azenvcloud) until interrupted, or while one command runs
(:mod:`azenvcloud._cli._serve`); with ``--cloud`` they reach it on the cloud's real host names.
``--log FILE`` writes one JSON line per request; ``--port`` fixes the port.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any, TextIO

from .._clients import get_credential, get_resource_client, get_subscription_client
from .._env_file import ENV_FILE_VARIABLE, NO_ENV_FILE
from .._errors import ConfigurationError
from .._parsers import scope_for_audience
from .._settings import get_settings
from ._chain import successful_credential
from ._output import EXIT_OK, EXIT_USAGE, write_rows

__all__ = ["add_parser", "run"]


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "demo",
        **options,
        help="run the real SDK chain against a local fake cloud (no Azure account needed)",
        description="Start a fake cloud on 127.0.0.1, configure an isolated environment for it, list its "
        "subscriptions and resource groups through get_subscription_client() and get_resource_client(), "
        "and show where every request went. Nothing leaves this machine.",
    )
    parser.add_argument(
        "--cloud",
        metavar="NAME",
        help="act as this built-in cloud (china, usgov, bleu, public, ...): its real host names are "
        "resolved to the fake; default: a custom cloud on 127.0.0.1",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="run the fake cloud for other programs until interrupted (Ctrl-C): print the variables "
        "that point them at it as shell export and unset lines (a CA bundle with this shell's CAs plus "
        "the fake's; with --cloud, the fake as their HTTPS proxy for the cloud's real host names only)",
    )
    parser.add_argument(
        "--azure-stack-adfs",
        action="store_true",
        help="act as an Azure Stack Hub stamp with ADFS: its metadata at /metadata/endpoints, and only "
        "AZURE_RESOURCE_MANAGER pointing at it (instead of --cloud)",
    )
    parser.add_argument(
        "--log",
        metavar="FILE",
        help="write one JSON line per request to FILE as it is answered (method, host, path, kind, status, "
        "scope, client ID and tenant; never a token or a secret), created anew",
    )
    parser.add_argument(
        "--port", type=_port, metavar="PORT", help="listen on 127.0.0.1:PORT (default: a free port)"
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--json",
        action="store_true",
        help="with --serve: print one JSON line when serving, another when stopped",
    )
    form.add_argument(
        "--dotenv", action="store_true", help="with --serve: print the variables as dotenv lines (NAME=value)"
    )
    parser.add_argument(
        "program",
        nargs=argparse.REMAINDER,
        metavar="-- CMD ARGS",
        help="with --serve: run CMD with the variables (its process tree only) and exit with its status",
    )


def _port(text: str) -> int:
    """A ``--port`` value: a TCP port number."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"--port {text!r}: a port is a number from 1 to 65535")
    return int(text)


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..testing import isolated_environment, refuse_non_loopback_dns
    from ._serve import act_as_adfs_stamp, serve, started

    problem = _usage_problem(arguments)
    if problem:
        sys.stderr.write(f"azenvcloud demo: usage error: {problem}\n")
        return EXIT_USAGE
    if arguments.program:
        arguments.program = arguments.program[1:]  # after its "--"
    if arguments.log is not None:
        arguments.log = os.path.abspath(arguments.log)  # as it is printed; the same file
    if arguments.cloud:
        _check_cloud_option(arguments.cloud)  # before anything starts, blaming the flag typed
    if arguments.serve:
        return serve(arguments, out)
    with (
        tempfile.TemporaryDirectory(prefix="azenvcloud-demo-") as folder,
        started(None, arguments.port, arguments.log) as fake,
        refuse_non_loopback_dns(),
    ):
        values = {
            **(act_as_adfs_stamp(fake) if arguments.azure_stack_adfs else fake.environment()),
            ENV_FILE_VARIABLE: NO_ENV_FILE,  # not the .env of the folder the demo runs in
            "AZENVCLOUD_CACHE_DIR": folder,
        }
        with isolated_environment(values):
            if arguments.cloud:
                with fake.as_cloud(arguments.cloud):
                    _run_chain(fake, "its real host names resolved to", out)
            elif arguments.azure_stack_adfs:
                _run_chain(fake, "an Azure Stack Hub stamp with ADFS on", out)
            else:
                fake.accept_scopes(scope_for_audience(fake.audience))
                _run_chain(fake, "a custom cloud on", out)
    return EXIT_OK


def _run_chain(fake: Any, where: str, out: TextIO) -> None:
    settings = get_settings()
    out.write(f"azenvcloud demo: a fake {settings.cloud_name}, {where} {fake.url} (loopback only)\n\n")
    write_rows(
        out,
        [
            ("AZURE_CLOUD", settings.cloud_name),
            ("authority", settings.authority_host),
            ("resource manager", settings.resource_manager),
            ("scope", ", ".join(settings.credential_scopes)),
        ],
    )
    out.write("\nazenvcloud.get_subscription_client().subscriptions.list():\n")
    subscriptions = list(get_subscription_client().subscriptions.list())
    write_rows(out, [(s.subscription_id or "", s.display_name or "") for s in subscriptions], indent="    ")
    out.write("azenvcloud.get_resource_client().resource_groups.list():\n")
    groups = list(get_resource_client().resource_groups.list())
    write_rows(out, [(group.name or "", group.location or "") for group in groups], indent="    ")
    out.write(f"\nrequests the real SDK made (token from {successful_credential(get_credential())}):\n")
    for number, request in enumerate(fake.requests, start=1):
        what = {
            "openid": "the authority's OpenID configuration",
            "metadata": "the cloud's metadata: its authority, audience and services",
            "token": f"a token for {request.scope}",
            "arm": f"sent a token for {request.scope}",
        }.get(request.kind, request.kind)
        out.write(f"  {number}. {request.method} https://{request.host}{request.path}\n       {what}\n")


def _usage_problem(arguments: argparse.Namespace) -> str | None:
    """What is wrong with this combination of options, if anything."""
    if arguments.program and arguments.program[0] != "--":
        return f"unrecognized arguments: {' '.join(arguments.program)} (a command to run follows --)"
    if arguments.program and len(arguments.program) == 1:
        return "nothing to run after --"
    if arguments.cloud and arguments.azure_stack_adfs:
        return "--cloud and --azure-stack-adfs: the fake acts as one cloud at a time"
    only_served = [
        option
        for option, given in (
            ("--json", arguments.json),
            ("--dotenv", arguments.dotenv),
            ("-- CMD", arguments.program),
        )
        if given
    ]
    if only_served and not arguments.serve:
        return f"{only_served[0]} needs --serve"
    if arguments.program and (arguments.json or arguments.dotenv):
        return "-- CMD prints no lines: leave out --json and --dotenv"
    return None


def _check_cloud_option(name: str) -> None:
    """Refuse a ``--cloud`` that names no built-in cloud, in a message about ``--cloud``.

    Raises:
        ConfigurationError: The name is unknown, retired, or ``Custom``.
    """
    from .._clouds import BUILTIN_CLOUDS, canonical_cloud_name
    from .._parsers import InvalidValue

    try:
        canonical = canonical_cloud_name(name)
    except InvalidValue as exc:
        raise exc.configuration_error("--cloud", name, variables=("--cloud",)) from None
    if canonical not in BUILTIN_CLOUDS:
        raise ConfigurationError(
            f"--cloud {name!r} is not usable: the demo acts as a built-in cloud. Accepted: "
            f"{', '.join(BUILTIN_CLOUDS)}, or no --cloud for a custom cloud on 127.0.0.1.",
            variables=("--cloud",),
        )
