"""Loading a metadata document: a local snapshot, or an https fetch behind a disk cache.

Fetches go through azure-core's pipeline (the SDK's proxy and TLS settings), https only, each
redirect held to the rules of a configured URL, bounded in size, and bounded in time by one
monotonic deadline (``TOTAL_TIMEOUT``) across api-versions, retries, ``Retry-After`` waits,
redirects, the TLS handshake, status line, headers and body (on the socket:
:mod:`azenvcloud._socket_deadline`) and the wait for another process's fetch. Successful
documents are cached on disk per URL, written atomically, for ``AZENVCLOUD_METADATA_TTL``
seconds (default a day; ``0`` disables the cache), in a folder only this user can write.
Processes starting together take a per-URL file lock, so one of them fetches and the rest read
its copy; one that already holds an expired copy uses it rather than wait. When a fetch fails,
an expired copy is used with a warning saying how old it is. A cache that cannot be used is a
cache miss, with one warning, never a crash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from ._errors import notice, redact_url
from ._failure_hints import ca_hint, plain_network_message
from ._metadata_cache import Cache
from ._version import __version__

__all__ = [
    "DEFAULT_TTL",
    "MAX_BYTES",
    "Deadline",
    "MetadataUnavailable",
    "fetch",
    "is_local",
    "load",
    "read_file",
]

T = TypeVar("T")
_log = logging.getLogger("azenvcloud")

MAX_BYTES = 1024 * 1024
DEFAULT_TTL = 86400
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0  # seconds, for everything one load does
RETRY_BACKOFF_FACTOR = 0.5  # seconds; doubled per retry
RETRIES = 3  # for 429 and 5xx
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_REDIRECTS = 3
_CHUNK = 16 * 1024


class MetadataUnavailable(Exception):
    """No usable document: the fetch failed (or the file is unreadable) and nothing is cached.

    Internal: it becomes a ``ConfigurationError``. ``status`` is the HTTP status when the server
    answered with one other than 200; ``local`` is true for a snapshot file that cannot be read
    (a configuration mistake rather than a network failure).
    """

    def __init__(self, message: str, *, status: int | None = None, local: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.local = local


class Deadline:
    """One monotonic deadline for everything a load does."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def check(self, doing: str) -> float:
        left = self.left()
        if left <= 0.01:
            raise MetadataUnavailable(f"it took longer than {self.seconds:g} s in all ({doing})")
        return left


def is_local(location: str) -> bool:
    """Whether a metadata location is a file (a path or ``file://`` URL) rather than https."""
    return location.startswith("file://") or "://" not in location


# -- snapshots ------------------------------------------------------------------------------


def read_file(location: str) -> str:
    if location.startswith("file://"):
        parts = urlsplit(location)
        if parts.netloc not in {"", "localhost"}:
            raise MetadataUnavailable(
                f"{location} names a host ({parts.netloc}); a file:// URL must name a local file "
                "(file:///path)",
                local=True,
            )
        path = Path(unquote(parts.path))
    else:
        path = Path(location)
    try:
        # O_NONBLOCK: opening a FIFO must not hang; anything but a regular file is refused.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise MetadataUnavailable(
            f"the file {path} cannot be read ({exc.strerror or exc})", local=True
        ) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise MetadataUnavailable(f"{path} is not a regular file", local=True)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise MetadataUnavailable(f"the file {path} is larger than {MAX_BYTES} bytes", local=True)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MetadataUnavailable(f"the file {path} is not UTF-8 text", local=True) from None


# -- fetching -------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    """A URL fetched (the first or a redirect's) obeys the rules of a configured one."""
    from ._parsers import InvalidValue, parse_endpoint

    if urlsplit(url).scheme.lower() != "https":
        raise MetadataUnavailable(f"{redact_url(url)} is not https (a redirect to another scheme is refused)")
    base = url.split("?", 1)[0]
    try:
        parse_endpoint(base, accepted="https")
    except InvalidValue as exc:
        raise MetadataUnavailable(f"{redact_url(url)} is not usable: {exc.problem}") from None


def fetch(url: str, deadline: Deadline) -> tuple[str, str]:
    """GET one https URL with azure-core's pipeline: ``(body, final URL)``."""
    from azure.core.pipeline import Pipeline
    from azure.core.pipeline.policies import ProxyPolicy, UserAgentPolicy
    from azure.core.rest import HttpRequest

    from ._ca import connection_verify
    from ._socket_deadline import watched, watched_transport

    # azure-core types its policies per request type; this list mixes its stock ones freely.
    policies: list[Any] = [UserAgentPolicy(base_user_agent=f"azenvcloud/{__version__}"), ProxyPolicy()]
    pipeline: Pipeline[HttpRequest, Any] = Pipeline(
        transport=watched_transport(connection_verify=connection_verify()), policies=policies
    )
    # The deadline on the socket: a handshake, status line, headers or body trickled byte by byte
    # passes every per-read timeout; the watchdog shuts the connection down when time is up.
    with pipeline, _redacted_url_logs(), watched(deadline.left()):
        return _follow(pipeline, url, deadline)


