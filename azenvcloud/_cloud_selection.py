"""Which cloud the values select: ``AZURE_CLOUD``'s name, the hosts of the endpoint values, and
azure-core's ``AZURE_SDK_CLOUD_CONF``; and, once the cloud is resolved, that its values are of that
one cloud (the mixed-cloud check).

Rules 2, 3 and 4 of :mod:`azenvcloud._resolution`, and the selection by ``AZURE_SDK_CLOUD_CONF``:
read from the environment only, as azure-core reads it, it selects the cloud when nothing else
does, and must name the cloud azenvcloud resolved, since the SDK clients a program builds without
``cloud_setting`` would otherwise talk to another cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import _builtin_clouds as data
from . import _trust
from ._clouds import (
    BUILTIN_CLOUDS,
    Cloud,
    canonical_cloud_name,
    cloud_name_for_authority_host,
    cloud_name_for_management_host,
    is_retired_cloud_name,
    without_resource_manager,
)
from ._errors import ConfigurationError, quote_value
from ._parsers import InvalidValue, host_of, parse_endpoint
from ._provenance import VARIABLES, Source
from ._variables import parser_of

__all__ = [
    "ENDPOINT_FIELDS",
    "SDK_CLOUDS",
    "SDK_CLOUD_CONF",
    "SDK_CLOUD_KEY",
    "Given",
    "name_and_selector",
    "named_or_public",
    "names_builtin_cloud",
    "parse_given",
    "refuse_misnamed_cloud",
    "refuse_mixed_clouds",
    "refuse_other_sdk_cloud",
    "sdk_cloud",
    "select_base",
    "unusable",
]

ENDPOINT_FIELDS = ("authority_host", "resource_manager", "audience")


@dataclass(frozen=True)
class Given:
    """One value that was set, parsed, with the cloud its host belongs to (if any)."""

    field: str
    raw: str
    value: str
    source: Source
    known_cloud: str | None
    scope: str | None = None  # an audience written as a .default scope

    @property
    def shown(self) -> str:
        return f"{self.source.names(self.field)}={quote_value(self.raw)}"


def unusable(field: str, raw: object, source: Source, exc: InvalidValue) -> ConfigurationError:
    return exc.configuration_error(source.names(field), raw, variables=(VARIABLES[field],))


def parse_given(field: str, raw: object, source: Source) -> Given:
    text = str(raw)
    scope: str | None = None
    try:
        parsed = parser_of(field)(text)
    except InvalidValue as exc:
        raise unusable(field, raw, source, exc) from None
    value, scope = parsed if isinstance(parsed, tuple) else (parsed, None)  # an audience: and its scope
    lookup = cloud_name_for_authority_host if field == "authority_host" else cloud_name_for_management_host
    known = lookup(host_of(value))
    if known in data.RETIRED_REASONS:
        raise ConfigurationError(
            f"{source.names(field)}={quote_value(raw)} belongs to a retired cloud: "
            f"{data.RETIRED_REASONS[known]}.",
            variables=(VARIABLES[field],),
        )
    return Given(field, text, value, source, known, scope)


def named_or_public(values: Mapping[str, object]) -> Cloud | None:
    """The cloud as far as its name tells before any value is read: the built-in cloud
    ``AZURE_CLOUD`` names, the public cloud where nothing selects one, else ``None`` (the cloud is
    not known before its values are read)."""
    if "cloud" in values and names_builtin_cloud(str(values["cloud"])):
        return BUILTIN_CLOUDS[canonical_cloud_name(str(values["cloud"]))]
    if not {"cloud", "cloud_metadata_url", *ENDPOINT_FIELDS} & values.keys():
        return BUILTIN_CLOUDS[data.PUBLIC]
    return None


def name_and_selector(
    values: Mapping[str, object], sources: Mapping[str, Source], given: Mapping[str, Given]
) -> tuple[str | None, str | None]:
    """``(canonical built-in name or None, selector for a metadata array or None)``.

    With metadata in play, an ``AZURE_CLOUD`` that is no built-in name (``AzureStackCloud``,
    ``USSec``) picks a cloud from the metadata instead of being an error.
    """
    if "cloud" not in values:
        return None, None
    try:
        canonical = canonical_cloud_name(str(values["cloud"]))
    except InvalidValue as exc:
        arm = given.get("resource_manager")
        may_discover = "cloud_metadata_url" in values or (arm is not None and arm.known_cloud is None)
        if may_discover and not is_retired_cloud_name(str(values["cloud"])):
            return None, str(values["cloud"]).strip()
        raise unusable("cloud", values["cloud"], sources["cloud"], exc) from None
    # A built-in name picks its entry from a metadata array too (and must then agree with it).
    # A cloud without a built-in Resource Manager (GovSG) is read from its metadata, if any.
    discoverable = "cloud_metadata_url" in values or canonical in data.WITHOUT_RESOURCE_MANAGER
    return canonical, canonical if discoverable else None


_IMPLICIT_ENV_FILE_SELECTS = (
    "This .env file was found in the working directory without being named, so it can only select a "
    "built-in cloud; a private cloud's values go in the environment or in a .env file you name "
    "(AZENVCLOUD_ENV_FILE=PATH, --env-file or _env_file=)."
)


def refuse_misnamed_cloud(values: Mapping[str, object], sources: Mapping[str, Source]) -> None:
    """An ``AZURE_CLOUD`` from the implicit ``./.env`` that names no cloud at all (``usgovt``,
    ``china;``) is the misspelling it is, with its suggestion: the trust rule's refusal would only
    lead there (its fix, naming the file, ends in this message). Where a trusted metadata source is
    in play, the name may be its cloud's, which only a trusted source may pick: the trust rule
    refuses it, with the suggestion."""
    source = sources.get("cloud")
    if "cloud" not in values or source is None or _trust.is_trusted(source):
        return
    raw = str(values["cloud"])
    try:
        canonical_cloud_name(raw)
    except InvalidValue as exc:
        if not _trusted_metadata_in_play(values, sources):
            error = exc.configuration_error(source.names("cloud"), raw, variables=(VARIABLES["cloud"],))
            raise ConfigurationError(
                f"{error} {_IMPLICIT_ENV_FILE_SELECTS}", variables=error.variables
            ) from None
        suggestion = getattr(exc, "suggestion", None)
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        raise _trust.refuse(VARIABLES["cloud"], raw, source, f"it names no built-in cloud{hint}") from None


def _trusted_metadata_in_play(values: Mapping[str, object], sources: Mapping[str, Source]) -> bool:
    """Whether a trusted source points at a cloud's metadata (a metadata URL, or a Resource Manager
    of no built-in cloud): then a name of no built-in cloud may be the metadata's own."""
    if "cloud_metadata_url" in values and _trust.is_trusted(sources["cloud_metadata_url"]):
        return True
    if "resource_manager" not in values or not _trust.is_trusted(sources["resource_manager"]):
        return False
    try:
        return (
            cloud_name_for_management_host(host_of(parse_endpoint(str(values["resource_manager"])))) is None
        )
    except InvalidValue:
        return False  # a malformed Resource Manager is its own error, later


