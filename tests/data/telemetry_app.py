"""An application that sends its telemetry with azenvcloud.telemetry, run by tests/test_telemetry.py
as its own process against the fake cloud (as its HTTPS proxy). Nothing but loopback is reached:
a connection to, or a name lookup of, anything else is written to ``$ESCAPES`` and refused.

Usage: python telemetry_app.py STORAGE_FOLDER SECONDS [second]
  - configures the distro once (live metrics on, as by default), prints whether the exporter's
    statsbeat and control plane are on, sends one span and one log record, flushes them, and
    stays SECONDS for Live Metrics' pings before it exits (whose shutdown exports the metrics);
  - with ``second``, then calls configure_azure_monitor again for the same configuration and for
    another resource, and prints what the second one raised.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import time


def _loopback(host: object) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _escaped(what: str) -> OSError:
    with open(os.environ["ESCAPES"], "a", encoding="utf-8") as escapes:
        escapes.write(what + "\n")
    return OSError(f"telemetry_app: loopback only, not {what}")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect


def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _loopback(host):
        raise _escaped(f"lookup {host}")
    return _getaddrinfo(host, *args, **kwargs)


def connect(self, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        raise _escaped(f"connect {address[0]}")
    return _connect(self, address)


socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
socket.socket.connect = connect  # type: ignore[method-assign]


def main() -> None:
    import azenvcloud
    from azenvcloud.telemetry import configure_azure_monitor

    storage, seconds = sys.argv[1], float(sys.argv[2])
    configure_azure_monitor(storage_directory=storage, logger_name="app")

    # The exporter's own channels to Microsoft's public hosts, as the exporter itself sees them.
    from azure.monitor.opentelemetry.exporter._configuration._state import get_configuration_manager
    from azure.monitor.opentelemetry.exporter.statsbeat._state import is_statsbeat_enabled

    print(f"statsbeat {is_statsbeat_enabled()}, control plane {get_configuration_manager() is not None}")

    from opentelemetry import _logs, trace

    with trace.get_tracer("app").start_as_current_span("first-export"):
        logging.getLogger("app").warning("telemetry of %s", azenvcloud.get_settings().cloud_name)
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    _logs.get_logger_provider().force_flush()  # type: ignore[attr-defined]
    time.sleep(seconds)
    if sys.argv[3:] == ["second"]:
        configure_azure_monitor(storage_directory=storage, logger_name="app")  # the same: nothing happens
        other = os.environ["APPLICATIONINSIGHTS_CONNECTION_STRING"].replace(
            "InstrumentationKey=0", "InstrumentationKey=f"
        )
        azenvcloud.configure(applicationinsights_connection_string=other)
        try:
            configure_azure_monitor(storage_directory=storage, logger_name="app")
        except azenvcloud.ConfigurationError as exc:
            print(f"second configuration refused: {exc}")


if __name__ == "__main__":
    main()
