"""An Application Insights connection string: read as the exporter reads it, written back whole.

A connection string is ``key=value`` pairs separated by ``;``, its keys compared without regard
to case (azure-monitor-opentelemetry-exporter 1.0.0b58 ``_connection_string_parser.py``, as
installed): ``InstrumentationKey`` (a GUID, required), ``IngestionEndpoint`` and ``LiveEndpoint``
(where telemetry and Live Metrics go), ``AADAudience`` (whose token they carry), and others
(``ApplicationId``, ``ProfilerEndpoint``, ...) kept as they are. ``EndpointSuffix`` with an optional
``Location`` stands for the endpoints it does not name, built as the exporter builds them:
``https://{Location.}dc.{EndpointSuffix}`` and ``https://{Location.}live.{EndpointSuffix}``.

Here a value is only read and written: which of its hosts and which audience a configuration
accepts is decided above the settings (:mod:`azenvcloud._dataplane.applicationinsights`), and what
the implicit ``./.env`` may say in one by the trust rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._parsers import InvalidValue, parse_dns_suffix, parse_endpoint, parse_service_url

__all__ = [
    "AAD_AUDIENCE",
    "ENDPOINTS",
    "INGESTION_ENDPOINT",
    "INSTRUMENTATION_KEY",
    "LIVE_ENDPOINT",
    "ConnectionString",
    "parse_connection_string",
    "read_connection_string",
]

INSTRUMENTATION_KEY = "InstrumentationKey"
INGESTION_ENDPOINT = "IngestionEndpoint"
LIVE_ENDPOINT = "LiveEndpoint"
AAD_AUDIENCE = "AADAudience"
_ENDPOINT_SUFFIX = "EndpointSuffix"
_LOCATION = "Location"
_AUTHORIZATION = "Authorization"

ENDPOINTS = (INGESTION_ENDPOINT, LIVE_ENDPOINT, "ProfilerEndpoint", "SnapshotEndpoint")
"""The keys whose value is a host something is sent to, in the order they are judged."""

# Each endpoint key EndpointSuffix stands for, and the prefix the exporter builds its host with.
_DERIVED = {INGESTION_ENDPOINT: "dc", LIVE_ENDPOINT: "live"}
_CANONICAL = {
    key.lower(): key
    for key in (INSTRUMENTATION_KEY, *ENDPOINTS, AAD_AUDIENCE, _ENDPOINT_SUFFIX, _LOCATION, _AUTHORIZATION)
}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ACCEPTED = (
    "the connection string of an Application Insights resource, key=value pairs separated by ';' "
    "(InstrumentationKey=<GUID>;IngestionEndpoint=https://<region>.in.applicationinsights.azure.us/;"
    "LiveEndpoint=https://<region>.livediagnostics.monitor.azure.us/), as its Overview page shows it"
)


@dataclass(frozen=True)
class ConnectionString:
    """A parsed connection string.

    Attributes:
        pairs: Every ``(key, value)`` as given, in order, with known keys in their canonical
            spelling (``IngestionEndpoint``) and endpoints normalised (``https://host``).
    """

    pairs: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        """The value of ``key`` (any case), or ``None``."""
        wanted = key.lower()
        return next((value for name, value in self.pairs if name.lower() == wanted), None)

    @property
    def instrumentation_key(self) -> str:
        """The resource's instrumentation key, a lower-case GUID."""
        return str(self.get(INSTRUMENTATION_KEY))

    def endpoint(self, key: str) -> str | None:
        """``IngestionEndpoint``, ``LiveEndpoint``, ...: as written, else built from
        ``EndpointSuffix`` (and ``Location``) as the exporter builds it, else ``None``."""
        written = self.get(key)
        if written is not None:
            return written
        suffix, prefix = self.get(_ENDPOINT_SUFFIX), _DERIVED.get(key)
        if suffix is None or prefix is None:
            return None
        location = self.get(_LOCATION)
        return f"https://{f'{location}.' if location else ''}{prefix}.{suffix}"

    def destinations(self) -> tuple[tuple[str, str], ...]:
        """``(key, URL)`` of every host the string sends something to, written or built."""
        found = ((key, self.endpoint(key)) for key in ENDPOINTS)
        return tuple((key, url) for key, url in found if url is not None)

    def describe(self, key: str) -> str:
        """How ``key``'s endpoint came about, for a message: ``IngestionEndpoint`` or
        ``IngestionEndpoint (built from EndpointSuffix)``."""
        return key if self.get(key) is not None else f"{key} (built from {_ENDPOINT_SUFFIX})"

    def written(self, **values: str) -> str:
        """The connection string with ``values`` (``IngestionEndpoint="https://..."``) set, the
        instrumentation key, the endpoints and the audience first, then the other pairs as given."""
        given = dict(self.pairs)
        given.update(values)
        first = [key for key in (INSTRUMENTATION_KEY, *ENDPOINTS, AAD_AUDIENCE) if key in given]
        rest = [name for name, _ in self.pairs if name not in first]
        return ";".join(f"{name}={given[name]}" for name in (*first, *rest))


def read_connection_string(raw: object) -> ConnectionString:
    """``raw`` as a :class:`ConnectionString`.

    Refused, as the exporter refuses it or cannot use it: a pair without exactly one ``=`` (an
    empty one, from a trailing ``;``, too), a key given twice, ``Authorization`` other than
    ``ikey``, an instrumentation key that is missing or no GUID, an endpoint that is not an
    https URL of a host alone (a path would be sent to as ``<path>/v2.1/track``), an
    ``EndpointSuffix`` that is no DNS suffix, a ``Location`` that is no DNS label.

    Raises:
        InvalidValue: What is wrong with it, and what is accepted.
    """
    text = str(raw).strip()
    if not text:
        raise InvalidValue("it is empty", _ACCEPTED)
    pairs: list[tuple[str, str]] = []
    for number, pair in enumerate(text.split(";"), start=1):
        if pair.count("=") != 1:
            problem = "it is empty (a ';' too many)" if not pair.strip() else "it has no single '='"
            raise InvalidValue(f"its pair number {number} cannot be read: {problem}", _ACCEPTED)
        name, value = (part.strip() for part in pair.split("="))
        key = _CANONICAL.get(name.lower(), name)
        if not key or any(key.lower() == known.lower() for known, _ in pairs):
            raise InvalidValue(
                f"its pair number {number} has {'no key' if not key else 'a key given twice'}", _ACCEPTED
            )
        pairs.append((key, _checked(key, value)))
    found = ConnectionString(tuple(pairs))
    if found.get(INSTRUMENTATION_KEY) is None:
        raise InvalidValue("it has no InstrumentationKey", _ACCEPTED)
    return found


def _checked(key: str, value: str) -> str:
    """A pair's value, normalised, or :class:`InvalidValue` naming its key."""
    if key == INSTRUMENTATION_KEY:
        if not _GUID.fullmatch(value.lower()):
            raise InvalidValue("its InstrumentationKey is no GUID", _ACCEPTED)
        return value.lower()
    if key == _AUTHORIZATION and value.lower() != "ikey":
        raise InvalidValue("its Authorization is not ikey (the only one the exporter takes)", _ACCEPTED)
    try:
        if key in ENDPOINTS:
            return parse_endpoint(value, allow_path=False, accepted=_ACCEPTED)
        if key == AAD_AUDIENCE:
            return parse_service_url(value) + "/"
        if key == _ENDPOINT_SUFFIX:
            return parse_dns_suffix(value).lstrip(".").lower()
    except InvalidValue as exc:
        raise InvalidValue(f"its {key} is not usable: {exc.problem}", _ACCEPTED) from None
    if key == _LOCATION and not _LABEL.fullmatch(value.lower()):
        raise InvalidValue("its Location is no region name (one DNS label)", _ACCEPTED)
    return value


def parse_connection_string(raw: object) -> str:
    """The parser ``APPLICATIONINSIGHTS_CONNECTION_STRING`` is declared with: the value, once it
    reads (:func:`read_connection_string`), as written.

    Raises:
        InvalidValue: It does not read.
    """
    read_connection_string(raw)
    return str(raw).strip()