def names_builtin_cloud(name: str) -> bool:
    """Whether ``name`` selects a built-in cloud or a variant (what an implicit ./.env may name)."""
    try:
        return canonical_cloud_name(name) in BUILTIN_CLOUDS
    except InvalidValue:
        return False


def select_base(
    named: str | None,
    given: Mapping[str, Given],
    resolved_sources: dict[str, Source],
    *,
    cloud_raw: object = None,
) -> Cloud | None:
    """The built-in cloud to start from, or ``None`` for a custom cloud.

    Disagreeing values are left to :func:`refuse_mixed_clouds`, which sees the final values.
    A cloud known by name or authority host but without a Resource Manager (GovSG) is an error
    here: had it a Resource Manager or metadata URL, it would have come from its metadata.
    """
    hinted = [item for item in given.values() if item.known_cloud]
    builtin_hints = [item for item in hinted if item.known_cloud in BUILTIN_CLOUDS]
    if named is not None and named not in data.WITHOUT_RESOURCE_MANAGER:
        return BUILTIN_CLOUDS.get(named)
    arm = given.get("resource_manager")
    if arm is not None and arm.known_cloud is None:
        return None  # a Resource Manager of no built-in cloud: never that built-in cloud
    if builtin_hints:  # another cloud's value with GovSG's: the mixed-cloud check names both
        leader = builtin_hints[0]
        resolved_sources.setdefault("cloud", Source("derived", f"from the host in {VARIABLES[leader.field]}"))
        return BUILTIN_CLOUDS[str(leader.known_cloud)]
    if named is not None:  # GovSG by name, and no Resource Manager
        raise ConfigurationError(
            f"{resolved_sources['cloud'].names('cloud')}={quote_value(cloud_raw)} selects "
            f"{without_resource_manager(named)}.",
            variables=("AZURE_CLOUD", "AZURE_RESOURCE_MANAGER", "AZURE_CLOUD_METADATA_URL"),
        )
    if hinted:  # GovSG by its authority host, and no Resource Manager
        raise ConfigurationError(
            f"{hinted[0].shown} belongs to {without_resource_manager(str(hinted[0].known_cloud))}.",
            variables=(VARIABLES[hinted[0].field], "AZURE_RESOURCE_MANAGER", "AZURE_CLOUD_METADATA_URL"),
        )
    if given:
        return None
    resolved_sources["cloud"] = Source("default", f"{data.PUBLIC} (nothing set)")
    return BUILTIN_CLOUDS[data.PUBLIC]


