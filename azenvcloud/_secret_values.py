"""Secret values never in a message: whatever variable, URL or text they appear inside.

A tool that expanded ``${AZURE_CLIENT_SECRET}`` in a ``.env`` file before azenvcloud ran (Flask's
CLI does so whenever python-dotenv is installed) can hand azenvcloud a value such as
``https://<secret>.attacker.example``; quoting that value in an error would print the secret.
Every :class:`~azenvcloud.ConfigurationError`, every warning azenvcloud logs and every line
``azenvcloud show`` writes goes through :func:`redact_secrets`. (URL user-info and query values
are :func:`azenvcloud._errors.redact_url`'s business.)

Not the whole secret only: any run of 8 of its characters (:data:`FRAGMENT`) is taken out too,
so that a message which shows a piece of a value (a parser quoting the part it choked on, a
value cut to a length) cannot print the part of a secret that the rest of the value hid.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import urllib.parse

from ._fork import renew_locks

__all__ = ["FRAGMENT", "SECRET_VARIABLES", "is_secret_variable", "redact_secrets", "remember_secret"]

SECRET_VARIABLES = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD")
"""azure-identity's variables whose value is a secret (``_provenance.IDENTITY_VARIABLES`` marks
the same ones)."""
_UNDER_A_PREFIX = tuple(f"_{name}" for name in SECRET_VARIABLES)
_ENDINGS = (*SECRET_VARIABLES, *_UNDER_A_PREFIX)  # one str.endswith: is_secret_variable, or a superset

REDACTED = "<redacted>"
_MIN_LENGTH = 4  # a shorter "secret" would blank out ordinary words; no real secret is that short
FRAGMENT = 8
"""No run of this many characters of a secret (in any of its forms) is ever shown; a secret
shorter than this is taken out whole."""
_lock = threading.Lock()
renew_locks(globals(), "_lock")  # a new one in a forked child
_remembered: set[str] = set()


def is_secret_variable(name: str) -> bool:
    """Whether the variable ``name`` holds a secret: one of :data:`SECRET_VARIABLES`, or one of
    them under a named configuration's prefix (``GOV_AZURE_CLIENT_SECRET``). Any prefix, declared
    or not: a message of the default configuration, or of ``azenvcloud show``, is redacted of
    ``gov``'s secret before (and whether or not) ``gov``'s settings are ever read."""
    return name in SECRET_VARIABLES or name.endswith(_UNDER_A_PREFIX)


def remember_secret(value: str) -> None:
    """Redact ``value`` too from now on (a secret read from a .env file, not the environment)."""
    value = value.strip()
    if len(value) >= _MIN_LENGTH:
        with _lock:
            _remembered.add(value)


def _secrets() -> list[str]:
    found = {os.environ[name].strip() for name in os.environ if name.endswith(_ENDINGS)}
    with _lock:
        found |= _remembered
    return sorted((value for value in found if len(value) >= _MIN_LENGTH), key=len, reverse=True)


def redact_secrets(text: str) -> str:
    """``text`` with every known secret value, and every run of :data:`FRAGMENT` characters of
    one, replaced by ``<redacted>``, wherever it appears.

    Case-insensitively (a secret expanded into a host name comes back lower-cased), and in the
    forms a message or a document may carry it: as written, percent-encoded, and escaped for JSON
    (``json.dumps`` writes ``\\u00e4`` for ``ä``). A secret shorter than four characters is not
    redacted: it would blank out ordinary words (SECURITY.md says so).
    """
    secrets = _secrets()
    if not secrets:
        return text
    return _Fragments.of(tuple(secrets)).redact(text)


class _Fragments:
    """Every run of :data:`FRAGMENT` characters of the secrets' forms (lower-cased), and the
    shorter forms whole, found by sliding a window over a text: one set lookup per character
    and window size, whatever the number or length of the secrets."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        forms = {form.lower() for secret in secrets for form in _forms(secret) if len(form) >= _MIN_LENGTH}
        self.windows: dict[int, frozenset[str]] = {}
        runs = {form[i : i + FRAGMENT] for form in forms for i in range(len(form) - FRAGMENT + 1)}
        if runs:
            self.windows[FRAGMENT] = frozenset(runs)
        for size in sorted({len(form) for form in forms if len(form) < FRAGMENT}):
            self.windows[size] = frozenset(form for form in forms if len(form) == size)

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def of(secrets: tuple[str, ...]) -> _Fragments:
        return _Fragments(secrets)

    def redact(self, text: str) -> str:
        lowered = _lower_in_place(text)
        spans = sorted(
            (start, start + size)
            for size, found in self.windows.items()
            for start in range(len(lowered) - size + 1)
            if lowered[start : start + size] in found
        )
        if not spans:
            return text
        parts, done = [], 0
        merged: list[list[int]] = []
        for start, end in spans:  # overlapping or touching runs are one piece of a secret
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            parts.append(text[done:start])
            parts.append(REDACTED)
            done = end
        parts.append(text[done:])
        return "".join(parts)


def _lower_in_place(text: str) -> str:
    """``text`` lower-cased, one character for each (``str.lower`` turns a few characters into
    two, which would shift every position after them: those stay as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


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
        secrets = _secrets()  # read once per record: it walks the environment's names
        if secrets:
            message = record.getMessage()
            redacted = _Fragments.of(tuple(secrets)).redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


logging.getLogger("azenvcloud").addFilter(_RedactingFilter())
