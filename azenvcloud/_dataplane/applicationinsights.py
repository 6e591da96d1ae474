"""Application Insights (azure-monitor-opentelemetry and its exporter): telemetry in the resolved
cloud, with that cloud's Monitor audience.

The exporter takes everything from one connection string, merged field by field with
``APPLICATIONINSIGHTS_CONNECTION_STRING``'s and then the public cloud's defaults (ingestion
``https://dc.services.visualstudio.com``, Live Metrics ``https://rt.services.visualstudio.com``), and
its token's scope from ``AADAudience`` alone (``"{AADAudience}/.default"``, else the public
``https://monitor.azure.com//.default``): azure-monitor-opentelemetry-exporter 1.0.0b58
``_connection_string_parser.py`` and ``_utils.py`` (``_get_scope``). So the connection string
handed to it here is whole: its ``IngestionEndpoint`` and ``LiveEndpoint`` are hosts of the
resolved cloud's (sourced, or listed in ``AZENVCLOUD_ACCEPTED_HOSTS``), a host another cloud owns
refused first (:func:`~azenvcloud._host_owner.foreign_owner`), and its ``AADAudience`` is that
cloud's own (``AZURE_SERVICE_APPINSIGHTS_AUDIENCE`` where no source gives it).

The exporter also sends on its own to Microsoft's public hosts: statsbeat to a public
Application Insights resource (``statsbeat/_utils.py``, ``_DEFAULT_NON_EU_STATS_CONNECTION_STRING``)
and its control plane to ``https://settings.sdk.monitor.azure.com`` (``_constants.py``,
``_ONE_SETTINGS_CNAME``), each at an exporter's construction. Outside the public cloud both are
switched off first (:func:`keep_in_cloud`). The public :mod:`azenvcloud.telemetry` is built on this.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from .. import _builtin_clouds as data
from .._clouds import BUILTIN_CLOUDS
from .._connection_string import (
    AAD_AUDIENCE,
    INGESTION_ENDPOINT,
    LIVE_ENDPOINT,
    ConnectionString,
    read_connection_string,
)
from .._errors import ConfigurationError, quote_value
from .._host_owner import HostOwner, audience_owners, foreign_owner, owner_of_host
from .._parsers import InvalidValue, host_of
from .._services import (
    SERVICE_NAMES,
    belongs,
    hosts_in_words,
    is_accepted,
    override_variable,
    services_of,
)
from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import known_service

if TYPE_CHECKING:
    from .._settings import Settings

__all__ = [
    "AUDIENCE_VARIABLE",
    "FAKE_ROUTES",
    "RECIPES",
    "SERVICE",
    "SWITCHES",
    "VARIABLE",
    "AzureMonitorOptions",
    "ExporterRecipe",
    "azure_monitor_options",
    "completed_connection_string",
    "keep_in_cloud",
    "scope_of",
]

SERVICE = "appinsights"
VARIABLE = "APPLICATIONINSIGHTS_CONNECTION_STRING"
AUDIENCE_VARIABLE = override_variable(SERVICE, "audience")
_SUFFIX_VARIABLE = override_variable(SERVICE, "suffix")
_NAMED = SERVICE_NAMES[SERVICE]

SWITCHES: dict[str, str] = {
    # statsbeat/_state.py is_statsbeat_enabled(); statsbeat/_utils.py _get_stats_connection_string()
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "statsbeat (its own metrics, to a public Application "
    "Insights resource of Microsoft's, westus-0 or westeurope-5.in.applicationinsights.azure.com)",
    # _configuration/_state.py get_configuration_manager(); _constants.py _ONE_SETTINGS_CNAME
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "control plane requests (to https://settings.sdk.monitor.azure.com)",
}
"""The exporter's switches for its channels to Microsoft's public hosts, and what each stops: the
exporter reads them from the environment (``value.lower() == "true"`` switches off)."""

# What the exporter does without the key, for the message that refuses its absence.
_DEFAULTS = {
    INGESTION_ENDPOINT: "telemetry to the public cloud's https://dc.services.visualstudio.com",
    LIVE_ENDPOINT: "Live Metrics to the public cloud's https://rt.services.visualstudio.com",
}


class AzureMonitorOptions(TypedDict):
    """The keyword arguments of ``configure_azure_monitor`` and of the exporters, for one cloud.

    Attributes:
        connection_string: Whole: the instrumentation key, the cloud's ingestion and Live Metrics
            endpoints, its ``AADAudience``, and the other pairs as given.
        credential: The configuration's credential (azenvcloud's shared ``DefaultAzureCredential``).
    """

    connection_string: str
    credential: Any


def azure_monitor_options(
    settings: Settings, credential: Any, *, connection_string: str | None = None
) -> AzureMonitorOptions:
    """What ``configure_azure_monitor`` and the exporters need for ``settings``' cloud: the whole
    connection string (:func:`completed_connection_string`) and ``credential``.

    Raises:
        ConfigurationError: No connection string, or one that is not of ``settings``' cloud (see
            :func:`completed_connection_string`).
    """
    return {
        "connection_string": completed_connection_string(settings, connection_string=connection_string),
        "credential": credential,
    }


def completed_connection_string(settings: Settings, *, connection_string: str | None = None) -> str:
    """The connection string for ``settings``' cloud, whole, so that no field of it falls back to
    ``APPLICATIONINSIGHTS_CONNECTION_STRING``'s or the public cloud's.

    ``connection_string`` (given in code), else the setting ``APPLICATIONINSIGHTS_CONNECTION_STRING``.
    Its instrumentation key is required. Its ``IngestionEndpoint`` and ``LiveEndpoint`` are the
    resource's own (written, or built from ``EndpointSuffix`` as the exporter builds them), never
    completed; each host it sends to (those two, ``ProfilerEndpoint``, ``SnapshotEndpoint``) must
    be an Application Insights host of the cloud, or listed in ``AZENVCLOUD_ACCEPTED_HOSTS``. Its
    ``AADAudience`` is the cloud's (``AZURE_SERVICE_APPINSIGHTS_AUDIENCE``, else the
    sourced one), added where it is absent.

    Raises:
        ConfigurationError: No connection string; one that does not read; a missing endpoint; a
            host another cloud owns (the mixed-cloud error), or that is no Application Insights host
            of the cloud and not accepted; an audience that is not the cloud's; a cloud with no
            known audience (naming ``AZURE_SERVICE_APPINSIGHTS_AUDIENCE``).
    """
    given, name = _given(settings, connection_string)
    try:
        read = read_connection_string(given)
    except InvalidValue as exc:
        raise exc.configuration_error(name, given, variables=(_variable(name),)) from None
    cloud = settings.cloud
    for key in (INGESTION_ENDPOINT, LIVE_ENDPOINT):
        if read.endpoint(key) is None:
            raise ConfigurationError(
                f"{name} has no {key} (nor an EndpointSuffix to build it from): the exporter would send "
                f"{_DEFAULTS[key]}. Accepted: the whole connection string of your Application Insights "
                f"resource in {cloud.name}, as its Overview page shows it, which names its {key}.",
                variables=(_variable(name),),
            )
    for key, url in read.destinations():
        _check_host(settings, read, name, key, url)
    audience = _audience(settings, read, name)
    endpoints = dict(read.destinations())
    return read.written(**endpoints, **{AAD_AUDIENCE: audience})


def scope_of(audience: str) -> str:
    """The scope the exporter asks a token for, given ``AADAudience``: ``f"{audience}/.default"``
    (exporter 1.0.0b58 ``_utils.py`` ``_get_scope``): ``https://monitor.azure.us//.default`` for
    the audience as Microsoft's connection strings write it, ``https://monitor.azure.us/``."""
    return f"{audience}/.default"