def refuse_mixed_clouds(
    cloud: Cloud,
    named: str | None,
    values: Mapping[str, object],
    given: Mapping[str, Given],
    resolved_sources: Mapping[str, Source],
) -> None:
    """Check the final values, whatever each came from, against each other and ``AZURE_CLOUD``.

    Every value whose host belongs to a built-in cloud claims that cloud, and so does a built-in
    ``AZURE_CLOUD``; the values the user set come first, so the message names them. A cloud
    named as a built-in one must also have that cloud's Resource Manager.
    """
    claims: list[tuple[str, str, str]] = []  # (field, how to name it, the cloud it claims)
    if named is not None and (named in BUILTIN_CLOUDS or named in data.WITHOUT_RESOURCE_MANAGER):
        claims.append(
            ("cloud", f"{resolved_sources['cloud'].names('cloud')}={quote_value(values['cloud'])}", named)
        )
    for field in ENDPOINT_FIELDS:
        value = getattr(cloud, field)
        lookup = (
            cloud_name_for_authority_host if field == "authority_host" else cloud_name_for_management_host
        )
        known = lookup(host_of(value))
        if known is not None:
            shown = (
                given[field].shown
                if field in given
                else f"{resolved_sources[field].names(field)}={quote_value(value)}"
            )
            claims.append((field, shown, known))
    claims.sort(key=lambda claim: claim[0] != "cloud" and claim[0] not in given)
    for field, shown, known in claims[1:]:
        if known != claims[0][2]:
            lead_field, lead_shown, lead_cloud = claims[0]
            verb = "selects" if lead_field == "cloud" else "belongs to"
            raise ConfigurationError(
                f"{lead_shown} {verb} {lead_cloud} but {shown} belongs to {known}. "
                "Values of two clouds in one configuration make token requests fail (AADSTS500011). "
                "Set values of one cloud only, or just AZURE_CLOUD.",
                variables=(VARIABLES[lead_field], VARIABLES[field]),
            )
    arm_cloud = cloud_name_for_management_host(host_of(cloud.resource_manager))
    if cloud.name in BUILTIN_CLOUDS and arm_cloud != cloud.name:
        source = resolved_sources["resource_manager"]
        raise ConfigurationError(
            f"{source.names('resource_manager')}={quote_value(cloud.resource_manager)} is no Resource "
            f"Manager of {cloud.name}, which {resolved_sources['cloud'].names('cloud')} selects: a Resource "
            "Manager of no built-in cloud describes a cloud of its own, with its own hosts and suffixes. "
            "Accepted: leave AZURE_CLOUD unset (azenvcloud then reads that cloud's metadata), set "
            "AZURE_CLOUD_METADATA_URL, or use the built-in cloud's own Resource Manager.",
            variables=("AZURE_RESOURCE_MANAGER", "AZURE_CLOUD"),
        )


