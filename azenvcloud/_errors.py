"""What goes wrong, in words for people: the exceptions azenvcloud raises (rooted in the builtins
they refine), the warnings it notices while the settings resolve, and how values are quoted.

Deep in a resolution (an expired metadata copy used during an outage) there is no settings
object yet to attach a warning to: :func:`notice` hands it to the resolution under way in this
context (:func:`collecting`), which keeps it with the settings (for ``show`` and ``check``) and
logs it once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from ._secret_values import redact_secrets

__all__ = [
    "ConfigurationError",
    "MetadataUnavailableError",
    "collecting",
    "notice",
    "quote_value",
    "redact_url",
]

# A configuration value is quoted in messages, never echoed raw: long values are cut and
# control characters made visible so one bad variable gives one readable line.
_MAX_QUOTED = 120
# A query's values (a SAS "sig=..."), all but the api-version, are redacted, and user-info in
# every spelling a URL parser may accept: "https://admin:pass@host", one slash or backslashes
# after the scheme ("https:/", "https:\\\\"), no scheme at all ("admin:pass@host"), and a
# password holding "/", "#" or "?". Everything from the authority's start to the "@" that
# introduces the host goes; a little too much goes rather than any of a password.
_WORD = re.compile(r"[^\s'\"]+")  # a URL is a run of non-space characters, possibly quoted
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[/\\]+")
_HOST_AFTER = re.compile(r"@(?:\[|[A-Za-z0-9._~%-]+(?::\d*)?(?:[/\\?#]|$))")
# Before a "?": "user:pa", not "host", "host/path" or "host:443".
_PASSWORD_BEFORE_QUERY = re.compile(r"(?:^|[/\\])[^/\\:]*:[^/\\]*[^/\\\d][^/\\]*$")
_BARE_START = "=(,;[{"  # what may stand right before a bare "user:pass@host"
_KEPT_QUERY = frozenset({"api-version"})


def _redact_user_info(word: str) -> str:
    before_query = word.split("?", 1)[0]
    at = before_query.rfind("@")
    if at < 0:  # a password with "?" in it ("user:pa?ss@host"): the last "@" that a host follows
        hosts = list(_HOST_AFTER.finditer(word))
        if not hosts or not _PASSWORD_BEFORE_QUERY.search(before_query):
            return word
        at = hosts[-1].start()
    scheme = _SCHEME.search(word, 0, at)
    if scheme is not None:
        start = scheme.end()
    else:  # no scheme: only "user:pass@" is user-info; a lone "name@host" is an address
        start = max(word.rfind(char, 0, at) for char in _BARE_START) + 1
        if ":" not in word[start:at] and "%3a" not in word[start:at].lower():
            return word
    if start >= at:
        return word
    return f"{word[:start]}<redacted>{word[at:]}"


def redact_url(text: str) -> str:
    """``text`` with a URL's user-info and query values (but ``api-version``) replaced by ``<redacted>``.

    Applied to every value quoted in a message, shown by the command line, logged or written to
    the metadata cache: a password in ``https://user:pass@host`` or a SAS ``sig=`` never leaves.
    """
    text = redact_secrets(text)  # first: a secret holding ?, = or @ must not be cut in two
    if "@" in text:
        text = _WORD.sub(lambda word: _redact_user_info(word.group()), text)
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


_collected: ContextVar[list[str] | None] = ContextVar("azenvcloud_notices", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect what :func:`notice` is given in this context, in the list yielded."""
    collected: list[str] = []
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def notice(message: str) -> bool:
    """Hand ``message`` to the resolution under way; whether there was one to take it (if not,
    the caller logs it itself)."""
    collected = _collected.get()
    if collected is None:
        return False
    collected.append(message)
    return True
