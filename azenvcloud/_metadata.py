"""Clouds described by ARM metadata (``/metadata/endpoints``) or by ``az cloud show``.

Accepted shapes, all seen in the wild:

- api-version 2022-09-01: one object (public Azure), or an array (Azure Stack Hub; that broke the
  Azure CLI, Azure/azure-cli#31547);
- api-version 2019-05-01 (and 2019-10-01, 2020-06-01): an array of clouds;
- api-version 2015-01-01 / 1.0: one object with only ``authentication``, ``graphEndpoint``,
  ``galleryEndpoint`` and ``portalEndpoint``;
- the JSON ``az cloud show`` prints: ``{"name", "endpoints": {...}, "suffixes": {...}}``.

Values are mapped the way the Azure CLI maps them (``_arm_to_cli_mapper``): audience is
``authentication.audiences[0]``, suffixes get the CLI's leading dots, a missing
``resourceManager`` is the Resource Manager that was asked. An ADFS login endpoint
(``.../adfs``) becomes the authority host without ``/adfs``: azure-identity appends the tenant.

A document is input, checked like the environment: its ``name`` is a short plain name, every
endpoint an https URL without user-info, query or fragment, every suffix a DNS suffix. The cloud
follows its Resource Manager: a document whose Resource Manager is a built-in cloud's is that
cloud (its other values must agree); any other is a cloud of its own, whatever it calls itself,
with only the values it gives (a built-in name is not taken from it). A cloud of its own with
GovSG's authority host is GovSG (``GovSGCloud``): azenvcloud knows its authority but no Resource
Manager. ``endpoints.resource_manager`` and ``endpoints.active_directory`` keep the document's
strings, trailing slash and all, as the Azure CLI does.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from . import _builtin_clouds as data
from ._clouds import (
    BUILTIN_CLOUDS,
    Cloud,
    CloudEndpoints,
    CloudSuffixes,
    canonical_cloud_name,
    cloud_name_for_authority_host,
    cloud_name_for_management_host,
    resource_manager_scope,
)
from ._errors import notice, quote_value
from ._parsers import (
    InvalidValue,
    host_of,
    parse_audience,
    parse_dns_suffix,
    parse_endpoint,
    parse_plain_name,
)

__all__ = ["API_VERSIONS", "MetadataProblem", "cloud_from_metadata", "cloud_to_snapshot", "metadata_urls"]

API_VERSIONS = ("2022-09-01", "2019-05-01", "2015-01-01")
"""The api-versions asked, in order, when given a Resource Manager base URL."""

# ARM metadata key -> CloudEndpoints field (Azure CLI's ARM_METADATA_INDEX, plus 2015 names).
_ENDPOINT_KEYS = {
    "activeDirectoryDataLake": "active_directory_data_lake_resource_id",
    "graphAudience": "active_directory_graph_resource_id",
    "graphEndpoint": "active_directory_graph_resource_id",
    "appInsightsResourceId": "app_insights_resource_id",
    "appInsightsTelemetryChannelResourceId": "app_insights_telemetry_channel_resource_id",
    "appServiceResourceId": "app_service_resource_id",
    "attestationResourceId": "attestation_resource_id",
    "azmirrorStorageAccountResourceId": "azmirror_storage_account_resource_id",
    "batch": "batch_resource_id",
    "gallery": "gallery",
    "galleryEndpoint": "gallery",
    "logAnalyticsResourceId": "log_analytics_resource_id",
    "media": "media_resource_id",
    "microsoftGraphResourceId": "microsoft_graph_resource_id",
    "ossrDbmsResourceId": "ossrdbms_resource_id",  # the payload's casing
    "ossrdbmsResourceId": "ossrdbms_resource_id",  # the CLI index's casing
    "portal": "portal",
    "portalEndpoint": "portal",
    "sqlManagement": "sql_management",
    "synapseAnalyticsResourceId": "synapse_analytics_resource_id",
    "vmImageAliasDoc": "vm_image_alias_doc",
}
# ARM metadata suffix key -> (CloudSuffixes field, whether the CLI adds a leading dot).
_SUFFIX_KEYS = {
    "acrLoginServer": ("acr_login_server_endpoint", True),
    "attestationEndpoint": ("attestation_endpoint", True),
    "azureDataLakeAnalyticsCatalogAndJob": ("azure_datalake_analytics_catalog_and_job_endpoint", False),
    "azureDataLakeStoreFileSystem": ("azure_datalake_store_file_system_endpoint", False),
    "keyVaultDns": ("keyvault_dns", True),
    "mariadbServerEndpoint": ("mariadb_server_endpoint", True),
    "mhsmDns": ("mhsm_dns", True),
    "mysqlServerEndpoint": ("mysql_server_endpoint", True),
    "postgresqlServerEndpoint": ("postgresql_server_endpoint", True),
    "sqlServerHostname": ("sql_server_hostname", True),
    "storage": ("storage_endpoint", False),
    "storageSyncEndpointSuffix": ("storage_sync_endpoint", False),
    "synapseAnalytics": ("synapse_analytics_endpoint", True),
}
T = TypeVar("T")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class MetadataProblem(ValueError):
    """A metadata document cannot describe a cloud; the caller names the variable and source."""


def metadata_urls(arm: str) -> list[str]:
    """The metadata URLs to try for a Resource Manager base URL, newest api-version first.

    A URL that already names ``/metadata/endpoints`` is used as it is.
    """
    if "/metadata/endpoints" in arm:
        return [arm]
    base = arm.rstrip("/")
    return [f"{base}/metadata/endpoints?api-version={version}" for version in API_VERSIONS]


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _dot(suffix: str | None) -> str | None:
    return suffix if suffix is None or suffix.startswith(".") else f".{suffix}"


def _select(
    document: Sequence[Any], *, name: str | None, queried_arm: str | None, selector: str
) -> Mapping[str, Any]:
    clouds = [item for item in document if isinstance(item, Mapping)]
    if not clouds:
        raise MetadataProblem("it is an empty list of clouds")
    names = [str(item.get("name")) for item in clouds]
    if name:
        for item in clouds:
            if _same_name(str(item.get("name", "")), name):
                return item
        raise MetadataProblem(f"it offers no cloud named {name!r} ({selector}); it offers {names}")
    if queried_arm:
        wanted = queried_arm.rstrip("/").lower()
        matching = [
            item for item in clouds if str(item.get("resourceManager", "")).rstrip("/").lower() == wanted
        ]
        if len(matching) == 1:
            return matching[0]
    if len(clouds) == 1:
        return clouds[0]
    raise MetadataProblem(f"it offers several clouds {names}; set {selector} to the one to use")


def _note_an_unused_name(document: Mapping[str, Any], name: str, selector: str) -> None:
    """A name that picks nothing from a document of one cloud is a warning, never silently dropped
    (``AZURE_CLOUD=chnia`` with a metadata URL would otherwise pass as that one cloud's name)."""
    described = document.get("name")
    if not isinstance(described, str) or not described.strip() or _same_name(described, name):
        return
    unused = (
        f"{selector}={name!r} names no cloud of the metadata, which describes one cloud only "
        f"({described.strip()!r})"
    )
    if selector.startswith("--"):  # a command-line option asked for it: an error, said at once
        raise MetadataProblem(f"{unused}; leave {selector} out, or give that cloud's name")
    message = f"{unused}: that cloud is used, and the name picks nothing"
    if not notice(message):  # no resolution under way to keep it
        logging.getLogger("azenvcloud").warning("%s", message)


def _same_name(first: str, second: str) -> bool:
    if first.casefold() == second.casefold():
        return True
    try:
        return canonical_cloud_name(first) == canonical_cloud_name(second)
    except InvalidValue:
        return False


def _from_az_cloud_show(document: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``az cloud show`` JSON (camelCase CLI fields) into the ARM metadata shape."""
    raw_suffixes = document.get("suffixes")
    if not isinstance(raw_suffixes, Mapping):
        raw_suffixes = {}  # absent or of the wrong shape: suffixes are optional
    endpoints = {_CAMEL.sub("_", str(key)).lower(): value for key, value in document["endpoints"].items()}
    suffixes = {_CAMEL.sub("_", str(key)).lower(): value for key, value in raw_suffixes.items()}
    return {
        "name": document.get("name"),
        "resourceManager": endpoints.get("resource_manager"),
        "authentication": {
            "loginEndpoint": endpoints.get("active_directory"),
            "audiences": [endpoints.get("active_directory_resource_id") or endpoints.get("management")],
        },
        "_cli_endpoints": {k: v for k, v in endpoints.items() if k in CloudEndpoints.model_fields},
        "_cli_suffixes": {k: v for k, v in suffixes.items() if k in CloudSuffixes.model_fields},
    }


def cloud_from_metadata(
    document: Any, *, name: str | None = None, queried_arm: str | None = None, selector: str = "AZURE_CLOUD"
) -> Cloud:
    """The cloud a metadata document (or ``az cloud show`` output) describes.

    Args:
        document: Parsed JSON, or the raw text (a UTF-8 BOM is allowed).
        name: Which cloud to pick from an array (``AZURE_CLOUD``), if any.
        queried_arm: The Resource Manager URL that was asked: picks from an array, and stands in
            for a missing ``resourceManager``.
        selector: What supplies ``name``, as messages name it: ``AZURE_CLOUD``, or the command
            line's ``--cloud``.

    Raises:
        MetadataProblem: The document is not JSON, has the wrong shape, or lacks what is needed.
    """
    if isinstance(document, (str, bytes)):
        text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
        try:
            document = json.loads(text.lstrip("\ufeff"))
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to be metadata
            raise MetadataProblem("it is not JSON") from None
    if isinstance(document, list):
        document = _select(document, name=name, queried_arm=queried_arm, selector=selector)
    elif name and isinstance(document, Mapping):
        _note_an_unused_name(document, name, selector)
    if not isinstance(document, Mapping):
        raise MetadataProblem(f"it is JSON of the wrong shape (a {type(document).__name__}, not an object)")
    if isinstance(document.get("endpoints"), Mapping):
        document = _from_az_cloud_show(document)
    authentication = document.get("authentication")
    if not isinstance(authentication, Mapping):
        raise MetadataProblem("it has no 'authentication' object (loginEndpoint and audiences)")
    try:
        return _build(document, authentication, queried_arm)
    except InvalidValue as exc:
        raise MetadataProblem(f"{exc.problem} (accepted: {exc.accepted})") from None


def _build(document: Mapping[str, Any], authentication: Mapping[str, Any], queried_arm: str | None) -> Cloud:
    login = _text(authentication.get("loginEndpoint"))
    audiences = authentication.get("audiences")
    audience = _text(audiences[0]) if isinstance(audiences, list) and audiences else None
    arm = _text(document.get("resourceManager")) or queried_arm
    if not login or not audience or not arm:
        missing = [
            label
            for label, value in (
                ("authentication.loginEndpoint", login),
                ("authentication.audiences[0]", audience),
                ("resourceManager", arm),
            )
            if not value
        ]
        raise MetadataProblem(f"it lacks {', '.join(missing)}")
    login_url = _checked("authentication.loginEndpoint", login, parse_endpoint)
    provider = str(authentication.get("identityProvider") or "AAD").upper()
    if login_url.lower().endswith("/adfs"):
        login_url, provider = login_url[: -len("/adfs")], "ADFS"
    if provider not in {"AAD", "ADFS"}:
        raise MetadataProblem("its authentication.identityProvider is neither AAD nor ADFS")
    authority = _checked(
        "authentication.loginEndpoint", login_url, lambda text: parse_endpoint(text, allow_path=False)
    )
    resource_manager = _checked("resourceManager", arm, parse_endpoint)
    audience, scope = _checked("authentication.audiences[0]", audience, parse_audience)

    builtin = _builtin_of(document, authority, resource_manager, audience)
    cloud_name = builtin.name if builtin else _own_name(document, authority)
    if scope is None:
        same_as_builtin = builtin is not None and builtin.audience.rstrip("/") == audience.rstrip("/")
        scope = (
            builtin.credential_scopes[0] if builtin and same_as_builtin else resource_manager_scope(audience)
        )

    endpoints: dict[str, Any] = dict(builtin.endpoints.model_dump()) if builtin else {}
    given_endpoints = dict(document.get("_cli_endpoints") or {})
    for key, field in _ENDPOINT_KEYS.items():
        value = _text(document.get(key))
        if value:
            given_endpoints[field] = value
    for field, value in given_endpoints.items():
        if _text(value):
            endpoints[field] = _checked(field, str(value), _endpoint_as_written)
    # As the document wrote them, as the Azure CLI keeps them (``https://management.azure.com/``);
    # ``Cloud.authority_host`` and ``Cloud.resource_manager`` are the normalised forms.
    endpoints.update(
        active_directory=login,
        resource_manager=arm,
        active_directory_resource_id=audience,
        management=audience,
    )
    suffixes: dict[str, Any] = dict(builtin.suffixes.model_dump()) if builtin else {}
    given_suffixes = {
        field: value for field, value in (document.get("_cli_suffixes") or {}).items() if _text(value)
    }
    raw_suffixes = document.get("suffixes")
    if isinstance(raw_suffixes, Mapping):
        for key, (field, dotted) in _SUFFIX_KEYS.items():
            value = _text(raw_suffixes.get(key))
            if value:
                given_suffixes[field] = _dot(value) if dotted else value
    for field, value in given_suffixes.items():
        suffixes[field] = _checked(field, str(value), parse_dns_suffix)
    return Cloud(
        name=cloud_name,
        authority_host=authority,
        resource_manager=resource_manager,
        audience=audience,
        credential_scopes=(scope,),
        identity_provider=provider,
        endpoints=CloudEndpoints(**{k: v for k, v in endpoints.items() if isinstance(v, str) or v is None}),
        suffixes=CloudSuffixes(**{k: v for k, v in suffixes.items() if isinstance(v, str) or v is None}),
    )


def _checked(label: str, text: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except InvalidValue as exc:
        # quote_value redacts before it cuts: a cut first could keep part of a secret whole.
        raise MetadataProblem(f"its {label} ({quote_value(text)}) is not usable: {exc.problem}") from None


def _endpoint_as_written(text: str) -> str:
    """Check a secondary endpoint like a configured URL, but keep it as the cloud wrote it."""
    parse_endpoint(text)
    if not text.strip().lower().startswith("https://"):
        raise InvalidValue("it is not an https URL", "an https URL")
    return text.strip()


def _builtin_of(
    document: Mapping[str, Any], authority: str, resource_manager: str, audience: str
) -> Cloud | None:
    """The built-in cloud a document describes: the one whose Resource Manager it has, if any.

    Its authority and audience must then be that cloud's too (where they are a known cloud's).
    """
    arm_cloud = cloud_name_for_management_host(host_of(resource_manager))
    if arm_cloud is None:
        return None
    if arm_cloud not in BUILTIN_CLOUDS:
        raise MetadataProblem(f"its resourceManager belongs to a retired cloud ({arm_cloud})")
    for label, known in (
        ("authentication.loginEndpoint", cloud_name_for_authority_host(host_of(authority))),
        ("authentication.audiences[0]", cloud_name_for_management_host(host_of(audience))),
    ):
        if known is not None and known != arm_cloud:
            raise MetadataProblem(
                f"its {label} belongs to {known} but its resourceManager to {arm_cloud}: "
                "values of two clouds in one document"
            )
    return BUILTIN_CLOUDS[arm_cloud]


def _own_name(document: Mapping[str, Any], authority: str) -> str:
    """The name of a cloud of its own: that of a cloud azenvcloud recognises by its authority
    host but has no Resource Manager for (GovSG); else its document's, unless that names a
    built-in cloud."""
    recognised = cloud_name_for_authority_host(host_of(authority))
    if recognised in data.WITHOUT_RESOURCE_MANAGER:
        return recognised
    raw = document.get("name")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return data.CUSTOM
    name = _checked("name", str(raw), parse_plain_name)
    try:
        canonical_cloud_name(name)
    except InvalidValue:
        return name  # USSec, AzureStackCloud, ...: no built-in cloud's name
    return data.CUSTOM  # calls itself a built-in cloud but has none of its hosts


def cloud_to_snapshot(cloud: Cloud) -> dict[str, Any]:
    """``cloud`` as ``az cloud show`` prints it: a snapshot file that :func:`cloud_from_metadata`
    reads back as the same cloud (name, endpoints, suffixes, identity provider)."""

    def camel(field: str) -> str:
        head, *rest = field.split("_")
        return head + "".join(part.capitalize() for part in rest)

    endpoints = {camel(k): v for k, v in cloud.endpoints.model_dump().items() if v is not None}
    endpoints["activeDirectory"] = cloud.endpoints.active_directory or cloud.authority_host
    if cloud.adfs and not endpoints["activeDirectory"].rstrip("/").lower().endswith("/adfs"):
        endpoints["activeDirectory"] = f"{cloud.authority_host}/adfs"
    return {
        "name": cloud.name,
        "endpoints": endpoints,
        "suffixes": {camel(k): v for k, v in cloud.suffixes.model_dump().items() if v is not None},
    }
