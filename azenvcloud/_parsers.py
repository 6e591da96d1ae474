"""Parsing one configuration value: every parser a variable is declared with, and the pieces
they share (https endpoints, audiences, subscription IDs, flags, paths, seconds, host lists).

Each parser returns the normalised value or raises :class:`InvalidValue` saying what is wrong and
what would be accepted; the caller adds which variable held the value. Which variable is parsed
by which parser is its declaration's business (:mod:`azenvcloud._variables`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from typing import Literal
from urllib.parse import urlsplit

from . import _builtin_clouds as data
from ._errors import ConfigurationError, quote_value

__all__ = [
    "InvalidValue",
    "TokenCacheMode",
    "find_control_character",
    "host_of",
    "one_of",
    "parse_accepted_hosts",
    "parse_audience",
    "parse_authority",
    "parse_cache_dir",
    "parse_dns_suffix",
    "parse_endpoint",
    "parse_flag",
    "parse_path",
    "parse_plain_name",
    "parse_resource_manager",
    "parse_seconds",
    "parse_service_suffix",
    "parse_service_url",
    "parse_subscription_id",
    "parse_text",
    "parse_token_cache",
    "scope_for_audience",
    "seconds",
]

MAX_URL_LENGTH = 2048
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_BROKEN_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
SCOPE_SUFFIX = "/.default"
_URL_ACCEPTED = "an https URL or a bare host name, such as https://management.chinacloudapi.cn"


class InvalidValue(ValueError):
    """A single value is malformed; ``problem`` and ``accepted`` become part of the user's message."""

    def __init__(self, problem: str, accepted: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.accepted = accepted

    def configuration_error(self, name: str, raw: object, *, variables: Sequence[str]) -> ConfigurationError:
        """This problem in the one message every bad value gets:
        ``NAME='value' is not usable: <problem>. Accepted: <what would be>.``"""
        return ConfigurationError(
            f"{name}={quote_value(raw)} is not usable: {self.problem}. Accepted: {self.accepted}.",
            variables=variables,
        )


def find_control_character(text: str) -> str | None:
    """The first control or invisible formatting character in ``text`` (a newline, an escape, a
    zero-width space), or ``None``. No configuration value may hold one: they inject lines into
    output, hide parts of a value on a terminal, or make two values look alike."""
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            return char
    return None


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_. -]{0,63}")
_NAME_ACCEPTED = "a plain cloud name of letters, digits, ' ', '-', '_' and '.' (at most 64), such as USSec"


def parse_plain_name(raw: str, accepted: str = _NAME_ACCEPTED) -> str:
    """A cloud name as a person writes it: short, printable, one line (from metadata or ``az``)."""
    text = raw.strip()
    if not _PLAIN_NAME.fullmatch(text):
        stray = next(
            (char for char in text if not (char.isascii() and (char.isalnum() or char in "_. -"))), None
        )
        problem = f"it contains {stray!r}" if stray else "it is empty or longer than 64 characters"
        raise InvalidValue(f"{problem}, which no cloud name has", accepted)
    return text


def parse_dns_suffix(raw: str) -> str:
    """A DNS suffix as the Azure CLI writes it (``.vault.azure.net`` or ``core.windows.net``), checked."""
    accepted = "a DNS suffix such as .vault.azure.cn or core.chinacloudapi.cn"
    text = raw.strip()
    _refuse_invisible(text, accepted)
    host = text[1:] if text.startswith(".") else text
    if not host or _check_host(host.lower(), accepted) != host.lower().rstrip("."):
        raise InvalidValue("it is not a DNS suffix", accepted)
    return text


def parse_path(raw: str, accepted: str) -> str:
    """A file or folder path: any text but control characters (they hide what is really opened)."""
    text = raw.strip()
    char = find_control_character(text)
    if char is not None or not text:
        raise InvalidValue(f"it contains a control character ({char!r})" if char else "it is empty", accepted)
    return text


def seconds(accepted: str, *, at_least: int = 0) -> Callable[[object], int]:
    """A parser of a whole number of seconds, ``at_least`` or more (``accepted`` says what is)."""

    def parse(raw: object) -> int:
        text = str(raw).strip()
        if not text.isdigit() or not text.isascii() or len(text) > 12:
            raise InvalidValue("it is not a whole number of seconds", accepted)
        if int(text) < at_least:
            raise InvalidValue(
                f"it is less than {at_least} {'second' if at_least == 1 else 'seconds'}", accepted
            )
        return int(text)

    return parse


parse_seconds = seconds("0 (no cache) or more, such as 86400 (a day)")
"""A whole number of seconds, zero or more (a cache's lifetime: ``0`` is no cache)."""


def parse_text(raw: object) -> str:
    """Any text, stripped: a value checked where it is used (a metadata URL or snapshot path)."""
    return str(raw).strip()


