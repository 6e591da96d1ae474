"""Where a resolved value came from: an argument, the environment, a .env file, a default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import redact_url

__all__ = ["IDENTITY_VARIABLES", "VARIABLES", "Source", "SourceKind"]

SourceKind = Literal["argument", "option", "environment", "dotenv", "default", "metadata", "derived"]

# One vocabulary from variable to attribute: AZURE_AUTHORITY_HOST <-> authority_host.
VARIABLES: dict[str, str] = {
    "cloud": "AZURE_CLOUD",
    "authority_host": "AZURE_AUTHORITY_HOST",
    "resource_manager": "AZURE_RESOURCE_MANAGER",
    "audience": "AZURE_AUDIENCE",
    "subscription_id": "AZURE_SUBSCRIPTION_ID",
    "disable_instance_discovery": "AZURE_DISABLE_INSTANCE_DISCOVERY",
    "cloud_metadata_url": "AZURE_CLOUD_METADATA_URL",
    "api_profile": "AZURE_API_PROFILE",
    "metadata_ttl": "AZENVCLOUD_METADATA_TTL",
    "metadata_cache_dir": "AZENVCLOUD_CACHE_DIR",
    "token_prefetch": "AZENVCLOUD_TOKEN_PREFETCH",
    "token_cache": "AZENVCLOUD_TOKEN_CACHE",
    "accepted_hosts": "AZENVCLOUD_ACCEPTED_HOSTS",
}

# azure-identity's own variables: they keep their meaning. Values marked secret are never shown.
# (Not AZURE_ADDITIONALLY_ALLOWED_TENANTS: azure-identity for .NET, Java, JavaScript and Go reads
# it, Python's does not (1.27: no read in azure/identity/); its credentials take
# additionally_allowed_tenants= as an argument.)
IDENTITY_VARIABLES: dict[str, bool] = {
    "AZURE_TENANT_ID": False,
    "AZURE_CLIENT_ID": False,
    "AZURE_CLIENT_SECRET": True,
    "AZURE_CLIENT_CERTIFICATE_PATH": False,
    "AZURE_CLIENT_CERTIFICATE_PASSWORD": True,
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN": False,
    "AZURE_FEDERATED_TOKEN_FILE": False,
    "AZURE_USERNAME": False,
    "AZURE_PASSWORD": True,
    "AZURE_TOKEN_CREDENTIALS": False,
}


@dataclass(frozen=True)
class Source:
    """The origin of one resolved setting.

    Attributes:
        kind: ``argument`` (passed in code), ``option`` (a command-line option of
            ``azenvcloud``), ``environment``, ``dotenv`` (a .env file),
            ``default`` (a built-in cloud's value), ``metadata`` (a metadata URL or snapshot
            file) or ``derived`` (computed from other values).
        detail: What exactly: the .env path, the cloud whose default was used, the metadata
            URL or file, another variable that was read, or how a value was derived.
        implicit: For ``dotenv``: the file is the ``./.env`` found in the working directory, not
            one named by ``AZENVCLOUD_ENV_FILE``, ``--env-file`` or ``_env_file=``. Such a file
            may only choose among the built-in clouds (:mod:`azenvcloud._trust`).
    """

    kind: SourceKind
    detail: str = ""
    implicit: bool = False

    def __str__(self) -> str:
        labels = {
            "argument": "argument",
            "option": "command-line option",
            "environment": "environment",
            "dotenv": ".env file",
            "default": "default of",
            "metadata": "metadata from",
            "derived": "derived",
        }
        label = labels[self.kind]
        return f"{label} {redact_url(self.detail)}" if self.detail else label

    def names(self, field: str) -> str:
        """How to name ``field`` to a person, given where its value came from."""
        variable = VARIABLES[field]
        if self.kind in {"environment", "option"} and self.detail:
            return self.detail
        if self.kind == "argument":
            return f"{variable} (passed in code as {field}=)"
        if self.kind == "dotenv":
            return f"{variable} (from .env file {self.detail})"
        if self.kind == "metadata":
            return f"{variable} (from the metadata at {redact_url(self.detail)})"
        return variable
