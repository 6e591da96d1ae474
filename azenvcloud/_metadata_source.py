"""Loading a metadata document: a local snapshot, or an https fetch behind a disk cache.

Fetches go through azure-core's pipeline (the SDK's proxy and TLS settings; retries with
back-off on 429/5xx honouring ``Retry-After``), https only, no redirect to another scheme,
bounded in time and size. Successful documents are cached on disk per URL, written atomically,
for ``AZENVCLOUD_METADATA_TTL`` seconds (default a day; ``0`` disables the cache). Processes
starting together take a per-URL file lock, so one of them fetches and the rest read its copy:
one fetch per time-to-live per machine. When a fetch fails, an expired copy is used with a
warning saying how old it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from ._version import __version__

__all__ = ["CACHE_DIR_VARIABLE", "MAX_BYTES", "TTL_VARIABLE", "MetadataUnavailable", "load"]

T = TypeVar("T")
_log = logging.getLogger("azenvcloud")

MAX_BYTES = 1024 * 1024
CACHE_DIR_VARIABLE = "AZENVCLOUD_CACHE_DIR"
TTL_VARIABLE = "AZENVCLOUD_METADATA_TTL"
DEFAULT_TTL = 86400
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
TOTAL_TIMEOUT = 30
RETRY_BACKOFF_FACTOR = 0.5  # seconds; doubled per retry
_MAX_REDIRECTS = 3


class MetadataUnavailable(Exception):
    """No usable document: the fetch failed (or the file is unreadable) and nothing is cached.

    Internal: it becomes a ``ConfigurationError``. ``status`` is the HTTP status when the server
    answered with one other than 200.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def is_local(location: str) -> bool:
    """Whether a metadata location is a file (a path or ``file://`` URL) rather than https."""
    return location.startswith("file://") or "://" not in location


def _read_file(location: str) -> str:
    path = Path(unquote(urlsplit(location).path)) if location.startswith("file://") else Path(location)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MetadataUnavailable(f"the file {path} is larger than {MAX_BYTES} bytes")
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MetadataUnavailable(f"the file {path} cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise MetadataUnavailable(f"the file {path} is not UTF-8 text") from None


def _ttl() -> int:
    raw = os.environ.get(TTL_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TTL
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        from .errors import ConfigurationError, quote_value

        raise ConfigurationError(
            f"{TTL_VARIABLE}={quote_value(raw)} is not usable: it is not a whole number of seconds. "
            "Accepted: 0 (no cache) or more, such as 86400 (a day).",
            variables=(TTL_VARIABLE,),
        )
    return value


def _cache_dir() -> Path:
    named = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    if named:
        return Path(named)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("azenvcloud")) / "metadata"


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock between processes (POSIX); elsewhere, no lock: at worst a refetch."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_cache(path: Path) -> tuple[str, float] | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        return str(entry["body"]), float(entry["fetched_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, url: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"url": url, "fetched_at": time.time(), "body": body}, handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fetch(url: str) -> str:
    """GET one https URL with azure-core's pipeline; the body as text."""
    from azure.core.pipeline import Pipeline
    from azure.core.pipeline.policies import ProxyPolicy, RetryPolicy, UserAgentPolicy
    from azure.core.pipeline.transport import RequestsTransport
    from azure.core.rest import HttpRequest

    # azure-core types its policies per request type; this list mixes its stock ones freely.
    policies: list[Any] = [
        UserAgentPolicy(base_user_agent=f"azenvcloud/{__version__}"),
        ProxyPolicy(),
        # 429/5xx: three retries with back-off, honouring Retry-After. A refused or
        # unresolvable host: one immediate retry, since waiting rarely helps there.
        RetryPolicy(
            retry_total=3,
            retry_connect=1,
            retry_backoff_factor=RETRY_BACKOFF_FACTOR,
            retry_backoff_max=8,
            timeout=TOTAL_TIMEOUT,
        ),
    ]
    pipeline: Pipeline[HttpRequest, Any] = Pipeline(
        transport=RequestsTransport(connection_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT),
        policies=policies,
    )
    with pipeline:
        return _follow(pipeline, url)