def keep_in_cloud(settings: Settings) -> None:
    """Outside the public cloud, switch off the exporter's own channels to Microsoft's public hosts
    (:data:`SWITCHES`, set to ``true`` in the process environment, where the exporter reads them
    when it is built). In the public cloud they stay as they are: their hosts are that cloud's.

    Raises:
        ConfigurationError: A switch is set to another value than ``true`` outside the public cloud.
    """
    cloud = settings.cloud.name
    if cloud == data.PUBLIC:
        return
    for variable, what in SWITCHES.items():
        value = os.environ.get(variable)
        if value is not None and value.strip() and value.strip().lower() != "true":
            raise ConfigurationError(
                f"{variable}={quote_value(value)} leaves the Azure Monitor exporter's {what} on, but the "
                f"configuration resolves {cloud}: that would be sent outside it, to the public cloud. "
                f"Accepted: true, or {variable} unset (azenvcloud.telemetry sets it to true).",
                variables=(variable,),
            )
        os.environ[variable] = "true"  # the exporter compares exactly: " true" would not switch it off


def _given(settings: Settings, connection_string: str | None) -> tuple[str, str]:
    """The connection string to complete, and how to name it in a message."""
    if connection_string is not None:
        return connection_string, "connection_string"
    value = settings.applicationinsights_connection_string
    if value is None:
        raise ConfigurationError(
            f"No Application Insights connection string: telemetry needs the one of your resource in "
            f"{settings.cloud.name}. Accepted: {VARIABLE} (in the environment or a .env file) set to the "
            "connection string on the resource's Overview page, or connection_string= in code.",
            variables=(VARIABLE,),
        )
    return value, settings.source_of("applicationinsights_connection_string").names(
        "applicationinsights_connection_string"
    )


