"""The exceptions azenvcloud raises, rooted in the builtins they refine."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ConfigurationError", "quote_value"]

# A configuration value is quoted in messages, never echoed raw: long values are cut and
# control characters made visible so one bad variable gives one readable line.
_MAX_QUOTED = 120


def quote_value(value: object) -> str:
    """Return ``value`` quoted for an error message: visible control characters, bounded length."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_QUOTED:
        text = f"{text[:_MAX_QUOTED]}... ({len(text)} characters)"
    return repr(text)


class ConfigurationError(ValueError):
    """The configuration cannot be used: a bad, inconsistent or missing value.

    Raised when settings are resolved, before any network call. The message names the
    environment variables at fault, the offending value and what would be accepted. It never
    contains a secret: azenvcloud does not read secrets into its messages at all.

    Attributes:
        variables: The environment variables the problem is about, most relevant first.
    """

    def __init__(self, message: str, *, variables: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.variables: tuple[str, ...] = tuple(variables)
