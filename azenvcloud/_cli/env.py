"""``azenvcloud env``: turn a cloud description into the ``AZURE_*`` lines that select it.

The lines round-trip: resolving them gives the same cloud (name, endpoints, suffixes, identity
provider) as the description. A built-in cloud needs only ``AZURE_CLOUD``; a custom cloud with
nothing but its three core values, the three endpoint variables. Any other cloud (a name of its
own, suffixes, more endpoints, ADFS) cannot be carried by variables, so the lines point
``AZURE_CLOUD_METADATA_URL`` at a description: the file given, a snapshot written with
``--snapshot PATH`` (no request at start-up), or the metadata URL itself.

Lines for a cloud outside the built-in set belong in the environment or a ``.env`` file the user
names; the output says so, since the implicit ``./.env`` may only select a built-in cloud.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from .._builtin_clouds import CUSTOM
from .._clouds import BUILTIN_CLOUDS, Cloud
from .._discovery import load_metadata
from .._errors import ConfigurationError, quote_value
from .._metadata_source import is_local
from .._profiles import API_PROFILES, LATEST
from .._provenance import Source
from ._output import EXIT_OK

__all__ = ["add_parser", "environment_lines", "registered_profile", "run", "same_cloud"]


def add_parser(commands: Any, **options: Any) -> None:
    parser = commands.add_parser(
        "env",
        **options,
        help="print the AZURE_* lines for a cloud described by `az cloud show` or its metadata",
        description="Print the AZURE_* lines that select a cloud, for the environment of a "
        "deployment or a .env file you name (AZENVCLOUD_ENV_FILE, --env-file): the ./.env found in "
        "the working directory may only select a built-in cloud (see SECURITY.md). The cloud comes "
        "from `az cloud show` output or from a Resource Manager metadata endpoint (or a saved copy "
        "of its response). Resolving the lines gives the same "
        "cloud; where variables cannot carry it, they point AZURE_CLOUD_METADATA_URL at a file.",
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
    parser.add_argument(
        "--snapshot",
        metavar="PATH",
        help="write the cloud to this file (as `az cloud show` prints it) and point "
        "AZURE_CLOUD_METADATA_URL at it, for a cloud the variables cannot carry",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object: {"cloud_name", "source", "variables", "lines"}',
    )


def same_cloud(first: Cloud, second: Cloud) -> bool:
    """Whether two clouds are the same for every purpose: name, identity provider, the three core
    values and scopes, every endpoint (up to a trailing slash) and every suffix."""

    def endpoints(cloud: Cloud) -> dict[str, str | None]:
        return {k: v.rstrip("/") if v else v for k, v in cloud.endpoints.model_dump().items()}

    return (
        first.name == second.name
        and first.identity_provider == second.identity_provider
        and (first.authority_host, first.resource_manager) == (second.authority_host, second.resource_manager)
        and first.audience.rstrip("/") == second.audience.rstrip("/")
        and first.credential_scopes == second.credential_scopes
        and endpoints(first) == endpoints(second)
        and first.suffixes == second.suffixes
    )


def environment_lines(
    cloud: Cloud, *, description: str | None = None, profile: str | None = None
) -> list[str]:
    """The ``AZURE_*`` assignments that make azenvcloud resolve ``cloud``.

    Args:
        cloud: The cloud.
        description: A file or URL that describes it, for a cloud variables cannot carry.
        profile: The API profile the cloud was registered with (``az cloud show``'s
            ``profile``), other than ``latest``: an ``AZURE_API_PROFILE`` line.

    Raises:
        ValueError: The cloud needs a description and none was given.
    """
    extra = [f"AZURE_API_PROFILE={profile}"] if profile and profile != LATEST else []
    return _cloud_lines(cloud, description) + extra


def _cloud_lines(cloud: Cloud, description: str | None) -> list[str]:
    builtin = BUILTIN_CLOUDS.get(cloud.name)
    if builtin is not None and same_cloud(builtin, cloud):
        return [f"AZURE_CLOUD={cloud.name}"]
    triple = Cloud.custom(
        authority_host=cloud.authority_host,
        resource_manager=cloud.resource_manager,
        audience=cloud.audience,
        credential_scopes=cloud.credential_scopes,
    )
    if same_cloud(triple, cloud):
        return [
            f"AZURE_AUTHORITY_HOST={cloud.authority_host}",
            f"AZURE_RESOURCE_MANAGER={cloud.resource_manager}",
            f"AZURE_AUDIENCE={cloud.audience}",
        ]
    if description is None:
        raise ValueError("a description is needed")
    lines = [f"AZURE_CLOUD_METADATA_URL={description}"]
    if cloud.name != CUSTOM:
        lines.insert(0, f"AZURE_CLOUD={cloud.name}")  # picks it where the description lists several
    return lines


def registered_profile(text: str, cloud: Cloud, *, shown: str) -> str | None:
    """The API profile ``az cloud show`` output registers for ``cloud`` (its ``"profile"``), as
    ``AZURE_API_PROFILE`` takes it; ``None`` when it names none.

    Raises:
        ConfigurationError: It names a profile azenvcloud has no API versions for.
    """
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None
    if isinstance(document, list):  # `az cloud list`: the entry of the cloud taken
        document = next(
            (item for item in document if isinstance(item, dict) and _same(item.get("name"), cloud.name)),
            None,
        )
    raw = document.get("profile") if isinstance(document, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    profile = raw.strip().lower()
    if profile not in API_PROFILES:
        raise ConfigurationError(
            f"{shown} registers the API profile {quote_value(raw)}, which azenvcloud has no API versions "
            f"for. Accepted: a cloud registered with one of {', '.join(API_PROFILES)} (az cloud update "
            "--profile).",
            variables=("AZURE_API_PROFILE",),
        )
    return profile


def _same(name: object, other: str) -> bool:
    return isinstance(name, str) and name.strip().casefold() == other.casefold()


def _cloud(arguments: argparse.Namespace) -> tuple[Cloud, str, str | None, str | None]:
    """The cloud, where it came from, the file or URL that describes it as it is (if any), and
    the API profile it was registered with (``az cloud show`` output only)."""
    option = "--from-az-cloud-show" if arguments.from_az_cloud_show else "--from-metadata"
    location: str = arguments.from_az_cloud_show or arguments.from_metadata
    source = Source("option", option)
    if location == "-" and option == "--from-az-cloud-show":
        from .._metadata import MetadataProblem, cloud_from_metadata

        text = sys.stdin.read()
        try:
            cloud = cloud_from_metadata(text, name=arguments.cloud, selector="--cloud")
            return cloud, "standard input", None, registered_profile(text, cloud, shown=f"{option} -")
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
    cloud, _ = load_metadata(
        location,
        field="cloud_metadata_url",
        raw=location,
        source=source,
        name=arguments.cloud,
        ttl=0,
        selector="--cloud",
    )
    described_by = str(Path(location).resolve()) if is_local(location) and "://" not in location else location
    profile = None
    if option == "--from-az-cloud-show":
        from .._metadata_source import read_file

        profile = registered_profile(read_file(location), cloud, shown=f"{option} {location!r}")
    return cloud, location, described_by, profile


def _write_snapshot(snapshot: Path, given: str, text: str) -> None:
    """Write ``text`` to ``snapshot`` through a new file renamed over it, never through a symlink
    (a cloned repository may commit ``cloud-snapshot.json -> ~/.bashrc``)."""
    if snapshot.is_symlink():
        raise ConfigurationError(
            f"--snapshot {given!r} is a symbolic link: azenvcloud writes no file through one (a cloned "
            "repository could point it at any file of yours). Accepted: a path that is no symbolic link, "
            "in an existing folder that this user may write.",
            variables=("--snapshot",),
        )
    temporary = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(temporary, flags, 0o644)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, snapshot)  # replaces a link made meanwhile, never writes through it
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigurationError(
            f"--snapshot {given!r} cannot be written: {exc.strerror or exc}. "
            "Accepted: a file path in an existing folder that this user may write.",
            variables=("--snapshot",),
        ) from None


def run(arguments: argparse.Namespace, out: TextIO) -> int:
    from .._metadata import cloud_to_snapshot

    cloud, origin, described_by, profile = _cloud(arguments)
    if arguments.snapshot:
        snapshot = Path(arguments.snapshot).absolute()  # not resolve(): that follows a symlink
        document = cloud_to_snapshot(cloud)
        if profile:  # as `az cloud show` writes it, so that the snapshot keeps it too
            document["profile"] = profile
        _write_snapshot(snapshot, arguments.snapshot, json.dumps(document, indent=2) + "\n")
        described_by = str(snapshot)
    try:
        lines = environment_lines(cloud, description=described_by, profile=profile)
    except ValueError:
        raise ConfigurationError(
            f"{cloud.name} from {origin} has a name, endpoints or suffixes that the AZURE_* variables "
            "cannot carry, and standard input is no file to point AZURE_CLOUD_METADATA_URL at. "
            "Accepted: add --snapshot PATH to write the cloud to a file.",
            variables=("--snapshot",),
        ) from None
    if arguments.json:
        variables = dict(line.split("=", 1) for line in lines)
        document = {"cloud_name": cloud.name, "source": origin, "variables": variables, "lines": lines}
        json.dump(document, out, indent=2)
        out.write("\n")
        return EXIT_OK
    out.write(f"# {cloud.name}, from {origin} (azenvcloud env)\n")
    if lines != [f"AZURE_CLOUD={cloud.name}"] or cloud.name not in BUILTIN_CLOUDS:
        out.write(
            "# set these in the environment or in a .env file you name (AZENVCLOUD_ENV_FILE=PATH, "
            "--env-file PATH): the ./.env found in the working directory may only select a built-in "
            "cloud, so azenvcloud refuses them there (SECURITY.md)\n"
        )
    if any(line.startswith("AZURE_CLOUD_METADATA_URL=") for line in lines):
        out.write(
            "# its name, endpoints or suffixes need more than variables: read from the file or URL below\n"
        )
    for line in lines:
        out.write(line + "\n")
    if described_by and not is_local(described_by) and not arguments.snapshot:
        out.write("# start-up reads that URL (cached); --snapshot PATH writes a file to read instead\n")
    return EXIT_OK
