"""The ``Cloud`` model, the built-in clouds, and lookup by name or host."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from . import _builtin_clouds as data
from ._cloud_meanings import meant
from ._errors import ConfigurationError, quote_value
from ._parsers import SCOPE_SUFFIX, InvalidValue, host_of, parse_endpoint, scope_for_audience
from ._services import Service, services_of

__all__ = [
    "BUILTIN_CLOUDS",
    "Cloud",
    "CloudEndpoints",
    "CloudSuffixes",
    "cloud_from_name",
    "cloud_name_for_authority_host",
    "cloud_name_for_management_host",
    "resource_manager_scope",
]


class CloudEndpoints(BaseModel):
    """A cloud's service endpoints and token resources, under Azure CLI's field names.

    ``None`` means the cloud does not offer the service (or it is not known). Values are as the
    Azure CLI writes them, so ``az cloud show`` users find the same strings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    active_directory: str | None = None
    active_directory_data_lake_resource_id: str | None = None
    active_directory_graph_resource_id: str | None = None
    active_directory_resource_id: str | None = None
    app_insights_resource_id: str | None = None
    app_insights_telemetry_channel_resource_id: str | None = None
    app_service_resource_id: str | None = None
    attestation_resource_id: str | None = None
    azmirror_storage_account_resource_id: str | None = None
    batch_resource_id: str | None = None
    gallery: str | None = None
    log_analytics_resource_id: str | None = None
    management: str | None = None
    media_resource_id: str | None = None
    microsoft_graph_resource_id: str | None = None
    ossrdbms_resource_id: str | None = None
    portal: str | None = None
    resource_manager: str | None = None
    sql_management: str | None = None
    synapse_analytics_resource_id: str | None = None
    vm_image_alias_doc: str | None = None


class CloudSuffixes(BaseModel):
    """A cloud's DNS suffixes for data-plane hosts, under Azure CLI's field names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acr_login_server_endpoint: str | None = None
    attestation_endpoint: str | None = None
    azure_datalake_analytics_catalog_and_job_endpoint: str | None = None
    azure_datalake_store_file_system_endpoint: str | None = None
    keyvault_dns: str | None = None
    mariadb_server_endpoint: str | None = None
    mhsm_dns: str | None = None
    mysql_server_endpoint: str | None = None
    postgresql_server_endpoint: str | None = None
    sql_server_hostname: str | None = None
    storage_endpoint: str | None = None
    storage_sync_endpoint: str | None = None
    synapse_analytics_endpoint: str | None = None


class Cloud(BaseModel):
    """One Azure cloud: the identity authority, Resource Manager and its token scope, in step.

    Attributes:
        name: Canonical name (``AzureCloud``, ``AzureChinaCloud``, ``AzureUSGovernment``,
            ``AzureBleuCloud``, ``AzureDelosCloud``), a cloud's own name from its metadata, or
            ``Custom``.
        authority_host: Identity authority, an https URL without a trailing slash.
        resource_manager: Resource Manager endpoint, an https URL without a trailing slash.
        audience: Resource Manager token audience, as the cloud (or you) wrote it.
        credential_scopes: The scopes Resource Manager clients request tokens for.
        endpoints: Every service endpoint the cloud defines, Azure CLI field names.
        suffixes: Every DNS suffix the cloud defines, Azure CLI field names.
        identity_provider: ``AAD`` (Microsoft Entra ID) or ``ADFS`` (Azure Stack Hub).
        service_overrides: Data-plane values set by ``AZURE_SERVICE_<SERVICE>_<FIELD>``
            variables: ``{service: {"suffix" | "audience" | "endpoint": value}}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    authority_host: str
    resource_manager: str
    audience: str
    credential_scopes: tuple[str, ...]
    endpoints: CloudEndpoints
    suffixes: CloudSuffixes
    identity_provider: str = "AAD"
    service_overrides: dict[str, dict[str, str]] = Field(default_factory=dict)

    @property
    def services(self) -> dict[str, Service]:
        """Every data-plane service of the cloud (:mod:`azenvcloud._services`), by name."""
        return services_of(self)

    @property
    def adfs(self) -> bool:
        """Whether the authority is Active Directory Federation Services (Azure Stack Hub).

        Credentials then use the tenant ``adfs``: tokens come from ``{authority_host}/adfs``.
        """
        return self.identity_provider == "ADFS"

    @property
    def sdk_cloud_setting(self) -> str:
        """The ``azure.core.AzureClouds`` member name passed to clients as ``cloud_setting``."""
        return data.SDK_CLOUD_SETTINGS.get(self.name, "AZURE_PUBLIC_CLOUD")

    def with_overrides(
        self,
        *,
        name: str | None = None,
        authority_host: str | None = None,
        resource_manager: str | None = None,
        audience: str | None = None,
        credential_scopes: tuple[str, ...] | None = None,
    ) -> Cloud:
        """A copy with some of the three core values replaced; ``endpoints`` follows along."""
        endpoint_updates: dict[str, str] = {}
        if authority_host is not None:
            endpoint_updates["active_directory"] = authority_host
        if resource_manager is not None:
            endpoint_updates["resource_manager"] = resource_manager
        if audience is not None:
            endpoint_updates["active_directory_resource_id"] = audience
            endpoint_updates["management"] = audience
        return self.model_copy(
            update={
                "name": name or self.name,
                "authority_host": authority_host or self.authority_host,
                "resource_manager": resource_manager or self.resource_manager,
                "audience": audience or self.audience,
                "credential_scopes": credential_scopes or self.credential_scopes,
                "endpoints": self.endpoints.model_copy(update=endpoint_updates),
            }
        )

    @classmethod
    def custom(
        cls,
        *,
        authority_host: str,
        resource_manager: str,
        audience: str,
        credential_scopes: tuple[str, ...] | None = None,
        name: str = data.CUSTOM,
    ) -> Cloud:
        """A cloud of no built-in kind, from its three core values (already normalised)."""
        return cls(
            name=name,
            authority_host=authority_host,
            resource_manager=resource_manager,
            audience=audience,
            credential_scopes=credential_scopes or (resource_manager_scope(audience),),
            endpoints=CloudEndpoints(
                active_directory=authority_host,
                resource_manager=resource_manager,
                active_directory_resource_id=audience,
                management=audience,
            ),
            suffixes=CloudSuffixes(),
        )