SDK_CLOUD_KEY = "sdk_cloud_conf"
"""Where ``AZURE_SDK_CLOUD_CONF``'s source is kept among the settings' sources."""


# azure-core accepts exactly the names of its AzureClouds members, case-sensitively:
# Azure/azure-sdk-for-python, sdk/core/azure-core/azure/core/settings.py, convert_azure_cloud
# (azure-core 1.41.0, as installed; azure/core/_azure_clouds.py has the three members).
SDK_CLOUDS: Mapping[str, str] = {
    "AZURE_PUBLIC_CLOUD": data.PUBLIC,
    "AZURE_CHINA_CLOUD": data.CHINA,
    "AZURE_US_GOVERNMENT": data.US_GOVERNMENT,
}


SDK_CLOUD_CONF = "AZURE_SDK_CLOUD_CONF"
"""azure-core's own cloud switch (1.39+), read from the environment only, as azure-core does."""


def sdk_cloud(raw: str | None, sources: dict[str, Source]) -> str | None:
    """The canonical cloud ``AZURE_SDK_CLOUD_CONF`` names, or ``None`` when it is unset; records
    its source under :data:`SDK_CLOUD_KEY`.

    Raises:
        ConfigurationError: A value azure-core would refuse (it compares case-sensitively).
    """
    if raw is None:
        return None
    sources[SDK_CLOUD_KEY] = Source("environment", SDK_CLOUD_CONF)
    if raw not in SDK_CLOUDS:
        raise ConfigurationError(
            f"{SDK_CLOUD_CONF}={quote_value(raw)} is not usable: azure-core accepts only the exact names of "
            f"its clouds, and refuses this value when it builds a client. Accepted: "
            f"{', '.join(SDK_CLOUDS)} (case-sensitive), or leave it unset and select the cloud with "
            "AZURE_CLOUD.",
            variables=(SDK_CLOUD_CONF,),
        )
    return SDK_CLOUDS[raw]


def refuse_other_sdk_cloud(raw: str, cloud: Cloud, sources: Mapping[str, Source]) -> None:
    """``AZURE_SDK_CLOUD_CONF`` names another cloud than the resolved one: the process would run two."""
    if SDK_CLOUDS.get(raw) == cloud.name:
        return
    chosen = sources.get("cloud") or sources.get("resource_manager") or Source("derived")
    raise ConfigurationError(
        f"{SDK_CLOUD_CONF}={quote_value(raw)} selects {SDK_CLOUDS.get(raw, raw)} for every Azure SDK "
        f"client built without cloud_setting, but the configuration resolves {cloud.name} ({chosen}): "
        f"one process would talk to two clouds. Accepted: unset {SDK_CLOUD_CONF}, or set it to the "
        "resolved cloud's name"
        + "".join(f" ({member})" for member, name in SDK_CLOUDS.items() if name == cloud.name)
        + ", or select that cloud with AZURE_CLOUD instead.",
        variables=(SDK_CLOUD_CONF, "AZURE_CLOUD"),
    )
