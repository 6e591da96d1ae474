"""A cloud described by its metadata: when resolution reads it, from where it may, and errors that
name the variable that pointed there.

Metadata is read when ``AZURE_CLOUD_METADATA_URL`` is set, or when a Resource Manager of no
built-in cloud comes without its partners (rule 3 of :mod:`azenvcloud._resolution`); only from a
trusted location (it describes every destination), a snapshot only by an absolute path, and a
Resource Manager from the implicit ``./.env`` never stands in for one the metadata lacks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlsplit

from . import _trust
from ._cloud_selection import ENDPOINT_FIELDS, Given, unusable
from ._clouds import BUILTIN_CLOUDS, Cloud
from ._errors import ConfigurationError, MetadataUnavailableError, quote_value, redact_url
from ._metadata_source import DEFAULT_TTL, is_local
from ._parsers import InvalidValue, parse_endpoint
from ._provenance import VARIABLES, Source

__all__ = ["discover", "load_metadata", "refuse_untrusted_name_over_metadata"]


def load_metadata(
    location: str,
    *,
    field: str,
    raw: object,
    source: Source,
    name: str | None = None,
    queried_arm: str | None = None,
    ttl: int = DEFAULT_TTL,
    cache_dir: str | None = None,
    selector: str = "AZURE_CLOUD",
) -> tuple[Cloud, str]:
    """The cloud described at ``location`` (https URL, file path or ``file://`` URL), and where
    it really came from (the final URL after redirects, or the file).

    Raises:
        MetadataUnavailableError: The endpoint could not be reached or kept failing, and nothing
            usable is cached (a retry may cure it).
        ConfigurationError: Naming the variable and the location: not https, not a readable
            file, not a metadata document, or lacking what a cloud needs.
    """
    from . import _metadata_source
    from ._metadata import cloud_from_metadata, metadata_urls

    accepted = (
        "an https Resource Manager or metadata URL, a file path, or a file:// URL of a saved "
        "metadata response or `az cloud show` output"
    )
    urls: list[str] = []
    if not _metadata_source.is_local(location):
        try:
            base = location.split("?", 1)[0]
            parse_endpoint(base, accepted=accepted)
        except InvalidValue as exc:
            raise exc.configuration_error(source.names(field), raw, variables=(VARIABLES[field],)) from None
        urls = metadata_urls(location)
        if queried_arm is None:
            queried_arm = base.split("/metadata/endpoints", 1)[0]

    def parse(body: str) -> Cloud:
        return cloud_from_metadata(body, name=name, queried_arm=queried_arm, selector=selector)

    try:
        return _metadata_source.load(location, urls, parse, ttl=ttl, cache_dir=cache_dir)
    except (_metadata_source.MetadataUnavailable, ValueError) as exc:  # ValueError: from parse
        unreachable = isinstance(exc, _metadata_source.MetadataUnavailable) and not exc.local
        what = "cannot be had" if isinstance(exc, _metadata_source.MetadataUnavailable) else "is unusable"
        hint = ""
        if field == "resource_manager":
            hint = (
                " This Resource Manager is of no built-in cloud, so azenvcloud asked its metadata for the "
                "rest; to skip that, set AZURE_AUTHORITY_HOST and AZURE_AUDIENCE too (a custom cloud "
                "needs all three), or AZURE_CLOUD_METADATA_URL to a snapshot file."
            )
        error = MetadataUnavailableError if unreachable else ConfigurationError
        # What would be accepted is said only when the value was the problem, not the network.
        tail = "" if unreachable else f" Accepted: {accepted}."
        raise error(
            f"{source.names(field)}={quote_value(raw)}: the cloud metadata {what}: "
            f"{redact_url(str(exc))}.{hint}{tail}",
            variables=(VARIABLES[field],),
        ) from None


def discover(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    given: Mapping[str, Given],
    selector: str | None,
    *,
    ttl: int,
    cache_dir: str | None,
) -> tuple[Cloud, Source] | None:
    """The cloud from metadata, when a metadata URL is set or an unknown ARM lacks its partners."""
    if "cloud_metadata_url" in values:
        field, location = "cloud_metadata_url", str(values["cloud_metadata_url"]).strip()
        arm = given.get("resource_manager")
        # The Resource Manager asked for picks from an array and stands in for one the document
        # lacks: only a trusted one may. An untrusted one is judged against the cloud the location
        # describes (for a URL, its own Resource Manager), never against a value it supplied itself.
        queried_arm = arm.value if arm is not None and _trust.is_trusted(arm.source) else None
    else:
        arm = given.get("resource_manager")
        complete = all(field in given for field in ENDPOINT_FIELDS)
        if arm is None or arm.known_cloud is not None or complete:
            return None
        if "cloud" in values and selector is None:  # a built-in name: override semantics
            return None
        field, location, queried_arm = "resource_manager", arm.value, arm.value
    # Metadata describes every destination: it is read only from a trusted location, and a copy
    # served from the cache is trusted as the less trusted of its URL and the cache folder.
    _trust.require_trusted(
        VARIABLES[field],
        values[field],
        _trust.weakest(sources[field], sources.get("metadata_cache_dir"), sources.get("metadata_ttl")),
        "it is of no built-in cloud, so azenvcloud would read the whole cloud's description from it",
    )
    if field == "cloud_metadata_url":
        _refuse_relative_snapshot(location, values[field], sources[field])

    def load(resource_manager: str | None) -> tuple[Cloud, str]:
        return load_metadata(
            location,
            field=field,
            raw=values[field],
            source=sources[field],
            name=selector,
            queried_arm=resource_manager,
            ttl=ttl,
            cache_dir=cache_dir,
        )

    try:
        cloud, origin = load(queried_arm)
    except ConfigurationError:
        if arm is not None and queried_arm is None and is_local(location):
            _refuse_standing_in(arm, lambda: load(arm.value))
        raise
    return cloud, Source("metadata", origin)


def _refuse_standing_in(arm: Given, load: Callable[[], object]) -> None:
    """A snapshot that lacks a Resource Manager has none of its own for an untrusted one to repeat:
    when the untrusted one would have made it usable, that is the trust rule's error, not the
    snapshot's (which it leaves to the caller)."""
    try:
        load()
    except ConfigurationError:
        return
    raise _trust.refuse(
        VARIABLES["resource_manager"],
        arm.raw,
        arm.source,
        "the cloud metadata names no Resource Manager of its own, so there is none to repeat",
    )


def _refuse_relative_snapshot(location: str, raw: object, source: Source) -> None:
    """A snapshot file is named by an absolute path, as the cache folder is: a relative one is
    whatever file of that name the working directory holds (a cloned repository may ship one)."""
    if not is_local(location):
        return
    path = unquote(urlsplit(location).path) if location.startswith("file://") else location
    if not os.path.isabs(path):
        raise unusable(
            "cloud_metadata_url",
            raw,
            source,
            InvalidValue(
                "it is a relative path, so the cloud would be described by whatever file of that name "
                "the working directory holds (a cloned repository may ship one)",
                "an absolute path of a snapshot file (give an absolute path, or a file:/// URL), "
                "or an https metadata URL",
            ),
        )


def refuse_untrusted_name_over_metadata(
    named: str | None,
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    cloud: Cloud,
    described_by: Source,
) -> None:
    """A built-in ``AZURE_CLOUD`` from the implicit ``./.env`` must be the cloud the trusted
    metadata describes (a single document is not picked from by name, so nothing else checks it):
    otherwise it is the mixed-cloud error (``dod`` would graft the DoD Graph onto a private cloud)."""
    if named is None or named not in BUILTIN_CLOUDS or _trust.is_trusted(sources["cloud"]):
        return
    if cloud.name == named:
        return
    raise ConfigurationError(
        f"{sources['cloud'].names('cloud')}={quote_value(values['cloud'])} selects {named} but the cloud "
        f"metadata ({described_by}) describes {cloud.name}. Values of two clouds in one configuration "
        "make token requests fail or send a token to the other cloud. Accepted: remove AZURE_CLOUD from "
        f"the .env file {sources['cloud'].detail} (the metadata selects the cloud), or set AZURE_CLOUD "
        "in the environment.",
        variables=("AZURE_CLOUD", "AZURE_CLOUD_METADATA_URL"),
    )
