"""The recipe: what a data-plane client's constructor needs from the resolved cloud."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["Recipe"]


@dataclass(frozen=True)
class Recipe:
    """How to build one client class for the resolved cloud.

    Attributes:
        service: The service whose values apply (a name of :data:`azenvcloud.services.SERVICE_NAMES`).
        url_argument: The constructor argument that takes the URL (``vault_url``, ``account_url``,
            ``endpoint``). Users may pass it too; it must then be a host of the resolved cloud.
        name_argument: The short-name argument users pass instead (``vault``, ``account``), or
            ``None`` for a service with one fixed endpoint.
        audience: How the token audience reaches the client: ``audience=`` (the audience
            itself), ``credential_scopes=`` (a list with its scope), ``pinned`` (the credential
            is wrapped to ask for the cloud's scope, for SDKs with no argument for it), or
            ``None`` where the SDK finds it alone (Key Vault's challenge).
        audience_suffix: What the SDK expects after the audience (``/`` for App Configuration,
            which appends ``.default`` to it as it is).
        url_form: ``url`` (``https://host``) or ``host`` (a bare host name, as the messaging SDKs'
            ``fully_qualified_namespace``).
        arguments: Constructor arguments always given (``token_intent`` for file shares).
        adfs_arguments: Constructor arguments under an ADFS authority (Azure Stack Hub).
        prefetch: Whether the client's first request asks a token for exactly
            ``<audience>/.default`` with no options, checked on the wire, so that building the
            client may start that request early (``AZENVCLOUD_TOKEN_PREFETCH``).
    """

    service: str
    url_argument: str
    name_argument: str | None = None
    audience: Literal["audience", "credential_scopes", "pinned"] | None = None
    audience_suffix: str = ""
    url_form: Literal["url", "host"] = "url"
    arguments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    adfs_arguments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    prefetch: bool = False
