"""A named configuration's credential: a chain built only from that configuration's own values.

Not a ``DefaultAzureCredential``: that class reads the process environment by itself (its
environment member, its workload identity's token file and client ID come from ``os.environ``),
and it rejects ``tenant_id``. Here each member is built with explicit arguments, in this order,
and only when its values are all the configuration's own:

1. a client secret (``GOV_AZURE_TENANT_ID``, ``GOV_AZURE_CLIENT_ID``, ``GOV_AZURE_CLIENT_SECRET``);
2. a certificate (``GOV_AZURE_CLIENT_CERTIFICATE_PATH``, its password, ``..._SEND_CERTIFICATE_CHAIN``);
3. workload identity, only when tenant, client ID and token file are all set (azure-identity's
   ``WorkloadIdentityCredential`` fills an empty argument from the process's variables);
4. managed identity, only on opt-in: ``GOV_AZURE_CLIENT_ID`` alone (user-assigned) or
   ``GOV_AZENVCLOUD_MANAGED_IDENTITY=system``; built so that it never wraps the process
   environment's workload identity.

No developer tool (Azure CLI, azd, PowerShell, VS Code: one account and one cloud per machine) and
no ``AZURE_TOKEN_CREDENTIALS``. Single flight, prefetch and the token store wrap the chain as they
wrap the default credential (:func:`~azenvcloud._credentials.token_sharing`); the store's key holds
the configuration's own identity values, never the process's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._credentials import CERTIFICATE_ACCEPTED, adfs_tenant, check_tenant, token_sharing
from ._errors import ConfigurationError, quote_value
from ._named_settings import prefixed_error
from ._transports import transport_options
from ._variables import declaration_of, of_use, own_values

if TYPE_CHECKING:
    from ._settings import Settings
    from ._token_sharing import SharedCredential

__all__ = ["build_named_credential", "own_identity"]

# The identity variables a named configuration reads under its prefix (declared per configuration).
_IDENTITY = tuple(
    variable.name for variable in of_use("identity", "named identity") if variable.scope == "configuration"
)
_SYSTEM = "system"


def own_identity(settings: Settings) -> dict[str, str]:
    """The configuration's own identity values, under their unprefixed names: its environment's
    (``GOV_AZURE_CLIENT_ID``), else its ``.env`` file's; blank ones left out."""
    name = settings.configuration
    assert name is not None, "the default configuration's credential is the DefaultAzureCredential"
    from_file = {key: value for key, value in settings._identity_from_env_file.items() if key in _IDENTITY}
    found = {**from_file, **own_values(name, os.environ)}
    return {key: value.strip() for key, value in found.items() if key in _IDENTITY and value.strip()}


