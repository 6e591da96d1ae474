"""Azure Monitor telemetry (azure-monitor-opentelemetry) in the configuration's own cloud.

Application Insights' OpenTelemetry distro and exporter default to the public cloud in every field
a connection string leaves out, and ask for a public token without ``AADAudience``. Here they get
a whole connection string of the resolved cloud and the configuration's credential::

    from azenvcloud.telemetry import configure_azure_monitor

    configure_azure_monitor()  # APPLICATIONINSIGHTS_CONNECTION_STRING, checked and completed

or, for the exporters you build yourself, their keyword arguments::

    from azenvcloud.telemetry import get_azure_monitor_options

    exporter = AzureMonitorTraceExporter(**get_azure_monitor_options())

Outside the public cloud, both switch off the exporter's own channels to Microsoft's public hosts
(statsbeat and its control plane) before any exporter exists. The rules, each with its source:
:mod:`azenvcloud._dataplane.applicationinsights`; how-to: docs/how-to/telemetry.md.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._dataplane.applicationinsights import (
    AzureMonitorOptions,
    azure_monitor_options,
    keep_in_cloud,
)
from ._errors import ConfigurationError
from ._fork import renew_locks
from ._host_owner import foreign_owner
from ._named_settings import its_variables
from ._settings import Settings
from ._settings_sources import source_configuration

if TYPE_CHECKING:
    from ._clouds import Cloud

__all__ = ["AzureMonitorOptions", "configure_azure_monitor", "get_azure_monitor_options"]

_log = logging.getLogger("azenvcloud")


def _configuration(configuration: str | None) -> tuple[Settings, Any]:
    """The configuration telemetry is for: its resolved settings and its credential, the default
    one's or the named ``configuration``'s. Everything this module takes from "the configuration"
    comes through here."""
    its = source_configuration(configuration)
    return its.get_settings(), its.get_credential()


def get_azure_monitor_options(
    *, connection_string: str | None = None, configuration: str | None = None
) -> AzureMonitorOptions:
    """The keyword arguments of ``configure_azure_monitor`` and of the exporters
    (``AzureMonitorTraceExporter(**get_azure_monitor_options())``) for the configuration's cloud:
    ``connection_string``, whole, and ``credential``, the configuration's.

    The connection string is ``connection_string``, else ``APPLICATIONINSIGHTS_CONNECTION_STRING``
    (the environment, a ``.env`` file, or ``configure(applicationinsights_connection_string=...)``).
    Its ``IngestionEndpoint`` and ``LiveEndpoint`` (written, or built from ``EndpointSuffix``) must
    be Application Insights hosts of the cloud, or listed in ``AZENVCLOUD_ACCEPTED_HOSTS``; its
    ``AADAudience`` is set to the cloud's. With ``configuration="gov"``, all of it is the named
    configuration's: ``GOV_APPLICATIONINSIGHTS_CONNECTION_STRING``, judged against
    ``GOV_AZURE_CLOUD``'s cloud, and its credential. Outside the public cloud, the exporter's statsbeat and
    control plane are switched off in this process's environment
    (``APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL`` and ``APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED``
    set to ``true``), as exporters read them when they are built.

    Raises:
        ConfigurationError: No connection string; one that does not read, lacks an endpoint, names
            a host of another cloud (or of none that is accepted), or an audience that is not the
            cloud's; a cloud whose audience no source gives (naming
            ``AZURE_SERVICE_APPINSIGHTS_AUDIENCE``); a switch set to another value; each naming
            the named configuration's own variables; ``configuration`` not declared.
    """
    settings, credential = _configuration(configuration)
    with its_variables(configuration):
        options = azure_monitor_options(settings, credential, connection_string=connection_string)
        keep_in_cloud(settings)
    return options


@dataclass(frozen=True)
class _Configured:
    """What the process's telemetry was configured for."""

    cloud: str
    connection_string: str
    configuration: str | None = None

    def __str__(self) -> str:  # an instrumentation key is no secret (Microsoft Learn, "Connection strings")
        named = "" if self.configuration is None else f"the configuration {self.configuration}: "
        return f"{named}{self.cloud} ({self.connection_string})"


_lock = threading.Lock()
_configured: _Configured | None = None


