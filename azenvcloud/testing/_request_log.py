"""The fake cloud's requests as a file: one JSON line per request, written as it is answered, so
that the file can be read (``tail -f``) while the fake runs.

Each line says where the request went and for whom: its method, host and path, its ``kind``, the
status answered, the scope asked for (token requests) or of the bearer token presented, the client
ID, tenant and configuration (of a token request, or of the presented token), and why a proxy
request was refused. Never a token, a secret or a form value but the client ID.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._server import RecordedRequest

__all__ = ["RequestLog", "log_line"]


def log_line(request: RecordedRequest, status: int | None) -> dict[str, Any]:
    """The log's line for ``request``, answered with ``status`` (``None``: no answer was sent)."""
    line: dict[str, Any] = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": request.method,
        "host": request.host,
        "path": request.path,
        "kind": request.kind,
        "status": status,
        "scope": request.scope,
        "client_id": request.client_id,
        "tenant": request.tenant,
        "configuration": request.configuration,
    }
    if request.refused is not None:
        line["refused"] = request.refused
    return line


class RequestLog:
    """A file of JSON lines, one per request (:func:`log_line`), created anew for the user alone
    (0600), each line flushed as it is written."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
        self._file: IO[str] = os.fdopen(os.open(self.path, flags, 0o600), "w", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, request: RecordedRequest, status: int | None) -> None:
        """Add the line of one request and flush it."""
        text = json.dumps(log_line(request, status)) + "\n"
        with self._lock:
            if not self._file.closed:
                self._file.write(text)
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()
