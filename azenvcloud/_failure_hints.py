"""What a failure means and what to do about it, in words for people: a failed request (no library
internals, how to trust a private certificate authority, which cloud a sign-in error usually
points to), and a missing optional dependency (what to install, in words that work without a
package index that carries azenvcloud: the extra's own packages, or a local checkout by path).

The sign-in hints follow Microsoft's error reference (:data:`ERROR_REFERENCE`), which says that
error codes and texts may change: a hint is added to a message, never acted upon. The error keeps
its type, its other attributes and its traceback, and the same code raises it as before.
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager

from ._ca import CA_VARIABLES, ca_setting

__all__ = [
    "ERROR_REFERENCE",
    "SIGN_IN_CODES",
    "ca_hint",
    "extra_packages",
    "hinted",
    "install_hint",
    "plain_network_message",
    "sign_in_hint",
]

ERROR_REFERENCE = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
"""Microsoft Entra authentication and authorization error codes (the source of the codes below)."""

# Entra ID errors that usually mean a configuration mixes two clouds, or names something of
# another cloud: what the code means (ERROR_REFERENCE), and what to check first.
SIGN_IN_CODES: dict[str, tuple[str, str]] = {
    "AADSTS90002": (
        "tenant not found",
        "that AZURE_TENANT_ID is a tenant of {cloud} (`azenvcloud tenant ID` tells which cloud a "
        "tenant is in, from its public OpenID configuration)",
    ),
    "AADSTS900382": (
        "confidential client not supported in a cross-cloud request",
        "that the application (AZURE_CLIENT_ID) and its tenant are in {cloud}: an application of "
        "another cloud cannot sign in here",
    ),
    "AADSTS500011": (
        "resource principal not found in the tenant",
        "that the scope {scope}belongs to {cloud} (AZURE_AUDIENCE, or the URL a client was given): "
        "another cloud's resource is unknown to {cloud}'s tenants",
    ),
    "AADSTS700016": (
        "application not found in the directory",
        "that AZURE_CLIENT_ID is registered in AZURE_TENANT_ID's directory in {cloud}: an application "
        "registered in another cloud (or tenant) is not found here",
    ),
}
_CODE = re.compile(r"\bAADSTS\d+\b")
_SIGN_IN_MARK = "azenvcloud: this configuration signs in at"
_CA_MARK = "azenvcloud: the server's certificate"


def sign_in_hint(message: str, *, cloud: str, authority: str, scope: str | None = None) -> str:
    """The hint to add to ``message`` (with a leading space), or ``""`` when it holds none of the
    :data:`SIGN_IN_CODES` or already has one."""
    if _SIGN_IN_MARK in message:
        return ""
    codes = [code for code in dict.fromkeys(_CODE.findall(message)) if code in SIGN_IN_CODES]
    if not codes:
        return ""
    checks = "; ".join(
        f"{code} ({SIGN_IN_CODES[code][0]}) usually means a value of another cloud: check first "
        + SIGN_IN_CODES[code][1].format(cloud=cloud, scope=f"{scope} " if scope else "")
        for code in codes
    )
    return (
        f" {_SIGN_IN_MARK} {authority}, the authority of {cloud}. {checks}. A hint only: Microsoft's "
        f"error codes and texts may change ({ERROR_REFERENCE})."
    )


def ca_hint(message: str) -> str:
    """How to trust the server's certificate authority (with a leading space), when ``message``
    is a certificate verification failure; else ``""``."""
    if "CERTIFICATE_VERIFY_FAILED" not in message or _CA_MARK in message:
        return ""
    setting = ca_setting()
    if setting.variable is not None:
        used = f"{setting.variable}={setting.path}"
        ignored = [
            variable
            for variable in CA_VARIABLES[CA_VARIABLES.index(setting.variable) + 1 :]
            if _is_set(variable)
        ]
        if ignored:
            used += f" ({' and '.join(ignored)} not read: {setting.variable} comes first)"
    elif setting.path is not None:
        used = f"the system store {setting.path} (none of {', '.join(CA_VARIABLES)} is set)"
    else:
        used = f"the HTTP library's own (none of {', '.join(CA_VARIABLES)} is set)"
    return (
        f" {_CA_MARK} is not signed by a certificate authority this process trusts; the trusted ones "
        f"came from {used}. For a private one (Azure Stack Hub's, a proxy that inspects TLS), set "
        "REQUESTS_CA_BUNDLE to a PEM file that holds it and the public ones: every transport azenvcloud "
        "builds reads REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then SSL_CERT_FILE."
    )


def _is_set(variable: str) -> bool:
    import os

    return bool(os.environ.get(variable, "").strip())


# urllib3 and requests name their own classes in messages: "_WatchedHTTPSConnection(host='h',
# port=443): ...", "<urllib3.connection.HTTPSConnection object at 0x7f...>: ...",
# "(Caused by NewConnectionError('...'))". People need the host and the reason.
_CONNECTION = re.compile(
    r"\b_*[A-Za-z]*HTTPS?Connection(?:Pool)?\(host='(?P<host>[^']*)', port=(?P<port>\d+)\)"
)
_OBJECT = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>:?\s*")
_CAUSED_BY = re.compile(r"\s*\(Caused by [A-Za-z]+\((?P<reason>.*)\)\)")
_WRAPPED = re.compile(
    r"\b[A-Z][A-Za-z]*(?:Error|Exception)\((?:\d+, )?(?P<quote>['\"])(?P<text>.*?)(?P=quote)\)"
)
_URL_NOTE = re.compile(r"Max retries exceeded with url: \S+")


def plain_network_message(message: str) -> str:
    """``message`` without the HTTP libraries' class names and object addresses (one line)."""
    text = _CONNECTION.sub(lambda match: f"{match['host']}:{match['port']}", message)
    text = _OBJECT.sub("", text)
    text = _CAUSED_BY.sub(lambda match: f": {match['reason']}", text)
    for _ in range(3):  # nested: SSLError(SSLCertVerificationError(1, '...'))
        text = _WRAPPED.sub(lambda match: match["text"], text)
    text = _URL_NOTE.sub("the request failed", text)
    return " ".join(text.split())