class _RedactUrls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message or "@" in message:
            record.msg, record.args = redact_url(message), ()
        return True


@contextlib.contextmanager
def _redacted_url_logs() -> Iterator[None]:
    # urllib3 logs each request line (the URL with its query: a SAS signature) at DEBUG.
    logger, redact = logging.getLogger("urllib3.connectionpool"), _RedactUrls()
    logger.addFilter(redact)
    try:
        yield
    finally:
        logger.removeFilter(redact)


def _follow(pipeline: Any, url: str, deadline: Deadline) -> tuple[str, str]:
    """Follow at most a few redirects, retrying 429/5xx, reading at most MAX_BYTES."""
    for _ in range(_MAX_REDIRECTS + 1):
        _check_url(url)
        http = _send(pipeline, url, deadline)
        try:
            location = http.headers.get("Location")
            if 300 <= http.status_code < 400 and location:
                url = urljoin(url, location)
                continue
            if http.status_code != 200:
                raise MetadataUnavailable(f"it answered HTTP {http.status_code}", status=http.status_code)
            declared = http.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise MetadataUnavailable(f"its answer is larger than {MAX_BYTES} bytes")
            return _read_body(http, deadline), url
        finally:
            http.close()
    raise MetadataUnavailable(f"it redirected more than {_MAX_REDIRECTS} times")


def _send(pipeline: Any, url: str, deadline: Deadline) -> Any:
    """One GET, with retries: 429/5xx up to RETRIES times after back-off or ``Retry-After``, a
    failed connection once at once; every wait and timeout capped at the time left."""
    from azure.core.exceptions import AzureError
    from azure.core.rest import HttpRequest

    connection_failures = 0
    for attempt in range(RETRIES + 1):
        left = deadline.check("waiting for an answer")
        try:
            response = pipeline.run(
                HttpRequest("GET", url, headers={"Accept": "application/json"}),
                stream=True,
                connection_timeout=min(CONNECT_TIMEOUT, left),
                read_timeout=min(READ_TIMEOUT, left),
            )
        except AzureError as exc:
            deadline.check("waiting for an answer")  # the usual cause: the watchdog, at the deadline
            connection_failures += 1
            if connection_failures > 1 or deadline.left() <= 0:
                reason = plain_network_message(exc.message or type(exc).__name__)
                raise MetadataUnavailable(f"the request failed: {reason}{ca_hint(reason)}") from None
            continue
        http = response.http_response
        if http.status_code not in _RETRIED_STATUSES or attempt == RETRIES:
            return http
        wait = _retry_after(http.headers.get("Retry-After"))
        wait = RETRY_BACKOFF_FACTOR * 2**attempt if wait is None else wait
        http.close()
        if wait >= deadline.left():
            raise MetadataUnavailable(
                f"it answered HTTP {http.status_code} and asked to wait {wait:g} s, longer than the "
                f"{deadline.seconds:g} s allowed in all",
                status=http.status_code,
            )
        time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _read_body(http: Any, deadline: Deadline) -> str:
    """The body, at most MAX_BYTES, by the deadline: a server trickling its answer byte by byte
    passes every read timeout, so the time left is checked between reads that return whatever
    has arrived (urllib3's ``read1``), and each read waits at most that long."""
    raw = getattr(getattr(http, "internal_response", None), "raw", None)
    read1 = getattr(raw, "read1", None)
    chunks = http.iter_bytes(chunk_size=_CHUNK) if read1 is None else None
    body = bytearray()
    while True:
        left = deadline.check("reading the answer")
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError, ValueError):
                sock.settimeout(min(READ_TIMEOUT, max(left, 0.001)))
        try:
            chunk = read1(_CHUNK, decode_content=True) if read1 is not None else next(chunks, b"")  # type: ignore[arg-type]
        except Exception as exc:  # urllib3 and requests each have their own read errors
            deadline.check("reading the answer")  # the usual cause: the time ran out mid-read
            raise MetadataUnavailable(f"reading the answer failed ({type(exc).__name__})") from None
        if not chunk:
            deadline.check("reading the answer")  # an end cut by the watchdog is no document
            return body.decode("utf-8", "replace")
        body.extend(chunk)
        if len(body) > MAX_BYTES:
            raise MetadataUnavailable(f"its answer is larger than {MAX_BYTES} bytes")