def one_of(choices: Collection[str], what: str) -> Callable[[object], str]:
    """A parser of one of ``choices`` in any case (returned in lower case); ``what`` names them."""

    def parse(raw: object) -> str:
        text = str(raw).strip().lower()
        if text not in choices:
            raise InvalidValue(f"it is not a known {what}", f"one of {', '.join(choices)}")
        return text

    return parse


def parse_cache_dir(raw: object) -> str:
    """``AZENVCLOUD_CACHE_DIR``: an absolute folder path."""
    path = parse_path(os.fspath(raw) if isinstance(raw, os.PathLike) else str(raw), "an absolute folder path")
    if not os.path.isabs(path):
        raise InvalidValue(
            "it is a relative path, so the cache would be whatever folder of that name the working "
            "directory holds (a cloned repository may ship one)",
            "an absolute folder path, or unset for the user's cache folder",
        )
    return path


TokenCacheMode = Literal["off", "unencrypted"]
"""``AZENVCLOUD_TOKEN_CACHE``: tokens in memory only, or also on disk (:mod:`azenvcloud._token_store`)."""


def parse_token_cache(raw: object) -> TokenCacheMode:
    """``AZENVCLOUD_TOKEN_CACHE``: ``off`` or ``unencrypted`` (no encrypted store: see
    docs/how-to/token-store.md)."""
    text = str(raw).strip().lower()
    if text == "off":
        return "off"
    if text == "unencrypted":
        return "unencrypted"
    problem = (
        "an encrypted token store is not offered (its key would have to live next to it on a headless "
        "machine, or in a Secret Service most servers do not run)"
        if text == "encrypted"
        else "it is no token store mode"
    )
    raise InvalidValue(problem, "off (the default) or unencrypted (a file per token, readable by you alone)")


def parse_accepted_hosts(raw: object) -> tuple[str, ...]:
    """``AZENVCLOUD_ACCEPTED_HOSTS``: comma-separated host names, or ``*.`` and a DNS suffix (a
    list or tuple, given in code, is read as its items)."""
    accepted = "comma-separated host names (files.contoso.com) or *.suffix (*.contoso.com)"
    items = [str(item) for item in raw] if isinstance(raw, (list, tuple)) else str(raw).split(",")
    hosts = []
    for item in items:
        text = item.strip().lower()
        if not text:
            continue
        wildcard = text.startswith("*.")
        name = parse_dns_suffix(text[2:] if wildcard else text).lstrip(".").rstrip(".")
        if "." not in name:
            raise InvalidValue(f"{item.strip()!r} is not a full host name", accepted)
        hosts.append(f"*.{name}" if wildcard else name)
    return tuple(hosts)


def parse_service_suffix(raw: object) -> str:
    """An ``AZURE_SERVICE_<SERVICE>_SUFFIX``: a DNS suffix, without its leading dot, lower case."""
    return parse_dns_suffix(str(raw)).lstrip(".").lower()


def parse_service_url(raw: object) -> str:
    """An ``AZURE_SERVICE_<SERVICE>_AUDIENCE`` or ``_ENDPOINT``: an https URL, no trailing slash."""
    return parse_endpoint(str(raw), accepted="an https URL such as https://vault.azure.cn").rstrip("/")


def _refuse_invisible(text: str, accepted: str) -> None:
    for char in text:
        if char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            raise InvalidValue(f"it contains whitespace or a control character ({char!r})", accepted)


def _check_host(host: str, accepted: str) -> str:
    if not host:
        raise InvalidValue("it has no host", accepted)
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host.isascii():
        raise InvalidValue(
            "its host has non-ASCII characters (look-alike hosts are refused; "
            "write an internationalised name in its xn-- form)",
            accepted,
        )
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidValue("its host is not a valid DNS name", accepted)
    return host.rstrip(".")


def parse_endpoint(raw: str, *, allow_path: bool = True, accepted: str = _URL_ACCEPTED) -> str:
    """Normalise an https endpoint: a bare host gets ``https://``; no trailing slash.

    Refused: other schemes, user-info (``https://evil@host``), a query or fragment, a missing or
    malformed host, non-ASCII hosts, whitespace and control characters, over-long values.
    """
    text = raw.strip()
    if not text:
        raise InvalidValue("it is empty", accepted)
    if len(text) > MAX_URL_LENGTH:
        raise InvalidValue(f"it is longer than {MAX_URL_LENGTH} characters", accepted)
    _refuse_invisible(text, accepted)
    if "\\" in text:
        raise InvalidValue("it contains a backslash", accepted)
    if not _SCHEME.match(text):
        if _BROKEN_SCHEME.match(text):
            raise InvalidValue("its scheme is malformed (expected 'https://')", accepted)
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise InvalidValue(f"it uses {parts.scheme}:// but only https:// is allowed", accepted)
    if "@" in text:
        raise InvalidValue("it has user-info before the host ('user@'), which is refused", accepted)
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise InvalidValue("it has a query or fragment ('?' or '#')", accepted)
    try:
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        # In azenvcloud's words, not urllib's: urllib quotes the piece after the ':', which may be
        # most of a secret that a tool expanded into the value (the message quotes the whole value,
        # redacted).
        raise InvalidValue(
            "its host or port is malformed (after https:// come a host name, then optionally ':' "
            "and a port number)",
            accepted,
        ) from None
    host = _check_host(host, accepted)
    path = parts.path.rstrip("/")
    if path and not allow_path:
        raise InvalidValue("it has a path after its host, but only a scheme and host are expected", accepted)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != 443:
        netloc = f"{netloc}:{port}"
    return f"https://{netloc}{path}"


