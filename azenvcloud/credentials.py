"""Building the ``DefaultAzureCredential`` for a resolved cloud.

``DefaultAzureCredential(authority=...)`` hands the authority to the environment and shared-cache
credentials only; ``WorkloadIdentityCredential`` (AKS workload identity) keeps reading
``AZURE_AUTHORITY_HOST`` and so asks the public login host for, say, a China token. Here every
credential in the chain that talks to an authority gets the resolved one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError, quote_value

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential
    from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

    from .settings import Settings

__all__ = ["IDENTITY_VARIABLES", "build_async_credential", "build_credential", "export_identity_variables"]

_log = logging.getLogger("azenvcloud")

# azure-identity's own variables: they keep their meaning. Values marked secret are never shown.
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
    "AZURE_ADDITIONALLY_ALLOWED_TENANTS": False,
}


def export_identity_variables(env_file: str | None) -> list[str]:
    """Copy azure-identity's variables from the .env file into the process environment.

    azure-identity reads only ``os.environ``; a developer who keeps ``AZURE_CLIENT_ID`` and
    friends in ``.env`` expects them to work. Variables already in the environment win, as
    everywhere else. Returns the names copied (never the values).
    """
    if not env_file or not Path(env_file).is_file():
        return []
    from dotenv import dotenv_values

    copied = []
    for name, value in dotenv_values(env_file).items():
        if name in IDENTITY_VARIABLES and value and value.strip() and not os.environ.get(name):
            os.environ[name] = value
            copied.append(name)
    if copied:
        _log.debug("azenvcloud exported %s from %s for azure-identity", ", ".join(copied), env_file)
    return copied


def build_credential(settings: Settings, **options: Any) -> DefaultAzureCredential:
    """A ``DefaultAzureCredential`` whose every authority-bound credential uses ``settings``.

    azure-identity's variables in the settings' .env file are exported first
    (:func:`export_identity_variables`), since azure-identity reads only the environment.

    Managed identity and the developer tools (Azure CLI, PowerShell, azd, VS Code) have no
    authority to set: they follow the cloud they run in or are logged in to. For all of them
    the Resource Manager scope in ``settings`` is what makes the token fit the cloud.

    Args:
        settings: The resolved settings.
        **options: Further keyword arguments for ``DefaultAzureCredential``.

    Raises:
        ConfigurationError: azure-identity refused its configuration (for example an invalid
            ``AZURE_TOKEN_CREDENTIALS``).
    """
    from azure import identity

    return _build(identity, settings, options)  # type: ignore[no-any-return]


def build_async_credential(settings: Settings, **options: Any) -> AsyncDefaultAzureCredential:
    """The ``azure.identity.aio`` twin of :func:`build_credential`, built by the same rules."""
    from azure.identity import aio

    return _build(aio, settings, options)  # type: ignore[no-any-return]


def _build(identity: ModuleType, settings: Settings, options: dict[str, Any]) -> Any:
    # azure.identity and azure.identity.aio expose the same class names with the same
    # constructors and chain layout; `identity` is one of the two modules.
    export_identity_variables(settings.env_file)
    if settings.cloud.adfs:
        _require_adfs_tenant()
    options = {"authority": settings.authority_host, **options}
    if settings.disable_instance_discovery:
        options.setdefault("disable_instance_discovery", True)
    try:
        credential = identity.DefaultAzureCredential(**options)
    except ValueError as exc:
        selected = os.environ.get("AZURE_TOKEN_CREDENTIALS", "")
        raise ConfigurationError(
            f"azure-identity refused AZURE_TOKEN_CREDENTIALS={quote_value(selected)}: {exc}",
            variables=("AZURE_TOKEN_CREDENTIALS",),
        ) from None
    _route_workload_identity(identity, credential, options)
    return credential


def _require_adfs_tenant() -> None:
    """ADFS (Azure Stack Hub) takes tenant ``adfs``: set it when unset, refuse any other."""
    tenant = os.environ.get("AZURE_TENANT_ID", "").strip()
    if not tenant:
        os.environ["AZURE_TENANT_ID"] = "adfs"
        _log.debug("azenvcloud set AZURE_TENANT_ID=adfs for the ADFS authority")
    elif tenant.lower() != "adfs":
        raise ConfigurationError(
            f"AZURE_TENANT_ID={quote_value(tenant)} cannot be used with an ADFS authority (Azure Stack Hub): "
            "ADFS has one tenant, 'adfs'. Accepted: adfs, or leave AZURE_TENANT_ID unset.",
            variables=("AZURE_TENANT_ID",),
        )


def _route_workload_identity(identity: ModuleType, credential: Any, options: dict[str, Any]) -> None:
    """Rebuild the chain's workload identity credentials with the resolved authority.

    They are built exactly as ``DefaultAzureCredential`` builds them (tenant, client ID and
    token file from the environment), plus ``authority``. Managed identity wraps one too when
    the AKS webhook's variables are set and workload identity is not separately in the chain.
    """
    workload_identity = identity.WorkloadIdentityCredential

    def routed() -> Any:
        return workload_identity(**options)

    chain = list(credential.credentials)
    for index, member in enumerate(chain):
        if isinstance(member, workload_identity):
            chain[index] = routed()
        elif isinstance(member, identity.ManagedIdentityCredential) and isinstance(
            getattr(member, "_credential", None), workload_identity
        ):
            member._credential = routed()  # azure-identity keeps no public hook for this
    credential.credentials = tuple(chain)
