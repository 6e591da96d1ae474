"""The certificate authorities every transport azenvcloud builds trusts: one setting, one order.

requests reads ``REQUESTS_CA_BUNDLE`` (then ``CURL_CA_BUNDLE``) and never ``SSL_CERT_FILE``;
aiohttp reads ``SSL_CERT_FILE`` once, when it is imported; httpx reads ``SSL_CERT_FILE`` when a
client is made. So a private CA (Azure Stack Hub's, a test's fake cloud's) trusted by one
transport was not by the next. Here one order decides, read from the environment each time a
transport is built, and the answer is handed to the sync (requests), async (aiohttp) and
Microsoft Graph (httpx) transports explicitly:

1. ``REQUESTS_CA_BUNDLE``
2. ``CURL_CA_BUNDLE``
3. ``SSL_CERT_FILE``
4. the system store (OpenSSL's default CA file), else each library's own default.

An empty variable counts as unset, as in requests.
"""

from __future__ import annotations

import os
import ssl
import threading
from dataclasses import dataclass

from ._fork import renew_locks

__all__ = ["CA_VARIABLES", "CaSetting", "ca_setting", "connection_verify", "ssl_context"]

CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
"""The variables that name a CA bundle, first wins."""


@dataclass(frozen=True)
class CaSetting:
    """Where the trusted CAs come from.

    Attributes:
        path: The CA bundle file (or folder of hashed certificates); ``None``: the library's default.
        variable: The variable that named it, or ``None`` for the system store.
    """

    path: str | None
    variable: str | None

    @property
    def source(self) -> str:
        """How a person would say where the CAs come from."""
        if self.variable is not None:
            return self.variable
        return "the system store" if self.path is not None else "the HTTP library's default"


def ca_setting() -> CaSetting:
    """The CA bundle the environment chooses now (see the module's order)."""
    for variable in CA_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return CaSetting(value, variable)
    system = ssl.get_default_verify_paths()
    if system.cafile is not None:  # None when the file does not exist
        return CaSetting(system.cafile, None)
    return CaSetting(None, None)


def connection_verify() -> str | bool:
    """azure-core's ``connection_verify`` for the CA setting: a path, or ``True``."""
    path = ca_setting().path
    return path if path is not None else True


_contexts_lock = threading.Lock()
renew_locks(globals(), "_contexts_lock")  # a new one in a forked child
_contexts: dict[tuple[str | None, float], ssl.SSLContext] = {}


def ssl_context() -> ssl.SSLContext:
    """A verifying client ``SSLContext`` trusting the CA setting's bundle.

    One per bundle (and its modification time), shared: a connection pool keyed by its context
    (aiohttp's) keeps reusing connections, and a bundle is parsed once, not per request.
    """
    path = ca_setting().path
    try:
        stamp = os.stat(path).st_mtime if path is not None else 0.0
    except OSError:
        stamp = -1.0  # missing: building the context says so
    key = (path, stamp)
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            if len(_contexts) >= 16:  # bundles come and go (a test's fake cloud each)
                _contexts.clear()
            if path is not None and os.path.isdir(path):
                context = ssl.create_default_context(capath=path)
            else:
                context = ssl.create_default_context(cafile=path)
            _contexts[key] = context
    return context