def resource_manager_scope(audience: str) -> str:
    """The ``.default`` scope for a Resource Manager audience.

    An audience on a built-in cloud's management host keeps the form azure-mgmt-core uses
    (``https://management.azure.com/.default``: no trailing slash before ``/.default``). Any
    other audience follows Microsoft's guidance on trailing slashes as the Azure CLI does
    (:func:`~azenvcloud._parsers.scope_for_audience`): kept verbatim, so that a resource that
    checks its audience exactly gets the one it was registered with.
    """
    if host_of(audience) in data.MANAGEMENT_HOSTS:
        return audience.rstrip("/") + SCOPE_SUFFIX
    return scope_for_audience(audience)


def _builtin(name: str) -> Cloud:
    endpoints = CloudEndpoints(**data.ENDPOINTS[name])
    audience = data.ENDPOINTS[name]["active_directory_resource_id"]
    scope = data.RESOURCE_MANAGER_SCOPES.get(name, resource_manager_scope(audience))
    return Cloud(
        name=name,
        authority_host=parse_endpoint(data.ENDPOINTS[name]["active_directory"]),
        resource_manager=parse_endpoint(data.ENDPOINTS[name]["resource_manager"]),
        audience=audience,
        credential_scopes=(scope,),
        endpoints=endpoints,
        suffixes=CloudSuffixes(**data.SUFFIXES[name]),
    )


BUILTIN_CLOUDS: Mapping[str, Cloud] = MappingProxyType({name: _builtin(name) for name in data.ENDPOINTS})
"""The built-in clouds by canonical name, in the order the Azure CLI lists them."""

_SEPARATORS = re.compile(r"[-_. ]+")
# Letters, digits and the separators above; anything else (a tab, a no-break space) is a mistake.
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_. -]")


def _fold(name: str) -> str:
    return _SEPARATORS.sub("", name).casefold()