@contextmanager
def hinted(*, cloud: str, authority: str, scope: str | None = None) -> Iterator[None]:
    """Add the sign-in and certificate hints to an azure-core error raised inside, in place
    (same object, same type, same traceback), and let it go on."""
    from azure.core.exceptions import AzureError

    try:
        yield
    except AzureError as exc:
        hint = sign_in_hint(exc.message, cloud=cloud, authority=authority, scope=scope) + ca_hint(exc.message)
        if hint:
            exc.message += hint
            exc.args = (exc.message, *exc.args[1:])
        raise


# -- a missing optional dependency --------------------------------------------------------------

_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def extra_packages(extra: str) -> list[str]:
    """The requirements azenvcloud's installed metadata lists for ``extra`` (``aiohttp>=3.9``)."""
    try:
        requirements = importlib.metadata.requires("azenvcloud") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    found = []
    for requirement in requirements:
        requirement_text, _, marker = requirement.partition(";")
        match = _EXTRA_MARKER.search(marker)
        if match is not None and match.group(1) == extra:
            found.append(requirement_text.strip())
    return found


def install_hint(extra: str) -> str:
    """``pip install 'aiohttp>=3.9'`` (the ``[aio]`` extra's packages), the path form, and the
    index form, in one sentence."""
    packages = extra_packages(extra)
    path_form = f"pip install '/path/to/azenvcloud[{extra}]' (the folder of an azenvcloud checkout)"
    if not packages:
        return f"{path_form}, or pip install 'azenvcloud[{extra}]' from an index that has azenvcloud"
    command = "pip install " + " ".join(shlex.quote(package) for package in packages)
    return f"{command} (the [{extra}] extra's packages), or {path_form}"
