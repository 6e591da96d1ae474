"""Secret values never in a message: whatever variable, URL or text they appear inside.

A tool that expanded ``${AZURE_CLIENT_SECRET}`` in a ``.env`` file before azenvcloud ran (Flask's
CLI does so whenever python-dotenv is installed) can hand azenvcloud a value such as
``https://<secret>.attacker.example``; quoting that value in an error would print the secret.
Every :class:`~azenvcloud.ConfigurationError`, every warning azenvcloud logs and every line
``azenvcloud show`` writes goes through :func:`redact_secrets`. (URL user-info and query values
are :func:`azenvcloud.errors.redact_url`'s business.)
"""

from __future__ import annotations

import logging
import os
import threading

__all__ = ["SECRET_VARIABLES", "redact_secrets", "remember_secret"]

SECRET_VARIABLES = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD")
"""azure-identity's variables whose value is a secret (``provenance.IDENTITY_VARIABLES`` marks
the same ones)."""

REDACTED = "<redacted>"
_MIN_LENGTH = 4  # a shorter "secret" would blank out ordinary words; no real secret is that short
_lock = threading.Lock()
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
    """``text`` with every known secret value replaced by ``<redacted>``, wherever it appears."""
    for secret in _secrets():
        text = text.replace(secret, REDACTED)
    return text


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


def _renew_lock_after_fork() -> None:
    # A lock held by another thread at fork time would stay held forever in the child.
    global _lock  # noqa: PLW0603
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_lock_after_fork)
