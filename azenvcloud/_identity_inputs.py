"""The identity inputs: what decides which token azure-identity asks for, beyond the options.

azure-identity reads a credential's identity from the environment: some variables when the
credential is built (``AZURE_CLIENT_ID``, ``AZURE_REGIONAL_AUTHORITY_NAME``, the managed identity
endpoints...), a few again at every token request (``AZURE_IDENTITY_DISABLE_MULTITENANTAUTH``,
which makes it ignore a requested tenant). The token store must key a token by every one of
them, or a process is served a token its own azure-identity would never have asked for.

:class:`IdentityInputs` is that set as a small, immutable value, built by whoever builds the
credential from the environment mapping the credential reads (``os.environ`` for
``DefaultAzureCredential``; a test's or a configuration's own mapping elsewhere), and handed to
the token store: the store reads no environment itself. A secret's value is never held, only a
salted digest of it (a rotated secret is another identity; the secret itself is never written).

The variables are sorted into :data:`AT_CONSTRUCTION`, :data:`SECRETS`, :data:`AT_REQUEST` and
:data:`UNCHANGED` (read, but reviewed not to change the token, each with its reason);
``tests/test_identity_inputs.py`` scans the installed azure-identity for every variable it reads
and fails on one in none of them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AT_CONSTRUCTION", "AT_REQUEST", "SECRETS", "UNCHANGED", "IdentityInputs", "salted"]

# Read by azure-identity 1.27 when a credential is built, and changing whose token (or which
# token) it asks for. Sources, all under azure/identity/ of azure-identity 1.27.0:
AT_CONSTRUCTION: tuple[str, ...] = (
    # _credentials/environment.py, default.py, workload_identity.py, managed_identity.py
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_CERTIFICATE_PATH",  # the certificate file's content is digested too
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",  # environment.py: the assertion carries the chain (SNI)
    "AZURE_USERNAME",  # environment.py, default.py (shared token cache's account)
    "AZURE_FEDERATED_TOKEN_FILE",  # workload identity's token file
    "AZURE_TOKEN_CREDENTIALS",  # default.py, _internal/utils.py: which members the chain has
    # _internal/utils.py get_default_authority; managed_identity.py: with AZURE_TENANT_ID and
    # AZURE_FEDERATED_TOKEN_FILE it makes managed identity wrap workload identity
    "AZURE_AUTHORITY_HOST",
    "AZURE_REGIONAL_AUTHORITY_NAME",  # _internal/msal_credentials.py: a regional token endpoint
    # _credentials/workload_identity.py: the AKS identity binding proxy (enable_azure_proxy=True
    # outside DefaultAzureCredential)
    "AZURE_KUBERNETES_TOKEN_PROXY",
    "AZURE_KUBERNETES_SNI_NAME",
    "AZURE_KUBERNETES_CA_FILE",
    "AZURE_KUBERNETES_CA_DATA",
    # _credentials/managed_identity.py, app_service.py, service_fabric.py, azure_arc.py,
    # azure_ml.py, cloud_shell.py: which managed identity endpoint answers
    "IDENTITY_ENDPOINT",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
)

# Read when a credential is built, secret: only a salted digest is held. IDENTITY_HEADER and
# MSI_SECRET are the managed identity endpoints' shared secrets (app_service.py, azure_ml.py).
SECRETS: tuple[str, ...] = (
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_PASSWORD",
    "IDENTITY_HEADER",
    "MSI_SECRET",
)

# Read by azure-identity 1.27 at every token request, from os.environ as it is then:
AT_REQUEST: tuple[str, ...] = (
    # _internal/utils.py resolve_tenant: when set, a requested tenant_id is ignored
    "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH",
    # _credentials/imds.py _get_request (the request factory of each IMDS request): where IMDS is
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
)

# Read by azure-identity 1.27, reviewed: they do not change which token the chain asks for.
UNCHANGED: dict[str, str] = {
    "SYSTEMROOT": "Windows: the working folder of the Azure CLI and azd subprocesses "
    "(azure_cli.py, azd_cli.py); developer tools' tokens are never stored",
    "PROGRAMDATA": "Windows: where Azure Arc's challenge file must lie (azure_arc.py); the "
    "endpoint it answers for is IDENTITY_ENDPOINT / IMDS_ENDPOINT's",
    "LOCALAPPDATA": "Windows: the folder of azure-identity's persistent MSAL cache "
    "(_persistent_cache.py), a cache of tokens, not an identity",
    "SYSTEM_OIDCREQUESTURI": "AzurePipelinesCredential (azure_pipelines.py), never a member of "
    "DefaultAzureCredential's chain",
}

# Salt for the digests of secret material (a digest is only ever part of a hashed key).
_SECRET_SALT = b"azenvcloud token store: secret material"
_MAX_CERTIFICATE_BYTES = 1024 * 1024


def salted(material: bytes) -> str:
    """A salted digest of secret material (only ever part of a hashed key)."""
    return hmac.new(_SECRET_SALT, material, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IdentityInputs:
    """The identity inputs of one credential, as its builder saw them (no secret's value).

    Attributes:
        values: The :data:`AT_CONSTRUCTION` variables that were set, by name.
        secrets: Salted digests of the :data:`SECRETS` that were set, and of the certificate
            file's content (``certificate-file``; ``unreadable`` when it could not be read).
        environment: The mapping azure-identity reads :data:`AT_REQUEST` from at each token
            request (``os.environ`` for azure-identity's credentials). Not compared; pickled as
            ``os.environ`` when it is, else as the request-time values it holds.
    """

    values: Mapping[str, str]
    secrets: Mapping[str, str]
    environment: Mapping[str, str] = field(default_factory=lambda: os.environ, compare=False, repr=False)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> IdentityInputs:
        """The identity inputs a credential built now from ``environment`` reads."""
        values = {name: environment[name] for name in AT_CONSTRUCTION if environment.get(name)}
        secrets = {
            name: salted(environment[name].encode("utf-8", "surrogatepass"))
            for name in SECRETS
            if environment.get(name)
        }
        certificate = environment.get("AZURE_CLIENT_CERTIFICATE_PATH", "")
        if certificate:
            try:
                with open(certificate, "rb") as handle:
                    secrets["certificate-file"] = salted(handle.read(_MAX_CERTIFICATE_BYTES))
            except OSError:
                secrets["certificate-file"] = "unreadable"
        return cls(values, secrets, environment)

    def at_request(self) -> dict[str, str]:
        """The :data:`AT_REQUEST` variables that are set now, by name (read on each request)."""
        return {name: value for name in AT_REQUEST if (value := self.environment.get(name, ""))}

    def as_key(self) -> dict[str, object]:
        """What a token store's key holds of these inputs (JSON-ready, no secret's value)."""
        return {"variables": dict(sorted(self.values.items())), "secrets": dict(sorted(self.secrets.items()))}

    def __reduce__(self) -> tuple[Any, ...]:
        # Never the whole environment in a pickle: os.environ by name, or the request-time values.
        environment = None if self.environment is os.environ else self.at_request()
        return (_rebuilt, (dict(self.values), dict(self.secrets), environment))


def _rebuilt(
    values: dict[str, str], secrets: dict[str, str], environment: dict[str, str] | None
) -> IdentityInputs:
    return IdentityInputs(values, secrets, os.environ if environment is None else environment)
