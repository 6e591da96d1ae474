"""From raw configuration values and their sources to one consistent cloud.

The rules, in order:

1. Each value is parsed on its own (https endpoints, GUIDs, flags); a bad one is an error that
   names its variable.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit

from . import _builtin_clouds as data
from . import _trust
from ._discovery import load_metadata
from ._host_owner import HostOwner, Role, foreign_owner
from ._metadata_source import DEFAULT_TTL as DEFAULT_METADATA_TTL
from ._metadata_source import is_local
from ._one_cloud import (
    SDK_CLOUD_CONF,
    SDK_CLOUD_KEY,
    audience_owners,
    refuse_foreign_accepted_hosts,
    refuse_foreign_audiences,
    refuse_foreign_destinations,
    refuse_other_sdk_cloud,
    sdk_cloud,
)
from ._service_model import SERVICES_KEY, parse_accepted_hosts, parse_service_variable, services_of
from ._service_variables import apply_service_variables
from ._values import (
    InvalidValue,
    find_control_character,
    host_of,
    parse_audience,
    parse_endpoint,
    parse_flag,
    parse_path,
    parse_seconds,
    parse_subscription_id,
)
from .clouds import (
    BUILTIN_CLOUDS,
    Cloud,
    canonical_cloud_name,
    cloud_name_for_authority_host,
    cloud_name_for_management_host,
    is_retired_cloud_name,
    resource_manager_scope,
    without_resource_manager,
)
from .errors import ConfigurationError, quote_value
from .profiles import API_PROFILES, LATEST
from .provenance import VARIABLES, Source

__all__ = ["DEFAULT_METADATA_TTL", "SDK_CLOUD_CONF", "Resolution", "TokenCacheMode", "resolve"]

T = TypeVar("T")

ENDPOINT_FIELDS = ("authority_host", "resource_manager", "audience")
_AUTHORITY_ACCEPTED = "the https URL or bare host of an identity authority, such as login.chinacloudapi.cn"


TokenCacheMode = Literal["off", "unencrypted"]
"""``AZENVCLOUD_TOKEN_CACHE``: tokens in memory only, or also on disk (:mod:`azenvcloud._token_store`)."""


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one configuration."""

    cloud: Cloud
    subscription_id: str | None
    disable_instance_discovery: bool
    api_profile: str
    cloud_metadata_url: str | None
    metadata_ttl: int
    metadata_cache_dir: str | None
    token_prefetch: bool
    accepted_hosts: tuple[str, ...]
    sources: Mapping[str, Source]
    token_cache: TokenCacheMode = "off"  # noqa: S105 - a mode, not a password


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


def _parse_authority(raw: str) -> str:
    value = parse_endpoint(raw, accepted=_AUTHORITY_ACCEPTED)
    if urlsplit(value).path:
        raise InvalidValue(
            "it has a path after its host, but only a scheme and host are expected: "
            "the authority is a host only; a tenant belongs in AZURE_TENANT_ID",
            _AUTHORITY_ACCEPTED,
        )
    if cloud_name_for_management_host(host_of(value)):
        raise InvalidValue(
            "it is a Resource Manager or audience host, not an identity authority "
            "(did you mean AZURE_RESOURCE_MANAGER or AZURE_AUDIENCE?)",
            _AUTHORITY_ACCEPTED,
        )
    return value


def _parse_resource_manager(raw: str) -> str:
    value = parse_endpoint(raw)
    if cloud_name_for_authority_host(host_of(value)):
        raise InvalidValue(
            "it is an identity authority host, not Resource Manager (did you mean AZURE_AUTHORITY_HOST?)",
            "the https URL of Resource Manager, such as https://management.chinacloudapi.cn",
        )
    return value


