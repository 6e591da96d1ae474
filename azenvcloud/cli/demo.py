"""``azenvcloud demo``: the whole chain, working, with no Azure account.

Starts the local fake cloud (:class:`azenvcloud.testing.FakeCloud`, loopback HTTPS with a
throwaway certificate authority), points an isolated configuration at it and lists
subscriptions and resource groups through the real azure-identity, MSAL and azure-mgmt code.
With ``--cloud`` the built-in cloud's real host names are resolved to the fake, so the request
log shows exactly which authority, scope and Resource Manager each request was meant for.
The process environment is restored afterwards; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import tempfile
from typing import Any, TextIO

from .._env_file import ENV_FILE_VARIABLE, NO_ENV_FILE
from ..clients import get_credential, get_resource_client, get_subscription_client
from ..settings import get_settings
from ._chain import successful_credential
from ._output import EXIT_OK, write_rows

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


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..testing import FakeCloud, isolated_environment, refuse_non_loopback_dns

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
                fake.accept_scopes(f"{fake.audience}.default")
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