# Names of clouds azenvcloud has no values for (Azure Stack Hub's, the air-gapped US clouds'):
# a close built-in name is the wrong suggestion for them.
_PRIVATE_CLOUD_WORDS = ("stack", "ussec", "usnat", "secret", "airgap")

_BY_FOLDED_NAME: dict[str, str] = {
    **{_fold(alias): canonical for canonical, aliases in data.NAMES.items() for alias in aliases},
    **{_fold(variant): canonical for variant, (canonical, _) in data.VARIANTS.items()},
}
_RETIRED_BY_FOLDED_NAME: dict[str, str] = {
    _fold(alias): canonical for canonical, aliases in data.RETIRED_NAMES.items() for alias in aliases
}


class UnknownCloudName(InvalidValue):
    """A cloud name that selects no cloud; ``suggestion`` is the canonical name it most likely
    meant (by its words first, then by its spelling), or ``None``."""

    def __init__(self, problem: str, accepted: str, suggestion: str | None = None) -> None:
        super().__init__(problem, accepted)
        self.suggestion = suggestion


def canonical_cloud_name(name: str) -> str:
    """Map a cloud name in any accepted dialect to its canonical name, or raise
    :class:`UnknownCloudName` (an ``InvalidValue``) with the cloud it most likely meant."""
    stray = _NOT_IN_NAMES.search(name)
    if stray:
        if _INTERPOLATION.search(name):  # its letters name a variable, not a cloud: no suggestion
            raise UnknownCloudName(
                "it is a variable reference, which azenvcloud never expands (a .env file is data: its "
                "values are taken literally); write the cloud's name itself",
                _accepted_names(),
            )
        clean = _NOT_IN_NAMES.sub("", name)
        suggestion = _BY_FOLDED_NAME.get(_fold(clean)) or _suggestion(clean)[0] if clean else None
        problem = f"it contains {stray.group()!r}, a character that is in no cloud name"
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        raise UnknownCloudName(f"{problem}{hint}", _accepted_names(), suggestion)
    folded = _fold(name)
    if folded in _BY_FOLDED_NAME:
        return _BY_FOLDED_NAME[folded]
    if folded in _RETIRED_BY_FOLDED_NAME:
        retired = _RETIRED_BY_FOLDED_NAME[folded]
        raise UnknownCloudName(
            f"it names a retired cloud: {data.RETIRED_REASONS[retired]}", _accepted_names(), data.DELOS
        )
    if any(word in folded for word in _PRIVATE_CLOUD_WORDS):
        raise UnknownCloudName(
            "it names a private cloud, which has no built-in values: describe it with "
            "AZURE_RESOURCE_MANAGER (its metadata is read from there) or AZURE_CLOUD_METADATA_URL "
            "(a metadata URL or snapshot file), and AZURE_CLOUD may then pick it by this name",
            _accepted_names(),
        )
    suggestion, note = _suggestion(name)
    hint = f" (did you mean {suggestion}?{f' {note}' if note else ''})" if suggestion else ""
    raise UnknownCloudName(
        f"it is not a known cloud name{hint}; a private cloud is described by AZURE_RESOURCE_MANAGER "
        "or AZURE_CLOUD_METADATA_URL",
        _accepted_names(),
        suggestion.split(" or ")[0] if suggestion else None,
    )


# "${CLOUD}", "$CLOUD", "%CLOUD%": a reference some other tool would have expanded.
_INTERPOLATION = re.compile(r"\$\{?[A-Za-z_]|%[A-Za-z_]\w*%")


def _suggestion(name: str) -> tuple[str | None, str]:
    """``(the cloud name meant, a note to say with it)``: by the words of ``name``
    (:mod:`azenvcloud._cloud_meanings`) first, then by the closest spelling; two clouds a name
    mixes are both named (``A or B``)."""
    meanings = meant(name)
    if meanings:
        return " or ".join(meaning.cloud for meaning in meanings), "; ".join(
            meaning.note for meaning in meanings if meaning.note
        )
    import difflib  # only for a mistake's suggestion: not imported by every start

    close = difflib.get_close_matches(_fold(name), list(_BY_FOLDED_NAME), n=1, cutoff=0.6)
    return (_BY_FOLDED_NAME[close[0]], "") if close else (None, "")


