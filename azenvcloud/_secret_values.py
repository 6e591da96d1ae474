"""Secret values never in a message: whatever variable, URL or text they appear inside.

A tool that expanded ``${AZURE_CLIENT_SECRET}`` in a ``.env`` file before azenvcloud ran (Flask's
CLI does so whenever python-dotenv is installed) can hand azenvcloud a value such as
``https://<secret>.attacker.example``; quoting that value in an error would print the secret.
Every :class:`~azenvcloud.ConfigurationError`, every warning azenvcloud logs and every line
``azenvcloud show`` writes goes through :func:`redact_secrets`. (URL user-info and query values
are :func:`azenvcloud.errors.redact_url`'s business.)
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
import urllib.parse

from ._fork import renew_locks_after_fork

__all__ = ["SECRET_VARIABLES", "redact_secrets", "remember_secret"]

SECRET_VARIABLES = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD")
"""azure-identity's variables whose value is a secret (``provenance.IDENTITY_VARIABLES`` marks
the same ones)."""

REDACTED = "<redacted>"
_MIN_LENGTH = 4  # a shorter "secret" would blank out ordinary words; no real secret is that short
_lock = threading.Lock()
renew_locks_after_fork(globals(), "_lock")  # a new one in a forked child
_remembered: set[str] = set()


def remember_secret(value: str) -> None:
    """Redact ``value`` too from now on (a secret read from a .env file, not the environment)."""
    value = value.strip()
    if len(value) >= _MIN_LENGTH:
        with _lock:
            _remembered.add(value)


def _secrets() -> list[str]:
    found = {os.environ.get(name, "").strip() for name in SECRET_VARIABLES}
    with _lock:
        found |= _remembered
    return sorted((value for value in found if len(value) >= _MIN_LENGTH), key=len, reverse=True)


def redact_secrets(text: str) -> str:
    """``text`` with every known secret value replaced by ``<redacted>``, wherever it appears.

    Case-insensitively (a secret expanded into a host name comes back lower-cased), and in the
    forms a message or a document may carry it: as written, percent-encoded, and escaped for JSON
    (``json.dumps`` writes ``\\u00e4`` for ``ä``). A secret shorter than four characters is not
    redacted: it would blank out ordinary words (SECURITY.md says so).
    """
    secrets = _secrets()
    if not secrets:
        return text
    return _pattern(tuple(secrets)).sub(REDACTED, text)


@functools.lru_cache(maxsize=8)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str]:
    forms = {form for secret in secrets for form in _forms(secret) if len(form) >= _MIN_LENGTH}
    ordered = sorted(forms, key=len, reverse=True)  # the longest first: no half-replaced form
    return re.compile("|".join(re.escape(form) for form in ordered), re.IGNORECASE)


def _forms(secret: str) -> set[str]:
    return {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }


class _RedactingFilter(logging.Filter):
    """Redact secrets from azenvcloud's own log records (warnings included) before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets():
            message = record.getMessage()
            redacted = redact_secrets(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


logging.getLogger("azenvcloud").addFilter(_RedactingFilter())