def _parse_given(field: str, raw: object, source: Source) -> _Given:
    text = str(raw)
    scope: str | None = None
    try:
        if field == "authority_host":
            value = _parse_authority(text)
            known = cloud_name_for_authority_host(host_of(value))
        elif field == "resource_manager":
            value = _parse_resource_manager(text)
            known = cloud_name_for_management_host(host_of(value))
        else:
            value, scope = parse_audience(text)
            known = cloud_name_for_management_host(host_of(value))
    except InvalidValue as exc:
        raise _unusable(field, raw, source, exc) from None
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
    _refuse_untrusted_accepted_hosts_of_another_cloud(values, sources)
    _trust.check_settings(values, sources, is_cloud_name=_names_builtin_cloud)
    resolved_sources: dict[str, Source] = {}
    sdk_cloud_name = sdk_cloud(sdk_cloud_conf, resolved_sources)
    if sdk_cloud_name is not None and not {"cloud", "cloud_metadata_url", *ENDPOINT_FIELDS} & values.keys():
        values = {**values, "cloud": sdk_cloud_name}  # alone, it selects the cloud (lowest precedence)
        sources = {**sources, "cloud": resolved_sources[SDK_CLOUD_KEY]}
    ttl, cache_dir = _cache_settings(values, sources, resolved_sources)
    given = {
        field: _parse_given(field, values[field], sources[field])
        for field in ENDPOINT_FIELDS
        if field in values
    }
    if "cloud" in values:
        resolved_sources["cloud"] = sources["cloud"]

    named, selector = _cloud_name(values, sources, given)
    discovered = _discover(values, sources, given, selector, ttl=ttl, cache_dir=cache_dir)
    if discovered is not None:
        base: Cloud | None = discovered[0]
        default_source = discovered[1]
        _refuse_untrusted_name_over_metadata(named, values, sources, discovered[0], default_source)
        resolved_sources.setdefault("cloud", default_source)
    else:
        base = _select_base(named, given, resolved_sources, cloud_raw=values.get("cloud"))
        default_source = Source("default", base.name) if base else Source("derived")
    _refuse_untrusted_endpoints(base, given)
    cloud = _apply(base, default_source, named, given, resolved_sources)
    _refuse_mixed_clouds(cloud, named, values, given, resolved_sources)
    variables = values.get(SERVICES_KEY)
    service_variables: Mapping[str, str] = variables if isinstance(variables, Mapping) else {}
    service_origins: Mapping[str, Source] = sources.get(SERVICES_KEY) or {}  # type: ignore[assignment]
    cloud_name = str(values["cloud"]) if named is not None else None
    cloud, service_sources = apply_service_variables(
        cloud, cloud_name=cloud_name, variables=service_variables, origins=service_origins
    )
    resolved_sources.update(service_sources)
    _refuse_untrusted_services(base, cloud_name, cloud, service_variables, service_origins)
    refuse_foreign_destinations(cloud, resolved_sources, described_by=default_source, cloud_name=cloud_name)
    refuse_foreign_audiences(cloud, resolved_sources)
    if sdk_cloud_conf is not None:
        refuse_other_sdk_cloud(sdk_cloud_conf, cloud, resolved_sources)

    subscription_id = _setting(
        "subscription_id",
        values,
        sources,
        resolved_sources,
        lambda raw: parse_subscription_id(str(raw)),
        default=None,
    )

    disable = _instance_discovery(values, sources, cloud, resolved_sources)

    api_profile = _setting(
        "api_profile",
        values,
        sources,
        resolved_sources,
        _parse_profile,
        default=LATEST,
        when_unset="each client's latest API versions",
    )
    metadata_url = _setting(
        "cloud_metadata_url", values, sources, resolved_sources, lambda raw: str(raw).strip(), default=None
    )
    prefetch = _setting(
        "token_prefetch", values, sources, resolved_sources, parse_flag, default=True, when_unset="on"
    )
    no_hosts: tuple[str, ...] = ()
    accepted_hosts = _setting(
        "accepted_hosts", values, sources, resolved_sources, parse_accepted_hosts, default=no_hosts
    )
    refuse_foreign_accepted_hosts(cloud, accepted_hosts, resolved_sources.get("accepted_hosts"))
    off: TokenCacheMode = "off"
    token_cache = _setting(
        "token_cache", values, sources, resolved_sources, parse_token_cache, default=off, when_unset="off"
    )
    return Resolution(
        cloud=cloud,
        subscription_id=subscription_id,
        disable_instance_discovery=disable,
        api_profile=api_profile,
        cloud_metadata_url=metadata_url,
        metadata_ttl=ttl,
        metadata_cache_dir=cache_dir,
        token_prefetch=prefetch,
        accepted_hosts=accepted_hosts,
        sources=resolved_sources,
        token_cache=token_cache,
    )


