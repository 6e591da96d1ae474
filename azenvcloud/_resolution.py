"""From raw configuration values and their sources to one consistent cloud.

The rules, in order:

1. Each value is parsed on its own, by the parser its declaration names (https endpoints, GUIDs,
   flags; :mod:`azenvcloud._variables`); a bad one is an error that names its variable. A setting
   that is none of the cloud's own values is then set, or has its declared default.
2. ``AZURE_CLOUD`` names a built-in cloud (or ``Custom``). Without it, a known authority or
   Resource Manager host selects its cloud; with nothing set, the public cloud.
3. Each endpoint variable overrides just that value of the selected cloud. With no cloud to
   start from, all three of authority, Resource Manager and audience make a custom cloud. A
   Resource Manager host of no built-in cloud is never that built-in cloud: its cloud comes
   from its metadata, or is custom with only the values given.
4. The final, merged values (whatever each came from: the environment, a default, metadata)
   are checked once more: values of two different known clouds, or a built-in ``AZURE_CLOUD``
   that its values contradict, are an error naming both variables and both clouds. That
   mismatch is what makes token requests fail with AADSTS500011. Then every destination (the
   authority, Resource Manager, each service's hosts, accepted hosts) must be a host no other
   cloud owns, by a sourced host or by its DNS zone (:mod:`azenvcloud._host_owner`).
5. The token scope is the built-in cloud's (azure-mgmt-core's own) while the audience is the
   cloud's default; otherwise an audience on a built-in cloud's host without its trailing slash
   plus ``/.default``, any other audience verbatim plus ``/.default`` (as the Azure CLI forms
   it), or the audience verbatim when it already is a ``.default`` scope.
6. GovSG, known by name and authority host but not by Resource Manager, comes from its
   metadata (``AZURE_RESOURCE_MANAGER`` or ``AZURE_CLOUD_METADATA_URL``); without either it
   is an error saying so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from . import _builtin_clouds as data
from . import _trust
from ._clouds import (
    BUILTIN_CLOUDS,
    Cloud,
    canonical_cloud_name,
    cloud_name_for_authority_host,
    cloud_name_for_management_host,
    is_retired_cloud_name,
    resource_manager_scope,
    without_resource_manager,
)
from ._declaration import Selected, Variable
from ._discovery import load_metadata
from ._errors import ConfigurationError, quote_value
from ._metadata_source import DEFAULT_TTL as DEFAULT_METADATA_TTL
from ._metadata_source import is_local
from ._one_cloud import (
    SDK_CLOUD_CONF,
    SDK_CLOUD_KEY,
    refuse_foreign_accepted_hosts,
    refuse_foreign_audiences,
    refuse_foreign_destinations,
    refuse_other_sdk_cloud,
    sdk_cloud,
)
from ._provenance import VARIABLES, Source
from ._service_model import SERVICES_KEY, parse_service_variable
from ._service_variables import apply_service_variables
from ._values import InvalidValue, TokenCacheMode, find_control_character, host_of, parse_endpoint
from ._variables import FIELDS, default_of

__all__ = ["DEFAULT_METADATA_TTL", "SDK_CLOUD_CONF", "Resolution", "TokenCacheMode", "resolve"]

T = TypeVar("T")

ENDPOINT_FIELDS = ("authority_host", "resource_manager", "audience")
_DECLARED = {variable.field: variable for variable in FIELDS}


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one configuration.

    Attributes:
        cloud: The resolved cloud (its authority, Resource Manager, audience and services).
        settings: Every other setting's value, by attribute (each declared in
            :mod:`azenvcloud._variables`): as set, its declared default, or derived from the cloud.
        sources: Where each resolved value came from, by attribute (``services.<service>.<field>``
            for a service's).
    """

    cloud: Cloud
    settings: Mapping[str, Any]
    sources: Mapping[str, Source]


@dataclass(frozen=True)
class _Given:
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


def _unusable(field: str, raw: object, source: Source, exc: InvalidValue) -> ConfigurationError:
    return exc.configuration_error(source.names(field), raw, variables=(VARIABLES[field],))