def _variable(name: str) -> str:
    return "connection_string" if name == "connection_string" else VARIABLE


def _check_host(settings: Settings, read: ConnectionString, name: str, key: str, url: str) -> None:
    """``url`` (of ``key``) is an Application Insights host of the cloud, or an accepted one;
    another cloud's is the mixed-cloud error first, whatever is accepted."""
    cloud = settings.cloud
    host = host_of(url)
    shown = f"{name}'s {read.describe(key)}={quote_value(url)}"
    owner = foreign_owner(host, cloud)
    if owner is not None:
        raise _another_clouds(settings, shown, host, owner, variable=_variable(name))
    own = services_of(cloud)[SERVICE]
    if belongs(own, host, cloud.name) or is_accepted(host, settings.accepted_hosts):
        return
    if own.suffix or own.endpoint:
        known = f"whose {_NAMED} hosts are {hosts_in_words(own)}"
    else:
        known = f"which has no {_NAMED} host that a source gives"
    raise ConfigurationError(
        f"{shown} is no {_NAMED} host of {cloud.name}, {known}: telemetry and a token are sent only to "
        f"hosts of the configuration's cloud. Accepted: the connection string of a resource in "
        f"{cloud.name}; a host of your own in front of it (a proxy), listed in AZENVCLOUD_ACCEPTED_HOSTS "
        f"(the environment, a named .env file or code); or, if {cloud.name}'s {_NAMED} hosts are others, "
        f"their DNS suffix in {_SUFFIX_VARIABLE} (the environment or a named .env file).",
        variables=(_variable(name), "AZENVCLOUD_ACCEPTED_HOSTS", _SUFFIX_VARIABLE),
    )


def _another_clouds(
    settings: Settings, shown: str, host: str, owner: HostOwner, *, variable: str
) -> ConfigurationError:
    cloud = settings.cloud
    others = sorted(owner.clouds - {cloud.name})
    accepted = f"the connection string of an Application Insights resource in {cloud.name}"
    if len(others) == 1 and cloud.name in BUILTIN_CLOUDS:
        accepted += f", or select {others[0]} with AZURE_CLOUD, if that is the cloud you mean"
    return ConfigurationError(
        f"{shown} belongs to {' and '.join(others)} (it is {owner.describe(host)}), but the configuration "
        f"resolves {cloud.name}: telemetry and {_article(cloud.name)} {cloud.name} token would be sent to "
        "a host of another "
        "cloud. Values of two clouds in one configuration are refused before any request, whichever "
        f"hosts are listed as accepted. Accepted: {accepted}.",
        variables=(variable, "AZURE_CLOUD"),
    )


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _audience(settings: Settings, read: ConnectionString, name: str) -> str:
    """The cloud's Application Insights audience as a connection string writes it (``https://monitor.azure.us/``);
    a given ``AADAudience`` must be it."""
    cloud = settings.cloud
    own = services_of(cloud)[SERVICE].audience
    if own is None:
        raise ConfigurationError(
            f"{cloud.name} has no known audience for {_NAMED}: no source azenvcloud trusts publishes it "
            "for this cloud, and it never uses another cloud's (without one the exporter asks for the "
            "public cloud's https://monitor.azure.com//.default); a connection string's AADAudience alone "
            f"does not decide whose token is sent. Accepted: set {AUDIENCE_VARIABLE} (in the environment "
            "or .env) to this cloud's value, the AADAudience of the connection strings of its resources.",
            variables=(AUDIENCE_VARIABLE,),
        )
    given = read.get(AAD_AUDIENCE)
    if given is not None and given.rstrip("/") != own:
        shown = f"{name}'s {AAD_AUDIENCE}={quote_value(given)}"
        owners = sorted(audience_owners(given) - {cloud.name})
        if owners:
            raise ConfigurationError(
                f"{shown} is the audience of {' and '.join(owners)}, but the configuration resolves "
                f"{cloud.name}, whose {_NAMED} audience is {own}/: a token of another cloud would be asked "
                f"for. Accepted: {own}/, or no {AAD_AUDIENCE} (azenvcloud adds {cloud.name}'s).",
                variables=(_variable(name), "AZURE_CLOUD"),
            )
        raise ConfigurationError(
            f"{shown} is not {cloud.name}'s {_NAMED} audience, {own}/. Accepted: {own}/, or no "
            f"{AAD_AUDIENCE} (azenvcloud adds the cloud's); if {cloud.name}'s is another, "
            f"{AUDIENCE_VARIABLE} in the environment or a named .env file.",
            variables=(_variable(name), AUDIENCE_VARIABLE),
        )
    return f"{own}/"