class _OwnThenProcess(Mapping[str, str]):
    """What azure-identity reads, for a named configuration: its own values for every variable
    declared per configuration (or the default's alone: then nothing), the process environment's
    for the rest (``AZURE_REGIONAL_AUTHORITY_NAME``, ``AZURE_IDENTITY_DISABLE_MULTITENANTAUTH``, the
    managed identity endpoints: azure-identity reads those from ``os.environ`` for any credential)."""

    def __init__(self, own: Mapping[str, str]) -> None:
        self._own = dict(own)

    @staticmethod
    def _is_own(name: str) -> bool:
        declared = declaration_of(name)
        return declared is not None and declared.scope in ("configuration", "default")

    def __getitem__(self, name: str) -> str:
        return self._own[name] if self._is_own(name) else os.environ[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._own
        yield from (name for name in os.environ if not self._is_own(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def build_named_credential(settings: Settings, *, asynchronous: bool) -> SharedCredential:
    """The named configuration's credential (sync, or ``azure.identity.aio``'s), shared.

    Raises:
        ConfigurationError: The configuration has no identity of its own, an incomplete one, or
            one azure-identity refuses, naming its prefixed variables.
    """
    name = settings.configuration
    assert name is not None, "the default configuration's credential is the DefaultAzureCredential"
    values = own_identity(settings)
    try:
        return _build(settings, values, asynchronous=asynchronous)
    except ConfigurationError as exc:
        raise prefixed_error(name, exc) from None


def _build(settings: Settings, values: dict[str, str], *, asynchronous: bool) -> SharedCredential:
    from importlib import import_module

    identity = import_module("azure.identity.aio" if asynchronous else "azure.identity")
    from ._identity_inputs import IdentityInputs
    from ._token_sharing import AsyncSharedCredential, SharedCredential

    tenant, client_id = values.get("AZURE_TENANT_ID", ""), values.get("AZURE_CLIENT_ID", "")
    if settings.cloud.adfs:  # ADFS (Azure Stack Hub) has the one tenant adfs
        tenant = adfs_tenant(tenant)
    _check_complete(values, tenant, client_id)
    options: dict[str, Any] = {"authority": settings.authority_host, **transport_options(settings)}
    if settings.disable_instance_discovery:
        options["disable_instance_discovery"] = True
    if not asynchronous:  # the OpenID configuration from the metadata cache, as the default's
        from ._openid_cache import caching_transport

        transport = caching_transport(settings)
        if transport is not None:
            options["transport"] = transport
    members = _members(identity, settings, values, tenant=tenant, client_id=client_id, options=options)
    chain = identity.ChainedTokenCredential(*members)
    inputs = IdentityInputs.from_environment(
        _OwnThenProcess({**values, "AZURE_TENANT_ID": tenant} if tenant else values)
    )
    sharing = token_sharing(chain, settings, options=options, inputs=inputs, asynchronous=asynchronous)
    shared = AsyncSharedCredential if asynchronous else SharedCredential
    return shared(chain, sharing)


def _members(
    identity: ModuleType,
    settings: Settings,
    values: Mapping[str, str],
    *,
    tenant: str,
    client_id: str,
    options: dict[str, Any],
) -> list[Any]:
    members: list[Any] = []
    secret = values.get("AZURE_CLIENT_SECRET")
    certificate = values.get("AZURE_CLIENT_CERTIFICATE_PATH")
    token_file = values.get("AZURE_FEDERATED_TOKEN_FILE")
    try:
        if secret:
            members.append(identity.ClientSecretCredential(tenant, client_id, secret, **options))
        if certificate:
            members.append(
                identity.CertificateCredential(
                    tenant,
                    client_id,
                    certificate,
                    password=values.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
                    send_certificate_chain=values.get("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "").lower()
                    in ("1", "true"),
                    **options,
                )
            )
    except (ValueError, OSError) as exc:
        variable = "AZURE_CLIENT_CERTIFICATE_PATH" if certificate else "AZURE_CLIENT_SECRET"
        shown = f"{variable}={quote_value(certificate)}" if certificate else variable
        raise ConfigurationError(
            f"azure-identity refused {shown}: {type(exc).__name__}. Accepted: {CERTIFICATE_ACCEPTED}, "
            "or a client secret.",
            variables=(variable,),
        ) from None
    if token_file:
        members.append(
            identity.WorkloadIdentityCredential(
                tenant_id=tenant, client_id=client_id, token_file_path=token_file, **options
            )
        )
    managed = values.get("AZENVCLOUD_MANAGED_IDENTITY", "")
    if managed and managed.lower() != _SYSTEM:
        raise ConfigurationError(
            f"AZENVCLOUD_MANAGED_IDENTITY={quote_value(managed)} is not usable. Accepted: system (the "
            "system-assigned managed identity); a user-assigned one is AZURE_CLIENT_ID alone.",
            variables=("AZENVCLOUD_MANAGED_IDENTITY",),
        )
    if managed or (client_id and not members):
        # azure-identity 1.27 _credentials/managed_identity.py (and aio's): with the process's
        # AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE set it would wrap a
        # WorkloadIdentityCredential of theirs, unless _exclude_workload_identity_credential.
        members.append(
            identity.ManagedIdentityCredential(
                client_id=None if managed else client_id,
                _exclude_workload_identity_credential=True,
                **transport_options(settings),
            )
        )
    if not members:
        raise ConfigurationError(
            # Names no unprefixed variable here: prefixed_error would make it the configuration's own.
            "The configuration has no identity of its own (a named configuration never uses the "
            "unprefixed identity variables, the default configuration's, nor a DefaultAzureCredential). "
            "Accepted: "
            "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (a service principal), or "
            "AZURE_CLIENT_CERTIFICATE_PATH in place of the secret; AZURE_TENANT_ID, AZURE_CLIENT_ID and "
            "AZURE_FEDERATED_TOKEN_FILE (workload identity); AZURE_CLIENT_ID alone (a user-assigned managed "
            "identity); or AZENVCLOUD_MANAGED_IDENTITY=system.",
            variables=("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"),
        )
    return members


def _check_complete(values: Mapping[str, str], tenant: str, client_id: str) -> None:
    """A secret, a certificate or a token file needs the tenant and client ID beside it, and the
    tenant must be one azure-identity takes (:func:`~azenvcloud._credentials.check_tenant`)."""
    check_tenant(tenant)
    for given in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"):
        missing = [
            needed
            for needed, value in (("AZURE_TENANT_ID", tenant), ("AZURE_CLIENT_ID", client_id))
            if values.get(given) and not value
        ]
        if missing:
            raise ConfigurationError(
                f"{given} is set but {' and '.join(missing)} not: the configuration's identity is incomplete "
                "(a named configuration never takes the process's). Accepted: set "
                f"{' and '.join(missing)} beside it.",
                variables=(*missing, given),
            )