def _parse_given(field: str, raw: object, source: Source) -> _Given:
    text = str(raw)
    scope: str | None = None
    try:
        parsed = _parser(field)(text)
    except InvalidValue as exc:
        raise _unusable(field, raw, source, exc) from None
    value, scope = parsed if isinstance(parsed, tuple) else (parsed, None)  # an audience: and its scope
    lookup = cloud_name_for_authority_host if field == "authority_host" else cloud_name_for_management_host
    known = lookup(host_of(value))
    if known in data.RETIRED_REASONS:
        raise ConfigurationError(
            f"{source.names(field)}={quote_value(raw)} belongs to a retired cloud: "
            f"{data.RETIRED_REASONS[known]}.",
            variables=(VARIABLES[field],),
        )
    return _Given(field, text, value, source, known, scope)


def resolve(
    values: Mapping[str, object], sources: Mapping[str, Source], *, sdk_cloud_conf: str | None = None
) -> Resolution:
    """Resolve raw values (already stripped of blanks) into one consistent configuration.

    Args:
        values: Raw values by field name; absent fields were not set anywhere.
        sources: Where each present value came from.
        sdk_cloud_conf: ``AZURE_SDK_CLOUD_CONF`` from the environment, or ``None`` when unset:
            alone it selects the cloud; naming another cloud than the resolved one is an error.

    Raises:
        ConfigurationError: A value is malformed, values of two clouds are mixed, a custom
            cloud is missing one of its three values, or its metadata cannot be had.
    """
    _refuse_control_characters(values, sources)
    _refuse_misnamed_cloud(values, sources)
    _trust.check_settings(
        values, sources, is_cloud_name=_names_builtin_cloud, selected=Selected(_named_or_public(values))
    )
    resolved_sources: dict[str, Source] = {}
    sdk_cloud_name = sdk_cloud(sdk_cloud_conf, resolved_sources)
    if sdk_cloud_name is not None and not {"cloud", "cloud_metadata_url", *ENDPOINT_FIELDS} & values.keys():
        values = {**values, "cloud": sdk_cloud_name}  # alone, it selects the cloud (lowest precedence)
        sources = {**sources, "cloud": resolved_sources[SDK_CLOUD_KEY]}
    settings = {
        variable.field: _setting(variable, values, sources, resolved_sources)
        for variable in FIELDS
        if not variable.of_cloud
    }
    given = {
        field: _parse_given(field, values[field], sources[field])
        for field in ENDPOINT_FIELDS
        if field in values
    }
    if "cloud" in values:
        resolved_sources["cloud"] = sources["cloud"]

    named, selector = _cloud_name(values, sources, given)
    discovered = _discover(
        values,
        sources,
        given,
        selector,
        ttl=settings["metadata_ttl"],
        cache_dir=settings["metadata_cache_dir"],
    )
    if discovered is not None:
        base: Cloud | None = discovered[0]
        default_source = discovered[1]
        _refuse_untrusted_name_over_metadata(named, values, sources, discovered[0], default_source)
        resolved_sources.setdefault("cloud", default_source)
    else:
        base = _select_base(named, given, resolved_sources, cloud_raw=values.get("cloud"))
        default_source = Source("default", base.name) if base else Source("derived")
    cloud_name = str(values["cloud"]) if named is not None else None
    authority = given["authority_host"].value if "authority_host" in given else None
    selected = Selected(base, cloud_name, authority or (base.authority_host if base else None))
    _trust.check_repeated(selected, _set_values(values, sources, given, settings))
    cloud = _apply(base, default_source, named, given, resolved_sources)
    _refuse_mixed_clouds(cloud, named, values, given, resolved_sources)
    variables = values.get(SERVICES_KEY)
    service_variables: Mapping[str, str] = variables if isinstance(variables, Mapping) else {}
    service_origins: Mapping[str, Source] = sources.get(SERVICES_KEY) or {}  # type: ignore[assignment]
    cloud, service_sources = apply_service_variables(
        cloud, cloud_name=cloud_name, variables=service_variables, origins=service_origins
    )
    resolved_sources.update(service_sources)
    _trust.check_repeated(selected, _service_values(cloud, service_variables, service_origins))
    refuse_foreign_destinations(cloud, resolved_sources, described_by=default_source, cloud_name=cloud_name)
    refuse_foreign_audiences(cloud, resolved_sources)
    if sdk_cloud_conf is not None:
        refuse_other_sdk_cloud(sdk_cloud_conf, cloud, resolved_sources)
    for variable in FIELDS:  # what the resolved cloud decides for a setting left unset
        if variable.derive is not None and variable.field not in values:
            settings[variable.field], how = variable.derive(cloud)
            resolved_sources[variable.field] = Source("derived", how)
    refuse_foreign_accepted_hosts(cloud, settings["accepted_hosts"], resolved_sources.get("accepted_hosts"))
    return Resolution(cloud=cloud, settings=settings, sources=resolved_sources)