def _instance_discovery(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    cloud: Cloud,
    resolved_sources: dict[str, Source],
) -> bool:
    """``AZURE_DISABLE_INSTANCE_DISCOVERY``: as set (from a trusted source, or repeating the derived
    value), or derived from whether MSAL knows the authority host."""
    derived = host_of(cloud.authority_host) not in data.MSAL_WELL_KNOWN_AUTHORITY_HOSTS
    if "disable_instance_discovery" in values:
        disable = _parsed("disable_instance_discovery", values, sources, parse_flag)
        source = sources["disable_instance_discovery"]
        _trust.require_own_value(
            VARIABLES["disable_instance_discovery"],
            values["disable_instance_discovery"],
            source,
            value=str(disable).lower(),
            own=str(derived).lower(),
            cloud=f"{cloud.name}'s authority host",
        )
        resolved_sources["disable_instance_discovery"] = source
        return disable
    resolved_sources["disable_instance_discovery"] = Source(
        "derived",
        "from the authority host (unknown to MSAL)"
        if derived
        else "from the authority host (well known to MSAL)",
    )
    return derived


def _cache_settings(
    values: Mapping[str, object], sources: Mapping[str, Source], resolved_sources: dict[str, Source]
) -> tuple[int, str | None]:
    """``AZENVCLOUD_METADATA_TTL`` and ``AZENVCLOUD_CACHE_DIR``: needed before metadata is loaded."""
    ttl = _setting(
        "metadata_ttl",
        values,
        sources,
        resolved_sources,
        parse_seconds,
        default=DEFAULT_METADATA_TTL,
        when_unset=f"{DEFAULT_METADATA_TTL} s, a day",
    )
    cache_dir = _setting(
        "metadata_cache_dir",
        values,
        sources,
        resolved_sources,
        parse_cache_dir,
        default=None,
        when_unset="the user cache folder",
    )
    return ttl, cache_dir


def parse_cache_dir(raw: object) -> str:
    """``AZENVCLOUD_CACHE_DIR``: an absolute folder path."""
    path = parse_path(str(raw), "an absolute folder path")
    if not os.path.isabs(path):
        raise InvalidValue(
            "it is a relative path, so the cache would be whatever folder of that name the working "
            "directory holds (a cloned repository may ship one)",
            "an absolute folder path, or unset for the user's cache folder",
        )
    return path


def parse_token_cache(raw: object) -> TokenCacheMode:
    """``AZENVCLOUD_TOKEN_CACHE``: ``off`` or ``unencrypted`` (no encrypted store: see
    docs/how-to/token-store.md)."""
    text = str(raw).strip().lower()
    if text == "off":
        return "off"
    if text == "unencrypted":
        return "unencrypted"
    problem = (
        "an encrypted token store is not offered (its key would have to live next to it on a headless "
        "machine, or in a Secret Service most servers do not run)"
        if text == "encrypted"
        else "it is no token store mode"
    )
    raise InvalidValue(problem, "off (the default) or unencrypted (a file per token, readable by you alone)")


def _setting(
    field: str,
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    resolved_sources: dict[str, Source],
    parse: Callable[[Any], T],
    *,
    default: T,
    when_unset: str | None = None,
) -> T:
    """A setting that needs no cloud: its parsed value and source, or ``default`` (described by
    ``when_unset`` as a derived source, where given)."""
    if field in values:
        resolved_sources[field] = sources[field]
        return _parsed(field, values, sources, parse)
    if when_unset is not None:
        resolved_sources[field] = Source("derived", f"when unset: {when_unset}")
    return default


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


def _parse_profile(raw: object) -> str:
    text = str(raw).strip().lower()
    if text not in API_PROFILES:
        raise InvalidValue("it is not a known API profile", f"one of {', '.join(API_PROFILES)}")
    return text


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


