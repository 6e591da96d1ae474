"""``azenvcloud clouds``: the built-in clouds, every name they answer to, and their endpoints.

Every name ``AZURE_CLOUD`` accepts is listed: each cloud's spellings, the names that select a
cloud with services of their own (``dod``, ``usgovernmentl5``), ``Custom`` and the retired names
(refused, with the reason), and the clouds known only by name and authority (GovSG). In ``--json``
each entry has a ``kind``: ``builtin``, ``custom``, ``without_resource_manager`` or ``retired``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from .._builtin_clouds import CUSTOM, RETIRED_NAMES, RETIRED_REASONS, VARIANTS, WITHOUT_RESOURCE_MANAGER
from .._clouds import BUILTIN_CLOUDS, names_of
from .._services import services_report
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


_CUSTOM_TEXT = (
    "any other cloud, from AZURE_CLOUD_METADATA_URL or AZURE_AUTHORITY_HOST, "
    "AZURE_RESOURCE_MANAGER and AZURE_AUDIENCE together"
)


def _variants(name: str) -> dict[str, dict[str, dict[str, str]]]:
    """The names that select ``name`` with data-plane services of their own, and those services."""
    return {
        variant: {service: dict(fields) for service, fields in services.items()}
        for variant, (canonical, services) in VARIANTS.items()
        if canonical == name
    }


def _clouds() -> list[dict[str, Any]]:
    clouds: list[dict[str, Any]] = [
        {
            "name": name,
            "kind": "builtin",
            "names": list(names_of(name)),
            "variants": _variants(name),
            "authority_host": cloud.authority_host,
            "resource_manager": cloud.resource_manager,
            "audience": cloud.audience,
            "credential_scopes": list(cloud.credential_scopes),
            "sdk_cloud_setting": cloud.sdk_cloud_setting,
            "services": services_report(cloud),
        }
        for name, cloud in BUILTIN_CLOUDS.items()
    ]
    # The other names AZURE_CLOUD takes, with the same keys (no values of their own).
    empty: dict[str, Any] = {
        "variants": {},
        "authority_host": None,
        "resource_manager": None,
        "audience": None,
        "credential_scopes": [],
        "sdk_cloud_setting": None,
        "services": {},
    }
    clouds.append(
        {
            "name": CUSTOM,
            "kind": "custom",
            "names": list(names_of(CUSTOM)),
            **empty,
            "description": _CUSTOM_TEXT,
        }
    )
    clouds += [
        {
            "name": name,
            "kind": "without_resource_manager",
            "names": list(names_of(name)),
            **empty,
            "description": f"{description}: known by name and authority host; no public source names "
            "its Resource Manager, so set AZURE_RESOURCE_MANAGER or AZURE_CLOUD_METADATA_URL",
        }
        for name, description in WITHOUT_RESOURCE_MANAGER.items()
    ]
    clouds += [
        {"name": name, "kind": "retired", "names": list(RETIRED_NAMES[name]), **empty, "reason": reason}
        for name, reason in RETIRED_REASONS.items()
    ]
    return clouds


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    clouds = _clouds()
    if arguments.json:
        json.dump(clouds, out, indent=2)
        out.write("\n")
        return EXIT_OK
    for cloud in clouds:
        if cloud["kind"] != "builtin":
            continue
        out.write(f"{cloud['name']}\n")
        rows = [("AZURE_CLOUD", ", ".join(cloud["names"]))]
        for variant, services in cloud["variants"].items():
            differs = ", ".join(
                f"{service} at {fields.get('endpoint')}" for service, fields in services.items()
            )
            rows.append(("", f"{variant}: this cloud with {differs}"))
        rows += [
            ("authority", cloud["authority_host"]),
            ("resource manager", cloud["resource_manager"]),
            ("scope", ", ".join(cloud["credential_scopes"])),
        ]
        write_rows(out, rows)
        write_rows(out, service_rows(cloud["services"]), indent="    ")
        out.write("\n")
    out.write(f"{CUSTOM}: {_CUSTOM_TEXT}\n")
    for name in WITHOUT_RESOURCE_MANAGER:
        out.write(f"Known by name and authority, no Resource Manager: {', '.join(names_of(name))}: ")
        out.write("set AZURE_RESOURCE_MANAGER or AZURE_CLOUD_METADATA_URL\n")
    for name, reason in RETIRED_REASONS.items():
        out.write(f"Retired, refused: {', '.join(RETIRED_NAMES[name])}: {reason}\n")
    return EXIT_OK