def variant_services(name: str) -> dict[str, dict[str, str]]:
    """The data-plane services a cloud name brings beyond its cloud's (``dod``: the DoD Graph)."""
    variant = data.VARIANTS.get(_fold(name))
    return {service: dict(fields) for service, fields in variant[1].items()} if variant else {}


def is_retired_cloud_name(name: str) -> bool:
    """Whether ``name`` (any dialect) names a cloud that has closed, such as ``AzureGermanCloud``."""
    return _fold(name) in _RETIRED_BY_FOLDED_NAME


# The short forms the documentation uses, shown after each canonical name when a name is refused:
# every accepted spelling is listed by `azenvcloud clouds`, not in every error.
_SHORT_NAMES: dict[str, tuple[str, ...]] = {
    data.PUBLIC: ("public",),
    data.CHINA: ("china",),
    data.US_GOVERNMENT: ("usgov", "dod"),
    data.BLEU: ("bleu",),
    data.DELOS: ("delos",),
    data.GOVSG: ("govsg",),
}


def _accepted_names() -> str:
    shown = ", ".join(
        f"{canonical} ({', '.join(_SHORT_NAMES[canonical])})" if canonical in _SHORT_NAMES else canonical
        for canonical in data.NAMES
    )
    return f"one of {shown}; case and '-'/'_' do not matter, and `azenvcloud clouds` lists every name"


def without_resource_manager(canonical: str) -> str | None:
    """What to set for a cloud azenvcloud recognises but knows no Resource Manager of (GovSG),
    as the end of an error message; ``None`` for any other cloud."""
    described = data.WITHOUT_RESOURCE_MANAGER.get(canonical)
    if described is None:
        return None
    return (
        f"{described} ({canonical}), whose Resource Manager no public Microsoft source names: set "
        "AZURE_RESOURCE_MANAGER (its metadata is read from there) or AZURE_CLOUD_METADATA_URL "
        "(a metadata URL or snapshot file)"
    )


def cloud_from_name(name: str) -> Cloud:
    """The built-in cloud for a name in any accepted dialect.

    Accepts Azure CLI names (``AzureChinaCloud``), azure-core and azure-identity constants
    (``AZURE_CHINA_CLOUD``, ``AZURE_CHINA``), Terraform/Pulumi names (``china``) and short forms,
    case-insensitively.

    Raises:
        ConfigurationError: The name is unknown (the message suggests the closest), retired, or
            ``Custom`` (a custom cloud has no built-in values to return).
    """
    try:
        canonical = canonical_cloud_name(name)
    except InvalidValue as exc:
        raise exc.configuration_error("AZURE_CLOUD", name, variables=("AZURE_CLOUD",)) from None
    unbuilt = without_resource_manager(canonical)
    if unbuilt is not None:
        raise ConfigurationError(
            f"AZURE_CLOUD={quote_value(name)} selects {unbuilt}.", variables=("AZURE_CLOUD",)
        )
    if canonical not in BUILTIN_CLOUDS:
        raise ConfigurationError(
            f"AZURE_CLOUD={quote_value(name)} has no built-in values: a custom cloud is described by "
            "AZURE_AUTHORITY_HOST, AZURE_RESOURCE_MANAGER and AZURE_AUDIENCE.",
            variables=("AZURE_CLOUD",),
        )
    return BUILTIN_CLOUDS[canonical]


def cloud_name_for_authority_host(host: str) -> str | None:
    """The canonical name of the cloud an authority host belongs to, or ``None``."""
    return data.AUTHORITY_HOSTS.get(host.lower().rstrip("."))


def cloud_name_for_management_host(host: str) -> str | None:
    """The canonical name of the cloud a Resource Manager or audience host belongs to, or ``None``."""
    return data.MANAGEMENT_HOSTS.get(host.lower().rstrip("."))


def names_of(canonical: str) -> tuple[str, ...]:
    """Every accepted spelling of a cloud's name, canonical first."""
    return data.NAMES[canonical]
