"""The exceptions azenvcloud raises, rooted in the builtins they refine, and how values are quoted."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._secret_values import redact_secrets

__all__ = ["ConfigurationError", "MetadataUnavailableError", "quote_value", "redact_url"]

# A configuration value is quoted in messages, never echoed raw: long values are cut and
# control characters made visible so one bad variable gives one readable line.
_MAX_QUOTED = 120
# user-info before a host ("https://admin:pass@host"): whatever stands between "//" and the last
# "@" before the path. A query's values (a SAS "sig=..."), all but the api-version.
_USER_INFO = re.compile(r"(?<=//)[^/?#]*@")
_KEPT_QUERY = frozenset({"api-version"})


def redact_url(text: str) -> str:
    """``text`` with a URL's user-info and query values (but ``api-version``) replaced by ``<redacted>``.

    Applied to every value quoted in a message, shown by the command line, logged or written to
    the metadata cache: a password in ``https://user:pass@host`` or a SAS ``sig=`` never leaves.
    """
    text = _USER_INFO.sub("<redacted>@", text)
    head, question, rest = text.partition("?")
    if not question:
        return text
    query, hash_sign, fragment = rest.partition("#")
    parts = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        kept = equals and name.lower() in _KEPT_QUERY
        parts.append(part if kept or not part else f"{name}=<redacted>" if equals else "<redacted>")
    return f"{head}?{'&'.join(parts)}{hash_sign}{fragment}"


def quote_value(value: object) -> str:
    """``value`` quoted for a message: visible control characters, bounded length, URLs redacted."""
    text = redact_secrets(redact_url(value if isinstance(value, str) else str(value)))  # before cutting
    if len(text) > _MAX_QUOTED:
        text = f"{text[:_MAX_QUOTED]}... ({len(text)} characters)"
    return repr(text)


class ConfigurationError(ValueError):
    """The configuration cannot be used: a bad, inconsistent or missing value.

    Raised when settings are resolved, before any token request. The message names the
    environment variables at fault, the offending value and what would be accepted. It never
    contains a secret: azenvcloud does not read secrets into its messages at all.

    Attributes:
        variables: The environment variables the problem is about, most relevant first.
    """

    def __init__(self, message: str, *, variables: Sequence[str] = ()) -> None:
        super().__init__(redact_secrets(message))  # even a secret inside another variable's value
        self.variables: tuple[str, ...] = tuple(variables)


class MetadataUnavailableError(ConfigurationError):
    """A cloud's metadata endpoint could not be reached or kept failing, and nothing usable is cached.

    Still a :class:`ConfigurationError` (the process cannot resolve its cloud), but one that a
    retry may cure: the command line exits with 3 (network failure) for it, and 2 for every
    other configuration error, a malformed metadata document included.
    """