# -- The exporters, built by get_client -----------------------------------------------------------

ClientT = TypeVar("ClientT")


@dataclass(frozen=True)
class ExporterRecipe:
    """How the exporter's ``AzureMonitorTraceExporter``, ``AzureMonitorLogExporter`` and
    ``AzureMonitorMetricExporter`` are built: :func:`azure_monitor_options` for the resolved cloud
    (``connection_string=`` may name another resource of that cloud), its public channels switched
    off first outside the public cloud (:func:`keep_in_cloud`)."""

    service: str = SERVICE

    def __post_init__(self) -> None:
        known_service(self.service, "ExporterRecipe")

    def is_async(self, client_class: type[Any]) -> bool:
        """The exporters are synchronous (their export runs on OpenTelemetry's own threads)."""
        return False

    def build(
        self,
        client_class: type[ClientT],
        *,
        subscription_id: str | None,
        kwargs: dict[str, Any],
        settings: Settings,
        credential: Any,
        asynchronous: bool,
    ) -> ClientT:
        """The exporter for the resolved cloud, with the caller's other arguments.

        Raises:
            ConfigurationError: See :func:`completed_connection_string`, :func:`keep_in_cloud`.
            TypeError: ``credential=`` (azenvcloud's is the configuration's) or a subscription.
        """
        if subscription_id is not None or "credential" in kwargs:
            raise TypeError(
                f"{client_class.__name__} takes the configuration's credential here (and no subscription): "
                "azenvcloud sets credential="
            )
        arguments = dict(kwargs)
        options = azure_monitor_options(
            settings, credential, connection_string=arguments.pop("connection_string", None)
        )
        keep_in_cloud(settings)
        build: Any = client_class  # the exporter's keyword arguments (its **kwargs)
        return build(**options, **arguments)  # type: ignore[no-any-return]

    def first_request_scopes(self, settings: Settings) -> tuple[str, ...] | None:
        """The exporter's scope for the cloud's audience, where it is known."""
        audience = services_of(settings.cloud)[SERVICE].audience
        return (scope_of(f"{audience}/"),) if audience else None

    async def aclose(self, client: Any) -> None:  # pragma: no cover - no async exporter
        """Nothing: there is no async exporter."""


_EXPORTERS = ExporterRecipe()

RECIPES = {
    f"azure.monitor.opentelemetry.exporter.export.{kind}": _EXPORTERS
    for kind in (
        "trace.AzureMonitorTraceExporter",
        "logs.AzureMonitorLogExporter",
        "metrics.AzureMonitorMetricExporter",
    )
}


# -- What the fake cloud answers -------------------------------------------------------------------

_TRACK = ("/v2.1/track", "/v2/track")
_LIVE_METRICS = "/QuickPulseService.svc/"


def _audience_of_host(host: str) -> str | None:
    """The sourced Application Insights audience of the built-in cloud that owns ``host``."""
    owner = owner_of_host(host)
    if owner is None or len(owner.clouds) != 1:
        return None
    (name,) = owner.clouds
    cloud = BUILTIN_CLOUDS.get(name)
    return cloud.services[SERVICE].audience if cloud is not None else None


def _telemetry(request: FakeRequest) -> Answer:
    """Ingestion (``/v2.1/track``: every item accepted, and kept) and Live Metrics (ping and post:
    not subscribed), as a resource that takes Entra ID tokens only: a 401 without a token, or for
    another audience than the host's cloud's (any token of the fake's on a host of no built-in cloud)."""
    audience = _audience_of_host(request.host)
    if request.scope is None:
        return unauthorized("a bearer token (this resource takes Microsoft Entra ID tokens only)")
    if audience is not None and request.scope not in (f"{audience}/.default", f"{audience}//.default"):
        return unauthorized(f"a token for {audience}/")
    if request.path.startswith(_LIVE_METRICS):
        return 200, b"", {"x-ms-qps-subscribed": "false"}
    items = json.loads(request.body or b"[]")
    key = f"{request.host}{request.path}"
    kept = json.loads(request.kept.get(key, b"[]"))
    request.kept[key] = json.dumps([*kept, *items]).encode()
    return 200, {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}, {}


FAKE_ROUTES = (
    FakeRoute(
        service=SERVICE,
        matches=lambda host, path: path in _TRACK or path.startswith(_LIVE_METRICS),
        answer=_telemetry,
    ),
)
