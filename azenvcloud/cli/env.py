"""``azenvcloud env``: turn a cloud description into the ``AZURE_*`` lines that select it.

The lines describe the cloud outright (no metadata request at start-up), for a ``.env`` file
or a deployment's environment. A cloud that is built in needs only ``AZURE_CLOUD``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from .._metadata_source import is_local
from ..clouds import BUILTIN_CLOUDS, Cloud
from ..errors import ConfigurationError
from ..provenance import Source
from ..resolution import load_metadata
from ._output import EXIT_OK

__all__ = ["add_parser", "environment_lines", "run"]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "env",
        help="print the AZURE_* lines for a cloud described by `az cloud show` or its metadata",
        description="Print the AZURE_* lines that select a cloud, to paste into a .env file or a "
        "deployment. The cloud comes from `az cloud show` output or from a Resource Manager "
        "metadata endpoint (or a saved copy of its response).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-az-cloud-show",
        metavar="FILE",
        help="a file with the output of `az cloud show` (or `az cloud show --name NAME`); - reads stdin",
    )
    source.add_argument(
        "--from-metadata",
        metavar="URL|FILE",
        help="an https Resource Manager or metadata URL, or a saved metadata response",
    )
    parser.add_argument("--cloud", metavar="NAME", help="which cloud to take when the document lists several")


def environment_lines(cloud: Cloud) -> list[str]:
    """The ``AZURE_*`` assignments that make azenvcloud resolve ``cloud``."""
    builtin = BUILTIN_CLOUDS.get(cloud.name)
    if builtin is not None and _triple(builtin) == _triple(cloud):
        return [f"AZURE_CLOUD={cloud.name}"]
    lines = [
        f"AZURE_AUTHORITY_HOST={cloud.authority_host}",
        f"AZURE_RESOURCE_MANAGER={cloud.resource_manager}",
        f"AZURE_AUDIENCE={cloud.audience}",
    ]
    if cloud.adfs:
        lines.append("AZURE_TENANT_ID=adfs")
    return lines


def _triple(cloud: Cloud) -> tuple[str, str, str]:
    return (cloud.authority_host, cloud.resource_manager, cloud.audience.rstrip("/"))


def _cloud(arguments: argparse.Namespace) -> tuple[Cloud, str]:
    option = "--from-az-cloud-show" if arguments.from_az_cloud_show else "--from-metadata"
    location: str = arguments.from_az_cloud_show or arguments.from_metadata
    source = Source("option", option)
    if location == "-" and option == "--from-az-cloud-show":
        from ..metadata import MetadataProblem, cloud_from_metadata

        try:
            return cloud_from_metadata(sys.stdin.read(), name=arguments.cloud), "standard input"
        except MetadataProblem as exc:
            raise ConfigurationError(
                f"{option} - (standard input) is not usable: {exc}. "
                "Accepted: the JSON output of `az cloud show`.",
                variables=(option,),
            ) from None
    if option == "--from-az-cloud-show" and not is_local(location):
        raise ConfigurationError(
            f"{option} {location!r} is not usable: it takes a file. Accepted: a file with the output of "
            "`az cloud show`, or - for standard input; use --from-metadata for a URL.",
            variables=(option,),
        )
    cloud = load_metadata(
        location, field="cloud_metadata_url", raw=location, source=source, name=arguments.cloud
    )
    return cloud, location


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    cloud, origin = _cloud(arguments)
    out.write(f"# {cloud.name}, from {origin} (azenvcloud env)\n")
    for line in environment_lines(cloud):
        out.write(line + "\n")
    if arguments.from_metadata and not is_local(arguments.from_metadata):
        out.write("# or, to read the metadata at start-up instead:\n")
        out.write(f"# AZURE_CLOUD_METADATA_URL={arguments.from_metadata}\n")
    return EXIT_OK