def _named_or_public(values: Mapping[str, object]) -> Cloud | None:
    """The cloud as far as its name tells before any value is read: the built-in cloud
    ``AZURE_CLOUD`` names, the public cloud where nothing selects one, else ``None`` (the cloud is
    not known before its values are read)."""
    if "cloud" in values and _names_builtin_cloud(str(values["cloud"])):
        return BUILTIN_CLOUDS[canonical_cloud_name(str(values["cloud"]))]
    if not {"cloud", "cloud_metadata_url", *ENDPOINT_FIELDS} & values.keys():
        return BUILTIN_CLOUDS[data.PUBLIC]
    return None


def _set_values(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    given: Mapping[str, _Given],
    settings: Mapping[str, object],
) -> Iterator[tuple[str, object, object, Source]]:
    """Every setting that was set: ``(variable, raw, parsed value, source)``, for the trust rule."""
    for variable in FIELDS:
        if variable.field in values:
            value = given[variable.field].value if variable.field in given else settings.get(variable.field)
            yield variable.name, values[variable.field], value, sources[variable.field]


def _service_values(
    cloud: Cloud, variables: Mapping[str, str], origins: Mapping[str, Source]
) -> Iterator[tuple[str, object, object, Source]]:
    """Every ``AZURE_SERVICE_*`` variable that was set: ``(variable, raw, parsed value, source)``."""
    for variable, raw in variables.items():
        service, field = parse_service_variable(variable)
        value = cloud.service_overrides.get(service, {}).get(field, raw)
        yield variable, raw, value, origins.get(variable, Source("environment"))


def _parser(field: str) -> Callable[[Any], Any]:
    parse = _DECLARED[field].parse
    assert parse is not None, f"{field} is declared without a parser"
    return parse


def _setting(
    variable: Variable,
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    resolved_sources: dict[str, Source],
) -> Any:
    """A setting that is none of the cloud's own values: parsed as declared, with its source; or,
    unset, its declared default (described as a derived source where its declaration says what
    applies instead)."""
    field = variable.field
    if field in values:
        resolved_sources[field] = sources[field]
        return _parsed(field, values, sources, _parser(field))
    if variable.unset is not None:
        resolved_sources[field] = Source("derived", f"when unset: {variable.unset}")
    return default_of(field)


def _refuse_control_characters(values: Mapping[str, object], sources: Mapping[str, Source]) -> None:
    """No value may hold a control character, whatever it is (one check for every variable)."""
    for field, raw in values.items():
        char = find_control_character(raw) if isinstance(raw, str) else None
        if char is not None:
            raise _unusable(
                field,
                raw,
                sources[field],
                InvalidValue(
                    f"it contains a control character ({char!r})",
                    "printable text on one line, without control characters",
                ),
            )


def _parsed(
    field: str, values: Mapping[str, object], sources: Mapping[str, Source], parse: Callable[[Any], T]
) -> T:
    try:
        return parse(values[field])
    except InvalidValue as exc:
        raise _unusable(field, values[field], sources[field], exc) from None


