"""``azenvcloud demo``: the whole chain, working, with no Azure account.

Starts the local fake cloud (:class:`azenvcloud.testing.FakeCloud`, loopback HTTPS with a
throwaway certificate authority), points an isolated configuration at it and lists
subscriptions and resource groups through the real azure-identity, MSAL and azure-mgmt code.
With ``--cloud`` the built-in cloud's real host names are resolved to the fake, so the request
log shows exactly which authority, scope and Resource Manager each request was meant for.
The process environment is restored afterwards; nothing leaves the machine.

With ``--serve`` the fake runs for other programs (``azenvcloud check --online``, your app)
until interrupted: it prints, as shell ``export`` lines, the variables that point them at it,
with a CA bundle holding the CAs this shell trusts plus the fake's, so that the shell's other
TLS users keep working. Its files live in a new folder of the user's own, never under ``/tmp``
(:mod:`azenvcloud.cli._trust_files`); when it stops they are gone, and its last line is the
``unset`` that undoes the exports.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import tempfile
import threading
from typing import Any, TextIO

from .._env_file import ENV_FILE_VARIABLE, NO_ENV_FILE
from .._values import scope_for_audience
from ..clients import get_credential, get_resource_client, get_subscription_client
from ..errors import ConfigurationError
from ..settings import get_settings
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
        "that point them at it as shell export lines (a CA bundle with this shell's CAs plus the fake's)",
    )


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..testing import FakeCloud, isolated_environment, refuse_non_loopback_dns

    if arguments.serve:
        if arguments.cloud:
            sys.stderr.write(
                "azenvcloud: usage error: demo --serve serves a custom cloud on 127.0.0.1; --cloud "
                "resolves a cloud's real host names to the fake, which only works inside one process\n"
            )
            return EXIT_USAGE
        return _serve(out)
    if arguments.cloud:
        _check_cloud_option(arguments.cloud)  # before anything starts, blaming the flag typed
    with (
        tempfile.TemporaryDirectory(prefix="azenvcloud-demo-") as folder,
        FakeCloud() as fake,
        refuse_non_loopback_dns(),
    ):
        values = {
            **fake.environment(),
            ENV_FILE_VARIABLE: NO_ENV_FILE,  # not the .env of the folder the demo runs in
            "AZENVCLOUD_CACHE_DIR": folder,
        }
        with isolated_environment(values):
            if arguments.cloud:
                with fake.as_cloud(arguments.cloud):
                    _run_chain(fake, True, out)
            else:
                fake.accept_scopes(scope_for_audience(fake.audience))
                _run_chain(fake, False, out)
    return EXIT_OK


def _run_chain(fake: Any, routed: bool, out: TextIO) -> None:
    settings = get_settings()
    where = "its real host names resolved to" if routed else "a custom cloud on"
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
            "token": f"a token for {request.scope}",
            "arm": f"sent a token for {request.scope}",
        }.get(request.kind, request.kind)
        out.write(f"  {number}. {request.method} https://{request.host}{request.path}\n       {what}\n")


def _serve(out: TextIO) -> int:
    """Serve a fake cloud until SIGINT or SIGTERM, after printing the variables that use it; its
    files live in a new folder of the user's own (:mod:`._trust_files`), gone when it stops."""
    from ..testing import FakeCloud
    from ._trust_files import serve_folder, write_trust_files

    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    with serve_folder() as folder, FakeCloud(directory=folder) as fake:
        fake.accept_scopes(scope_for_audience(fake.audience))  # the scope a client asks for, as in demo
        values = {**fake.environment(), **write_trust_files(folder, fake.ca_bundle)}
        out.write(
            f"# azenvcloud demo --serve: a fake cloud on {fake.url} (loopback only), pid {os.getpid()}\n"
            f"# its files: {folder} (yours alone; removed when it stops)\n"
            "# In another shell, run these lines (or save them and `. ./file`); Ctrl-C here stops it.\n"
        )
        for name, value in values.items():
            out.write(f"export {name}={shlex.quote(value)}\n")
        out.write("# serving\n")
        out.flush()
        stop.wait()
    out.write(
        "# stopped: the fake cloud and its files are gone; a shell that ran the lines above now fails\n"
        "# to connect. In each, run:\n"
        f"unset {' '.join(values)}\n"
    )
    return EXIT_OK


def _check_cloud_option(name: str) -> None:
    """Refuse a ``--cloud`` that names no built-in cloud, in a message about ``--cloud``.

    Raises:
        ConfigurationError: The name is unknown, retired, or ``Custom``.
    """
    from .._values import InvalidValue
    from ..clouds import BUILTIN_CLOUDS, canonical_cloud_name

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
