"""``azenvcloud clouds``: the built-in clouds, every name they answer to, and their endpoints."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from .._builtin_clouds import RETIRED_NAMES, RETIRED_REASONS, WITHOUT_RESOURCE_MANAGER
from ..clouds import BUILTIN_CLOUDS, names_of
from ..services import services_report
from ._output import EXIT_OK, write_rows
from .show import service_rows

__all__ = ["add_parser", "run"]


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "clouds",
        **options,
        help="the built-in clouds with every accepted name and their main endpoints",
        description="List the built-in clouds, the names AZURE_CLOUD accepts for each (Azure CLI, "
        "azure-core, azure-identity, Terraform and short forms; case and -/_ do not matter) and "
        "their main endpoints.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array")


def _clouds() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "names": list(names_of(name)),
            "authority_host": cloud.authority_host,
            "resource_manager": cloud.resource_manager,
            "audience": cloud.audience,
            "credential_scopes": list(cloud.credential_scopes),
            "sdk_cloud_setting": cloud.sdk_cloud_setting,
            "services": services_report(cloud),
        }
        for name, cloud in BUILTIN_CLOUDS.items()
    ]


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    clouds = _clouds()
    if arguments.json:
        json.dump(clouds, out, indent=2)
        out.write("\n")
        return EXIT_OK
    for cloud in clouds:
        out.write(f"{cloud['name']}\n")
        write_rows(
            out,
            [
                ("AZURE_CLOUD", ", ".join(cloud["names"])),
                ("authority", cloud["authority_host"]),
                ("resource manager", cloud["resource_manager"]),
                ("scope", ", ".join(cloud["credential_scopes"])),
            ],
        )
        write_rows(out, service_rows(cloud["services"]), indent="    ")
        out.write("\n")
    out.write("Custom: any other cloud, from AZURE_CLOUD_METADATA_URL or AZURE_AUTHORITY_HOST, ")
    out.write("AZURE_RESOURCE_MANAGER and AZURE_AUDIENCE together\n")
    for name in WITHOUT_RESOURCE_MANAGER:
        out.write(f"Known by name and authority, no Resource Manager: {', '.join(names_of(name))}: ")
        out.write("set AZURE_RESOURCE_MANAGER or AZURE_CLOUD_METADATA_URL\n")
    for name, reason in RETIRED_REASONS.items():
        out.write(f"Retired, refused: {', '.join(RETIRED_NAMES[name])}: {reason}\n")
    return EXIT_OK
