"""Which credentials ``DefaultAzureCredential`` will try, and which of them are set up to answer.

Judged from azure-identity's own variables, without asking any of them for a token: that
would reach for managed identity (IMDS) or start developer tools.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["answered_by", "chain_of", "first_ready", "successful_credential"]


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


def _is_set(variable: str) -> bool:
    return bool(os.environ.get(variable, "").strip())


def _ready_with(name: str) -> tuple[tuple[str, ...], str] | None:
    """The variables and the way ``name`` is set up with, when the environment sets it up."""
    return next((option for option in _SET_UP_BY.get(name, ()) if all(_is_set(v) for v in option[0])), None)


def _readiness(name: str, used_elsewhere: frozenset[str] = frozenset()) -> str:
    ready = _ready_with(name)
    if ready is not None:
        return _READY + ready[1]
    options = _SET_UP_BY.get(name, ())
    # Half set up: say what the closest way of setting it up still lacks, unless the variables it
    # has are those of a credential that is set up (a workload identity pod's tenant and client
    # ID are no service principal missing its secret).
    best = max(options, key=lambda option: sum(_is_set(v) for v in option[0]), default=None)
    present = {variable for variable in best[0] if _is_set(variable)} if best is not None else set()
    if best is not None and present and not present <= used_elsewhere:
        missing = [variable for variable in best[0] if not _is_set(variable)]
        return f"{_NOT_SET_UP}({best[1]}: {' and '.join(missing)} missing)"
    return _OTHERWISE.get(name, "answers where its tool is installed and signed in")


def chain_of(credential: Any) -> list[tuple[str, str]]:
    """``(class name, readiness)`` for each credential in the chain, in the order tried."""
    # azure-identity stands in a credential that failed to build with a placeholder naming it.
    names = [getattr(member, "_credential_name", type(member).__name__) for member in credential.credentials]
    used = frozenset(variable for name in names if (ready := _ready_with(name)) for variable in ready[0])
    return [(name, _readiness(name, used)) for name in names]


def first_ready(chain: list[tuple[str, str]]) -> str:
    """The credential that will answer first, as far as the environment tells."""
    for name, readiness in chain:
        if readiness.startswith(_READY):
            return name
    for name, readiness in chain:
        if not readiness.startswith(_NOT_SET_UP):
            return f"{name} if it can answer here, else the next in the chain"
    return "none: no credential in the chain is set up"


def answered_by(credential: Any) -> tuple[str | None, bool]:
    """``(class name of the chain member that produced the last token, whether the token store
    answered)``: when a kept token answered, no member was asked and the name is ``None``."""
    # ChainedTokenCredential keeps this only privately; it has no public equivalent.
    from .._token_sharing import SharedCredential, sharing_of

    # A named configuration's credential shares around its chain (SharedCredential.credential).
    chain = credential.credential if isinstance(credential, SharedCredential) else credential
    member = getattr(chain, "_successful_credential", None)
    sharing = sharing_of(credential)
    if member is None and sharing is not None and sharing.store is not None:
        return None, True
    return (type(member).__name__ if member is not None else type(credential).__name__), False


def successful_credential(credential: Any) -> str:
    """:func:`answered_by` in words: the member's class name, or the token store."""
    name, from_store = answered_by(credential)
    return "the token store (no token request)" if from_store else str(name)
