"""The ``AZURE_SERVICE_*`` variables, and the services a cloud name brings, applied to a cloud."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._clouds import variant_services
from ._errors import ConfigurationError, quote_value
from ._host_owner import Role, foreign_owner
from ._parsers import host_of
from ._provenance import Source
from ._services import SERVICE_NAMES, Service, override_variable, parse_variable, services_of

if TYPE_CHECKING:
    from ._clouds import Cloud

__all__ = ["apply_service_variables"]


def apply_service_variables(
    cloud: Cloud, *, cloud_name: str | None, variables: Mapping[str, str], origins: Mapping[str, Source]
) -> tuple[Cloud, dict[str, Source]]:
    """``cloud`` with the services its name brings (``dod``: the DoD Graph) and, over them, the
    ``AZURE_SERVICE_*`` variables; and where each of those values came from, by
    ``services.<service>.<field>``.

    Raises:
        ConfigurationError: A variable names no service azenvcloud knows (a typo), or its value
            is no DNS suffix (``_SUFFIX``) or https URL (``_AUDIENCE``, ``_ENDPOINT``).
    """
    overrides = variant_services(cloud_name) if cloud_name else {}
    sources = {
        f"services.{service}.{field}": Source("derived", f"from AZURE_CLOUD={cloud_name.strip()}")
        for service, fields in overrides.items()
        for field in fields
        if cloud_name
    }
    kept = services_of(cloud.model_copy(update={"service_overrides": overrides})) if variables else {}
    for variable, value in sorted(variables.items()):
        origin = origins.get(variable, Source("environment"))
        service, field, parsed = parse_variable(variable, value, origin)
        overrides.setdefault(service, {})[field] = parsed
        sources[f"services.{service}.{field}"] = origin
    for service, fields in overrides.items():
        endpoint_variable = override_variable(service, "endpoint")
        if endpoint_variable in variables and override_variable(service, "audience") not in variables:
            role: Role = "graph" if service == "graph" else "other"
            if foreign_owner(host_of(fields["endpoint"]), cloud, role=role) is not None:
                continue  # another cloud's host: the mixed-cloud error names it, no audience would do
            _audience_of_new_endpoint(service, fields, kept[service], sources)
    if not overrides:
        return cloud, sources
    return cloud.model_copy(update={"service_overrides": overrides}), sources


# Services whose token audience is their endpoint: a new endpoint brings its own audience.
_AUDIENCE_IS_ENDPOINT = frozenset({"graph", "log_analytics"})


def _audience_of_new_endpoint(
    service: str, fields: dict[str, str], kept: Service, sources: dict[str, Source]
) -> None:
    """An ``_ENDPOINT`` override never keeps the audience of the endpoint it replaced."""
    endpoint = fields["endpoint"]
    if kept.endpoint is not None and endpoint == kept.endpoint.rstrip("/"):
        return
    if service in _AUDIENCE_IS_ENDPOINT:
        fields["audience"] = endpoint
        sources[f"services.{service}.audience"] = Source(
            "derived", f"from {override_variable(service, 'endpoint')}"
        )
    elif kept.audience is not None:
        variable = override_variable(service, "audience")
        raise ConfigurationError(
            f"{override_variable(service, 'endpoint')}={quote_value(endpoint)} replaces the "
            f"{SERVICE_NAMES[service]} endpoint, but its token audience would stay {kept.audience}, the "
            f"audience of the endpoint it replaced: a token for that one would go to the new host. Accepted: "
            f"set {variable} to the new endpoint's audience too.",
            variables=(variable, override_variable(service, "endpoint")),
        )