def _refuse_untrusted_accepted_hosts_of_another_cloud(
    values: Mapping[str, object], sources: Mapping[str, Source]
) -> None:
    """``AZENVCLOUD_ACCEPTED_HOSTS`` from the implicit ``./.env`` is refused by the trust rule; when it
    lists a host another cloud than the one named (or the public default) owns, the refusal offers
    no fix that would be the mixed-cloud error (naming the file, or the environment)."""
    source = sources.get("accepted_hosts")
    if source is None or _trust.is_trusted(source):
        return
    if "cloud" in values and _names_builtin_cloud(str(values["cloud"])):
        cloud = BUILTIN_CLOUDS[canonical_cloud_name(str(values["cloud"]))]
    elif not {"cloud", "cloud_metadata_url", *ENDPOINT_FIELDS} & values.keys():
        cloud = BUILTIN_CLOUDS[data.PUBLIC]
    else:
        return  # the cloud is not known before its values are read: the rule's usual refusal
    try:
        hosts = parse_accepted_hosts(values["accepted_hosts"])
    except InvalidValue:
        return
    for entry in hosts:
        another = _other_clouds(foreign_owner(entry.removeprefix("*."), cloud), cloud)
        if another:
            raise _trust.refuse(
                VARIABLES["accepted_hosts"],
                values["accepted_hosts"],
                source,
                f"it lists {entry}, a host of {another}",
                another_cloud=another,
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


def _refuse_untrusted_endpoints(base: Cloud | None, given: Mapping[str, _Given]) -> None:
    """The trust rule's ``repeat`` for the three core values: one from an untrusted file must be
    the selected cloud's own (``base``: built in, a variant, or described by trusted metadata)."""
    for field, item in given.items():
        another = None
        if base is not None and not _trust.is_trusted(item.source):
            if field == "audience":  # never judged by zone: by the sourced management hosts only
                another = item.known_cloud if item.known_cloud not in {None, base.name} else None
            else:
                role: Role = "authority" if field == "authority_host" else "other"
                another = _other_clouds(foreign_owner(host_of(item.value), base, role=role), base)
        _trust.require_own_value(
            VARIABLES[field],
            item.raw,
            item.source,
            value=item.value,
            own=getattr(base, field) if base else None,
            cloud=base.name if base else None,
            another_cloud=another,
        )


def _other_clouds(owner: HostOwner | None, cloud: Cloud) -> str | None:
    """The clouds other than ``cloud`` that own a host, in words, or ``None``."""
    return " and ".join(sorted(owner.clouds - {cloud.name})) if owner is not None else None


def _refuse_untrusted_services(
    base: Cloud | None,
    cloud_name: str | None,
    cloud: Cloud,
    variables: Mapping[str, str],
    origins: Mapping[str, Source],
) -> None:
    """The trust rule's ``repeat`` for ``AZURE_SERVICE_*``: the selected cloud's own value only."""
    untrusted = {
        variable: raw
        for variable, raw in variables.items()
        if (source := origins.get(variable)) is not None and not _trust.is_trusted(source)
    }
    if not untrusted:  # the common case: no need to build the selected cloud's services
        return
    reference = (
        apply_service_variables(base, cloud_name=cloud_name, variables={}, origins={})[0] if base else None
    )
    own_services = services_of(reference) if reference else {}
    for variable, raw in untrusted.items():
        source = origins[variable]
        service, field = parse_service_variable(variable)
        value = cloud.service_overrides.get(service, {}).get(field, raw)
        own = getattr(own_services[service], field) if service in own_services else None
        another = None
        if reference is not None and field == "audience":  # never judged by zone
            owners = audience_owners(value)
            another = " and ".join(sorted(owners)) if owners and reference.name not in owners else None
        elif reference is not None:
            host = host_of(value) if field == "endpoint" else value
            role: Role = "graph" if service == "graph" else "other"
            another = _other_clouds(foreign_owner(host, reference, role=role), reference)
        _trust.require_own_value(
            variable,
            raw,
            source,
            value=value,
            own=own,
            cloud=base.name if base else None,
            another_cloud=another,
        )


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