def configure_azure_monitor(
    *, connection_string: str | None = None, configuration: str | None = None, **options: Any
) -> None:
    """azure-monitor-opentelemetry's ``configure_azure_monitor``, for the configuration's cloud.

    The connection string and credential are :func:`get_azure_monitor_options`'s (the named
    ``configuration``'s with ``configuration="gov"``: ``GOV_APPLICATIONINSIGHTS_CONNECTION_STRING``
    in ``GOV_AZURE_CLOUD``'s cloud, with its credential); ``options`` are
    the distro's own (``logger_name=``, ``resource=``, ``enable_live_metrics=``, ...), passed on.
    Live Metrics follows only redirects to Azure Monitor hosts of the configuration's cloud.

    OpenTelemetry's providers are process-wide, so is this: one configuration's telemetry per
    process. Called again for the same configuration it does nothing; for another, it raises.
    ``azenvcloud.reset()`` does not undo it (OpenTelemetry's providers cannot be replaced).

    Raises:
        ConfigurationError: See :func:`get_azure_monitor_options`; or telemetry was configured in
            this process for another configuration (both are named).
        ImportError: azure-monitor-opentelemetry is not installed (naming the extra).
        TypeError: ``credential=``: the configuration's credential is the one used.
    """
    global _configured  # noqa: PLW0603 - the process's one telemetry configuration, as OpenTelemetry's
    if "credential" in options:
        raise TypeError(
            "configure_azure_monitor() uses the configuration's credential (azenvcloud.get_credential()); "
            "credential= is not taken"
        )
    distro = _distro()
    settings, credential = _configuration(configuration)
    with its_variables(configuration):
        chosen = azure_monitor_options(settings, credential, connection_string=connection_string)
    wanted = _Configured(settings.cloud_name, chosen["connection_string"], settings.configuration)
    with _lock:
        if _configured is not None:
            if _configured == wanted:
                return
            raise ConfigurationError(
                f"Azure Monitor telemetry is configured in this process for {_configured}; this call is for "
                f"{wanted}. OpenTelemetry's providers are process-wide: one configuration's telemetry per "
                "process. Accepted: one call per process (a process per configuration, or the first "
                "configuration's telemetry for all).",
                variables=("APPLICATIONINSIGHTS_CONNECTION_STRING", "AZURE_CLOUD"),
            )
        with its_variables(configuration):
            keep_in_cloud(settings)
        if options.get("enable_live_metrics", True) and not _guard_live_metrics_redirects(settings.cloud):
            options = {**options, "enable_live_metrics": False}
        distro(**chosen, **options)
        _configured = wanted


def _distro() -> Any:
    try:
        from azure.monitor.opentelemetry import configure_azure_monitor as distro
    except ImportError as exc:
        from ._failure_hints import install_hint

        raise ImportError(
            f"azenvcloud.telemetry.configure_azure_monitor needs azure-monitor-opentelemetry ({exc.name} is "
            f"missing): {install_hint('monitor-telemetry')}"
        ) from exc
    return distro


def _guard_live_metrics_redirects(cloud: Cloud) -> bool:
    """Have Live Metrics follow a redirect only to a host no other cloud owns.

    Its service redirects it with a header; the exporter follows it to any host under its list of
    Azure Monitor suffixes, every cloud's (exporter 1.0.0b58 ``_quickpulse/_policy.py``,
    ``_is_redirect_target_allowed``), so a US Government token could follow one to a public host.
    That check is narrowed here to the configuration's cloud. ``False`` when the exporter no longer
    has it (Live Metrics is then left off, with a warning)."""
    from azure.monitor.opentelemetry.exporter._quickpulse import _policy

    allowed = getattr(_policy, "_is_redirect_target_allowed", None)
    if allowed is None:  # pragma: no cover - a future exporter
        _log.warning(
            "azenvcloud: Live Metrics left off: this azure-monitor-opentelemetry-exporter has no redirect "
            "check azenvcloud can keep to %s",
            cloud.name,
        )
        return False
    original = getattr(allowed, "__wrapped__", allowed)

    def in_cloud(netloc: str) -> bool:
        host = urlsplit(f"//{netloc}").hostname
        return bool(original(netloc)) and host is not None and foreign_owner(host, cloud) is None

    in_cloud.__wrapped__ = original  # type: ignore[attr-defined]
    _policy._is_redirect_target_allowed = in_cloud
    return True


renew_locks(globals(), "_lock")
