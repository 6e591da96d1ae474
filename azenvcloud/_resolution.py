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

This module applies the rules in that order; which cloud the values select and the mixed-cloud
check are :mod:`azenvcloud._cloud_selection`'s, reading a cloud's metadata is
:mod:`azenvcloud._discovery`'s, and the destinations other clouds own are refused by
:mod:`azenvcloud._destinations`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from . import _builtin_clouds as data
from . import _trust
from ._cloud_selection import (
    ENDPOINT_FIELDS,
    SDK_CLOUD_KEY,
    Given,
    name_and_selector,
    named_or_public,
    names_builtin_cloud,
    parse_given,
    refuse_misnamed_cloud,
    refuse_mixed_clouds,
    refuse_other_sdk_cloud,
    sdk_cloud,
    select_base,
    unusable,
)
from ._clouds import Cloud, resource_manager_scope
from ._declaration import Selected, Variable
from ._destinations import (
    refuse_foreign_accepted_hosts,
    refuse_foreign_audiences,
    refuse_foreign_destinations,
)
from ._discovery import discover, refuse_untrusted_name_over_metadata
from ._errors import ConfigurationError
from ._parsers import InvalidValue, find_control_character
from ._provenance import VARIABLES, Source
from ._service_variables import apply_service_variables
from ._services import SERVICES_KEY, parse_service_variable
from ._variables import FIELDS, default_of, parser_of

__all__ = ["Resolution", "resolve"]

T = TypeVar("T")


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
    refuse_misnamed_cloud(values, sources)
    _trust.check_settings(
        values, sources, is_cloud_name=names_builtin_cloud, selected=Selected(named_or_public(values))
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
        field: parse_given(field, values[field], sources[field])
        for field in ENDPOINT_FIELDS
        if field in values
    }
    if "cloud" in values:
        resolved_sources["cloud"] = sources["cloud"]

    named, selector = name_and_selector(values, sources, given)
    discovered = discover(
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
        refuse_untrusted_name_over_metadata(named, values, sources, discovered[0], default_source)
        resolved_sources.setdefault("cloud", default_source)
    else:
        base = select_base(named, given, resolved_sources, cloud_raw=values.get("cloud"))
        default_source = Source("default", base.name) if base else Source("derived")
    cloud_name = str(values["cloud"]) if named is not None else None
    authority = given["authority_host"].value if "authority_host" in given else None
    selected = Selected(base, cloud_name, authority or (base.authority_host if base else None))
    _trust.check_repeated(selected, _set_values(values, sources, given, settings))
    cloud = _apply(base, default_source, named, given, resolved_sources)
    refuse_mixed_clouds(cloud, named, values, given, resolved_sources)
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


def _set_values(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    given: Mapping[str, Given],
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
        return _parsed(field, values, sources, parser_of(field))
    if variable.unset is not None:
        resolved_sources[field] = Source("derived", f"when unset: {variable.unset}")
    return default_of(field)


def _refuse_control_characters(values: Mapping[str, object], sources: Mapping[str, Source]) -> None:
    """No value may hold a control character, whatever it is (one check for every variable)."""
    for field, raw in values.items():
        char = find_control_character(raw) if isinstance(raw, str) else None
        if char is not None:
            raise unusable(
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
        raise unusable(field, values[field], sources[field], exc) from None


def _apply(
    base: Cloud | None,
    default_source: Source,
    named: str | None,
    given: Mapping[str, Given],
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
    named: str | None, given: Mapping[str, Given], missing: list[str]
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