# -- loading --------------------------------------------------------------------------------


def load(
    location: str, urls: list[str], parse: Callable[[str], T], *, ttl: int, cache_dir: str | None
) -> tuple[T, str]:
    """Load and parse the metadata at ``location``: ``(parsed, where it came from)``.

    Args:
        location: What the user configured: a file path, ``file://`` URL, or https URL.
        urls: For https, the URLs to try in order (newest api-version first).
        parse: ``parse(body)``, raising ``ValueError`` for a document it cannot use; only
            documents it accepts are cached.
        ttl: Seconds a cached copy is fresh; ``0``: no cache.
        cache_dir: The cache folder, or ``None`` for the user's cache folder.

    Raises:
        MetadataUnavailable: Nothing could be fetched or read in time, and nothing is cached.
        ValueError: From ``parse``, when the document was read but is unusable.
    """
    if is_local(location):
        return parse(read_file(location)), location
    deadline = Deadline(TOTAL_TIMEOUT)
    cache = Cache.open(cache_dir) if ttl > 0 else None
    if cache is None:
        result, _, final = _fetch_and_parse(urls, parse, deadline)
        return result, final
    return _load_cached(cache, location, urls, parse, ttl=ttl, deadline=deadline)


def _load_cached(
    cache: Cache, location: str, urls: list[str], parse: Callable[[str], T], *, ttl: int, deadline: Deadline
) -> tuple[T, str]:
    path = cache.path(location)
    cached = cache.read(path, location)
    if cached and cached.fresh(ttl):
        return parse(cached.body), cached.url or location
    with cache.locked(path, deadline.left, wait=cached is None) as locked:
        if locked:
            cached = cache.read(path, location) or cached  # another process may have just fetched it
            if cached and cached.fresh(ttl):
                return parse(cached.body), cached.url or location
        elif cached is None:
            raise MetadataUnavailable(
                f"another process has been fetching it for {deadline.seconds:g} s; nothing is cached yet"
            )
        else:
            _log.info(
                "azenvcloud: another process is refreshing the cloud metadata from %s; "
                "using the cached copy from %s ago",
                redact_url(location),
                age(cached.age_seconds()),
            )
            return parse(cached.body), cached.url or location
        try:
            result, body, final = _fetch_and_parse(urls, parse, deadline)
        except (MetadataUnavailable, ValueError) as exc:
            if cached is None:
                raise
            stale = (
                f"the cloud metadata from {redact_url(location)} is unavailable ({redact_url(str(exc))}); "
                f"using the expired copy cached {age(cached.age_seconds())} ago"
            )
            if not notice(stale):  # a resolution under way keeps and logs it
                _log.warning("azenvcloud: %s", stale)
            return parse(cached.body), cached.url or location
        cache.write(path, final, body, location=location)
        return result, final


def age(seconds: float) -> str:
    """``seconds`` in the unit that fits: ``45 seconds``, ``12 minutes``, ``5 hours``, ``3 days``."""
    unit, size = next(
        (unit, size)
        for unit, size, below in (
            ("second", 1, 120),
            ("minute", 60, 7200),
            ("hour", 3600, 259200),
            ("day", 86400, None),
        )
        if below is None or seconds < below
    )
    count = round(seconds / size)
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _fetch_and_parse(urls: list[str], parse: Callable[[str], T], deadline: Deadline) -> tuple[T, str, str]:
    """Try each URL in turn; the first that answers with a usable document wins."""
    problems = []
    malformed = False
    for url in urls:
        try:
            body, final = fetch(url, deadline)
            return parse(body), body, final
        except (MetadataUnavailable, ValueError) as exc:
            problems.append(f"{redact_url(url)}: {exc}")
            malformed = malformed or isinstance(exc, ValueError)
            if len(urls) > 1 and not _worth_trying_older(exc):
                break
            if deadline.left() <= 0:
                break
    message = problems[0].split(": ", 1)[1] if len(problems) == 1 else "; ".join(problems)
    if malformed:  # a document came but was unusable: a configuration problem, not the network
        raise ValueError(message)
    raise MetadataUnavailable(message)


def _worth_trying_older(exc: Exception) -> bool:
    # An older api-version helps when this one was refused (4xx) or answered in a shape we
    # cannot use; not when the host is unreachable or failing, which would only multiply the wait.
    if not isinstance(exc, MetadataUnavailable):
        return True
    return exc.status is not None and 400 <= exc.status < 500