def _cloud_name(
    values: Mapping[str, object], sources: Mapping[str, Source], given: Mapping[str, _Given]
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
        raise _unusable("cloud", values["cloud"], sources["cloud"], exc) from None
    # A built-in name picks its entry from a metadata array too (and must then agree with it).
    # A cloud without a built-in Resource Manager (GovSG) is read from its metadata, if any.
    discoverable = "cloud_metadata_url" in values or canonical in data.WITHOUT_RESOURCE_MANAGER
    return canonical, canonical if discoverable else None


def _discover(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    given: Mapping[str, _Given],
    selector: str | None,
    *,
    ttl: int,
    cache_dir: str | None,
) -> tuple[Cloud, Source] | None:
    """The cloud from metadata, when a metadata URL is set or an unknown ARM lacks its partners."""
    if "cloud_metadata_url" in values:
        field, location = "cloud_metadata_url", str(values["cloud_metadata_url"]).strip()
        arm = given.get("resource_manager")
        # The Resource Manager asked for picks from an array and stands in for one the document
        # lacks: only a trusted one may. An untrusted one is judged against the cloud the location
        # describes (for a URL, its own Resource Manager), never against a value it supplied itself.
        queried_arm = arm.value if arm is not None and _trust.is_trusted(arm.source) else None
    else:
        arm = given.get("resource_manager")
        complete = all(field in given for field in ENDPOINT_FIELDS)
        if arm is None or arm.known_cloud is not None or complete:
            return None
        if "cloud" in values and selector is None:  # a built-in name: override semantics
            return None
        field, location, queried_arm = "resource_manager", arm.value, arm.value
    # Metadata describes every destination: it is read only from a trusted location, and a copy
    # served from the cache is trusted as the less trusted of its URL and the cache folder.
    _trust.require_trusted(
        VARIABLES[field],
        values[field],
        _trust.weakest(sources[field], sources.get("metadata_cache_dir"), sources.get("metadata_ttl")),
        "it is of no built-in cloud, so azenvcloud would read the whole cloud's description from it",
    )
    if field == "cloud_metadata_url":
        _refuse_relative_snapshot(location, values[field], sources[field])

    def load(resource_manager: str | None) -> tuple[Cloud, str]:
        return load_metadata(
            location,
            field=field,
            raw=values[field],
            source=sources[field],
            name=selector,
            queried_arm=resource_manager,
            ttl=ttl,
            cache_dir=cache_dir,
        )

    try:
        cloud, origin = load(queried_arm)
    except ConfigurationError:
        if arm is not None and queried_arm is None and is_local(location):
            _refuse_standing_in(arm, lambda: load(arm.value))
        raise
    return cloud, Source("metadata", origin)


def _refuse_standing_in(arm: _Given, load: Callable[[], object]) -> None:
    """A snapshot that lacks a Resource Manager has none of its own for an untrusted one to repeat:
    when the untrusted one would have made it usable, that is the trust rule's error, not the
    snapshot's (which it leaves to the caller)."""
    try:
        load()
    except ConfigurationError:
        return
    raise _trust.refuse(
        VARIABLES["resource_manager"],
        arm.raw,
        arm.source,
        "the cloud metadata names no Resource Manager of its own, so there is none to repeat",
    )


def _refuse_relative_snapshot(location: str, raw: object, source: Source) -> None:
    """A snapshot file is named by an absolute path, as the cache folder is: a relative one is
    whatever file of that name the working directory holds (a cloned repository may ship one)."""
    if not is_local(location):
        return
    path = unquote(urlsplit(location).path) if location.startswith("file://") else location
    if not os.path.isabs(path):
        raise _unusable(
            "cloud_metadata_url",
            raw,
            source,
            InvalidValue(
                "it is a relative path, so the cloud would be described by whatever file of that name "
                "the working directory holds (a cloned repository may ship one)",
                "an absolute path of a snapshot file (give an absolute path, or a file:/// URL), "
                "or an https metadata URL",
            ),
        )


def _refuse_untrusted_name_over_metadata(
    named: str | None,
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    cloud: Cloud,
    described_by: Source,
) -> None:
    """A built-in ``AZURE_CLOUD`` from the implicit ``./.env`` must be the cloud the trusted
    metadata describes (a single document is not picked from by name, so nothing else checks it):
    otherwise it is the mixed-cloud error (``dod`` would graft the DoD Graph onto a private cloud)."""
    if named is None or named not in BUILTIN_CLOUDS or _trust.is_trusted(sources["cloud"]):
        return
    if cloud.name == named:
        return
    raise ConfigurationError(
        f"{sources['cloud'].names('cloud')}={quote_value(values['cloud'])} selects {named} but the cloud "
        f"metadata ({described_by}) describes {cloud.name}. Values of two clouds in one configuration "
        "make token requests fail or send a token to the other cloud. Accepted: remove AZURE_CLOUD from "
        f"the .env file {sources['cloud'].detail} (the metadata selects the cloud), or set AZURE_CLOUD "
        "in the environment.",
        variables=("AZURE_CLOUD", "AZURE_CLOUD_METADATA_URL"),
    )


_IMPLICIT_ENV_FILE_SELECTS = (
    "This .env file was found in the working directory without being named, so it can only select a "
    "built-in cloud; a private cloud's values go in the environment or in a .env file you name "
    "(AZENVCLOUD_ENV_FILE=PATH, --env-file or _env_file=)."
)


def _refuse_misnamed_cloud(values: Mapping[str, object], sources: Mapping[str, Source]) -> None:
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


def _names_builtin_cloud(name: str) -> bool:
    """Whether ``name`` selects a built-in cloud or a variant (what an implicit ./.env may name)."""
    try:
        return canonical_cloud_name(name) in BUILTIN_CLOUDS
    except InvalidValue:
        return False


def _select_base(
    named: str | None,
    given: Mapping[str, _Given],
    resolved_sources: dict[str, Source],
    *,
    cloud_raw: object = None,
) -> Cloud | None:
    """The built-in cloud to start from, or ``None`` for a custom cloud.

    Disagreeing values are left to :func:`_refuse_mixed_clouds`, which sees the final values.
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


def _refuse_mixed_clouds(
    cloud: Cloud,
    named: str | None,
    values: Mapping[str, object],
    given: Mapping[str, _Given],
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


def _apply(
    base: Cloud | None,
    default_source: Source,
    named: str | None,
    given: Mapping[str, _Given],
    resolved_sources: dict[str, Source],
) -> Cloud:
    """Lay the given values over the base cloud (or assemble a custom one)."""
    audience_scope = given["audience"].scope if "audience" in given else None
    for field, item in given.items():
        resolved_sources[field] = item.source

    if base is None:
        missing = [field for field in ENDPOINT_FIELDS if field not in given]
        if missing:
            raise _incomplete_custom(named, given, missing)
        resolved_sources.setdefault("cloud", Source("derived", "from three endpoints of no built-in cloud"))
        resolved_sources["credential_scopes"] = Source("derived", "from the audience")
        return Cloud.custom(
            authority_host=given["authority_host"].value,
            resource_manager=given["resource_manager"].value,
            audience=given["audience"].value,
            credential_scopes=(audience_scope,) if audience_scope else None,
        )

    for field in ENDPOINT_FIELDS:
        resolved_sources.setdefault(field, default_source)
    scopes: tuple[str, ...]
    if "audience" in given:
        audience = given["audience"].value
        scopes = (audience_scope or resource_manager_scope(audience),)
        resolved_sources["credential_scopes"] = Source("derived", "from the audience")
    else:
        scopes = base.credential_scopes
        resolved_sources["credential_scopes"] = default_source
    return base.with_overrides(
        authority_host=given["authority_host"].value if "authority_host" in given else None,
        resource_manager=given["resource_manager"].value if "resource_manager" in given else None,
        audience=given["audience"].value if "audience" in given else None,
        credential_scopes=scopes,
    )


def _incomplete_custom(
    named: str | None, given: Mapping[str, _Given], missing: list[str]
) -> ConfigurationError:
    wanted = " and ".join(VARIABLES[field] for field in missing)
    if named == data.CUSTOM:
        lead = "AZURE_CLOUD=Custom describes a cloud of no built-in kind"
    else:
        shown = ", ".join(item.shown for item in given.values())
        lead = f"{shown} {'is' if len(given) == 1 else 'are'} not of a built-in cloud"
    return ConfigurationError(
        f"{lead}, so azenvcloud cannot fill in the rest: set {wanted} too "
        "(a custom cloud needs AZURE_AUTHORITY_HOST, AZURE_RESOURCE_MANAGER and AZURE_AUDIENCE), "
        "or set AZURE_CLOUD to the built-in cloud these values override.",
        variables=[*(VARIABLES[field] for field in given), *(VARIABLES[field] for field in missing)],
    )