_AUTHORITY_ACCEPTED = "the https URL or bare host of an identity authority, such as login.chinacloudapi.cn"


def parse_authority(raw: object) -> str:
    """``AZURE_AUTHORITY_HOST``: an https authority, a host only (no tenant path), and no Resource
    Manager's or audience's host."""
    value = parse_endpoint(str(raw), accepted=_AUTHORITY_ACCEPTED)
    if urlsplit(value).path:
        raise InvalidValue(
            "it has a path after its host, but only a scheme and host are expected: "
            "the authority is a host only; a tenant belongs in AZURE_TENANT_ID",
            _AUTHORITY_ACCEPTED,
        )
    if host_of(value).rstrip(".") in data.MANAGEMENT_HOSTS:
        raise InvalidValue(
            "it is a Resource Manager or audience host, not an identity authority "
            "(did you mean AZURE_RESOURCE_MANAGER or AZURE_AUDIENCE?)",
            _AUTHORITY_ACCEPTED,
        )
    return value


def parse_resource_manager(raw: object) -> str:
    """``AZURE_RESOURCE_MANAGER``: an https endpoint that is no identity authority's host."""
    value = parse_endpoint(str(raw))
    if host_of(value).rstrip(".") in data.AUTHORITY_HOSTS:
        raise InvalidValue(
            "it is an identity authority host, not Resource Manager (did you mean AZURE_AUTHORITY_HOST?)",
            "the https URL of Resource Manager, such as https://management.chinacloudapi.cn",
        )
    return value


def host_of(url: str) -> str:
    """The lower-case host of an already normalised URL."""
    return (urlsplit(url).hostname or "").lower()


def parse_audience(raw: object) -> tuple[str, str | None]:
    """Split an audience value into ``(audience, scope)``.

    A value ending in ``.default`` is already a scope: it is kept verbatim as the scope and the
    audience is what precedes ``/.default``. Otherwise the scope is derived later.
    """
    accepted = (
        "an https URL naming the Resource Manager audience, such as "
        "https://management.core.chinacloudapi.cn/, or a scope ending in /.default"
    )
    text = str(raw).strip()
    if text.endswith(".default"):
        if not text.endswith(SCOPE_SUFFIX):
            raise InvalidValue("it ends in '.default' without the '/' before it", accepted)
        audience = text[: -len(SCOPE_SUFFIX)]
        _check_audience_url(audience, accepted)
        return audience, text
    _check_audience_url(text, accepted)
    return text, None


def _check_audience_url(text: str, accepted: str) -> None:
    # The audience is kept as written (a trailing slash can matter to the identity platform),
    # but it must still be a well-formed https URL.
    if not _SCHEME.match(text.strip()):
        raise InvalidValue("it is not a URL (an audience needs https://)", accepted)
    parse_endpoint(text, accepted=accepted)


def scope_for_audience(audience: str) -> str:
    """The ``.default`` scope for an audience: the audience as written plus ``/.default``.

    A trailing slash is kept (``https://api.contoso.example/`` gives
    ``https://api.contoso.example//.default``), as azure-cli-core's ``resource_to_scopes`` does
    (Azure/azure-cli ``src/azure-cli-core/azure/cli/core/auth/util.py`` at commit
    34e27b79ad6b0ce021ee3fdc72625f34d74b0e07), following the Microsoft identity platform's
    "Trailing slash and .default" guidance (learn.microsoft.com, entra/identity-platform/
    scopes-oidc): the token's audience is then the identifier the resource was registered with,
    slash included, and a resource that checks it exactly accepts the token.
    """
    return audience + SCOPE_SUFFIX


def parse_subscription_id(raw: object) -> str:
    """A subscription ID is a GUID; returned in lower case, as Resource Manager reports it."""
    text = str(raw).strip().lower()
    if not _GUID.match(text):
        raise InvalidValue(
            "it is not a GUID",
            "a subscription ID such as 00000000-0000-0000-0000-000000000000",
        )
    return text


def parse_flag(raw: object) -> bool:
    """Parse a boolean flag the way people write them in environment variables."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue("it is not a boolean", "true or false (also 1/0, yes/no, on/off)")
