"""Which credentials ``DefaultAzureCredential`` will try, and which of them are set up to answer.

Judged from azure-identity's own variables, without asking any of them for a token: that
would reach for managed identity (IMDS) or start developer tools.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["chain_of", "first_ready", "successful_credential"]


# For the credentials the environment sets up: (variables that must all be set, what it then
# uses), first match wins. Any other credential's availability shows only when it is asked.
_SET_UP_BY: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "EnvironmentCredential": (
        (
            ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
            "service principal with a client secret",
        ),
        (
            ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH"),
            "service principal with a certificate",
        ),
        (("AZURE_CLIENT_ID", "AZURE_USERNAME", "AZURE_PASSWORD"), "user name and password"),
    ),
    "WorkloadIdentityCredential": (
        (("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"), "federated token file"),
    ),
}
_NOT_SET_UP = "not set up "
_OTHERWISE = {
    "EnvironmentCredential": _NOT_SET_UP + "(no AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)",
    "WorkloadIdentityCredential": _NOT_SET_UP + "(needs AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and "
    "AZURE_TENANT_ID)",
    "ManagedIdentityCredential": "answers where the host has a managed identity",
    "SharedTokenCacheCredential": "answers where a developer tool left a token cache",
}
_READY = "ready: "


def _readiness(name: str) -> str:
    options = _SET_UP_BY.get(name, ())
    for variables, uses in options:
        if all(os.environ.get(variable, "").strip() for variable in variables):
            return _READY + uses
    # Half set up: say what the closest way of setting it up still lacks.
    best = max(
        options, key=lambda option: sum(bool(os.environ.get(v, "").strip()) for v in option[0]), default=None
    )
    if best is not None and any(os.environ.get(v, "").strip() for v in best[0]):
        missing = [variable for variable in best[0] if not os.environ.get(variable, "").strip()]
        return f"{_NOT_SET_UP}({best[1]}: {' and '.join(missing)} missing)"
    return _OTHERWISE.get(name, "answers where its tool is installed and signed in")


def chain_of(credential: Any) -> list[tuple[str, str]]:
    """``(class name, readiness)`` for each credential in the chain, in the order tried."""
    # azure-identity stands in a credential that failed to build with a placeholder naming it.
    names = [getattr(member, "_credential_name", type(member).__name__) for member in credential.credentials]
    return [(name, _readiness(name)) for name in names]


def first_ready(chain: list[tuple[str, str]]) -> str:
    """The credential that will answer first, as far as the environment tells."""
    for name, readiness in chain:
        if readiness.startswith(_READY):
            return name
    for name, readiness in chain:
        if not readiness.startswith(_NOT_SET_UP):
            return f"{name} if it can answer here, else the next in the chain"
    return "none: no credential in the chain is set up"


def successful_credential(credential: Any) -> str:
    """The class name of the chain member that produced the last token (the token store, when
    no member was asked: a kept token answered)."""
    # ChainedTokenCredential keeps this only privately; it has no public equivalent.
    member = getattr(credential, "_successful_credential", None)
    if member is None and getattr(credential, "_azenvcloud_tokens", None) is not None:
        return "the token store (no token request)"
    return type(member).__name__ if member is not None else type(credential).__name__