def _follow(pipeline: Any, url: str) -> str:
    """Run the GET, following at most a few https redirects, reading at most MAX_BYTES."""
    from azure.core.exceptions import AzureError
    from azure.core.rest import HttpRequest

    for _ in range(_MAX_REDIRECTS + 1):
        if urlsplit(url).scheme.lower() != "https":
            raise MetadataUnavailable(f"{url} is not https (a redirect to another scheme is refused)")
        try:
            response = pipeline.run(
                HttpRequest("GET", url, headers={"Accept": "application/json"}), stream=True
            )
        except AzureError as exc:
            raise MetadataUnavailable(f"the request failed: {exc.message or type(exc).__name__}") from None
        http = response.http_response
        try:
            if 300 <= http.status_code < 400 and http.headers.get("Location"):
                url = http.headers["Location"]
                continue
            if http.status_code != 200:
                raise MetadataUnavailable(f"it answered HTTP {http.status_code}", status=http.status_code)
            declared = http.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise MetadataUnavailable(f"its answer is larger than {MAX_BYTES} bytes")
            body = bytearray()
            for chunk in http.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BYTES:
                    raise MetadataUnavailable(f"its answer is larger than {MAX_BYTES} bytes")
            return body.decode("utf-8", "replace")
        finally:
            http.close()
    raise MetadataUnavailable(f"it redirected more than {_MAX_REDIRECTS} times")


def load(location: str, urls: list[str], parse: Callable[[str], T]) -> T:
    """Load and parse the metadata at ``location``.

    Args:
        location: What the user configured: a file path, ``file://`` URL, or https URL.
        urls: For https, the URLs to try in order (newest api-version first).
        parse: ``parse(body)``, raising ``ValueError`` for a document it cannot use; only
            documents it accepts are cached.

    Raises:
        MetadataUnavailable: Nothing could be fetched or read, and nothing is cached.
        ValueError: From ``parse``, when the document was read but is unusable.
    """
    if is_local(location):
        return parse(_read_file(location))
    ttl = _ttl()
    cache = _cache_dir() / f"{hashlib.sha256(location.encode()).hexdigest()[:32]}.json"
    if ttl == 0:
        return _fetch_and_parse(urls, parse)[0]
    cached = _read_cache(cache)
    if cached and time.time() - cached[1] < ttl:
        return parse(cached[0])
    cache.parent.mkdir(parents=True, exist_ok=True)
    with _locked(cache.with_suffix(".lock")):
        cached = _read_cache(cache)  # another process may have just fetched it
        if cached and time.time() - cached[1] < ttl:
            return parse(cached[0])
        try:
            result, body = _fetch_and_parse(urls, parse)
        except (MetadataUnavailable, ValueError) as exc:
            if cached is None:
                raise
            age = time.time() - cached[1]
            _log.warning(
                "azenvcloud: cloud metadata from %s is unavailable (%s); "
                "using the cached copy from %.0f hours ago",
                location,
                exc,
                age / 3600,
            )
            return parse(cached[0])
        _write_cache(cache, location, body)
        return result


def _fetch_and_parse(urls: list[str], parse: Callable[[str], T]) -> tuple[T, str]:
    """Try each URL in turn; the first that answers with a usable document wins."""
    problems = []
    for url in urls:
        try:
            body = _fetch(url)
            return parse(body), body
        except (MetadataUnavailable, ValueError) as exc:
            problems.append(f"{url}: {exc}")
            if len(urls) > 1 and not _worth_trying_older(exc):
                break
    if len(problems) == 1:
        raise MetadataUnavailable(problems[0].split(": ", 1)[1])
    raise MetadataUnavailable("; ".join(problems))


def _worth_trying_older(exc: Exception) -> bool:
    # An older api-version helps when this one was refused (4xx) or answered in a shape we
    # cannot use; not when the host is unreachable or failing, which would only multiply the wait.
    if not isinstance(exc, MetadataUnavailable):
        return True
    return exc.status is not None and 400 <= exc.status < 500
