"""Loading a cloud from its metadata, with errors that name the variable that pointed there."""

from __future__ import annotations

from ._clouds import Cloud
from ._errors import ConfigurationError, MetadataUnavailableError, quote_value, redact_url
from ._metadata_source import DEFAULT_TTL
from ._provenance import VARIABLES, Source
from ._values import InvalidValue, parse_endpoint

__all__ = ["load_metadata"]


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
