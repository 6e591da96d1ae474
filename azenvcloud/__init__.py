"""azenvcloud: one switch keeps the Azure authority, Resource Manager endpoint and token scope in step.

Set ``AZURE_CLOUD`` (or the endpoint variables) in the environment or a ``.env`` file, then::

    from azenvcloud import get_resource_client

    for group in get_resource_client().resource_groups.list():
        print(group.name)

The public API is this module's ``__all__``, :mod:`azenvcloud.aio`, :mod:`azenvcloud.testing` and
the pytest plugin (``docs/reference/api.md``); every other module is private.
"""

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from ._appconfiguration_settings import AppConfigurationSettingsSource
    from ._clients import (
        check_service_url,
        get_client,
        get_credential,
        get_resource_client,
        get_subscription_client,
        reset,
        service_scope,
        service_url,
    )
    from ._clouds import BUILTIN_CLOUDS, Cloud, CloudEndpoints, CloudSuffixes, cloud_from_name
    from ._configuration import Configuration, configuration
    from ._errors import ConfigurationError, MetadataUnavailableError
    from ._keyvault_settings import KeyVaultSettingsSource
    from ._provenance import Source
    from ._services import SERVICE_NAMES, Service
    from ._settings import Settings, configure, get_settings
else:
    import importlib

    # The public names load on first use, so that ``import azenvcloud`` (and the pytest plugin,
    # which every pytest run of a project that installs azenvcloud[testing] loads) costs nothing
    # until azenvcloud is used: the first ``get_resource_client`` imports what it needs.
    _HOMES = {  # each public name's module
        "AppConfigurationSettingsSource": "_appconfiguration_settings",
        "BUILTIN_CLOUDS": "_clouds",
        "Cloud": "_clouds",
        "CloudEndpoints": "_clouds",
        "CloudSuffixes": "_clouds",
        "Configuration": "_configuration",
        "ConfigurationError": "_errors",
        "KeyVaultSettingsSource": "_keyvault_settings",
        "MetadataUnavailableError": "_errors",
        "SERVICE_NAMES": "_services",
        "Service": "_services",
        "Settings": "_settings",
        "Source": "_provenance",
        "check_service_url": "_clients",
        "cloud_from_name": "_clouds",
        "configuration": "_configuration",
        "configure": "_settings",
        "get_client": "_clients",
        "get_credential": "_clients",
        "get_resource_client": "_clients",
        "get_settings": "_settings",
        "get_subscription_client": "_clients",
        "reset": "_clients",
        "service_scope": "_clients",
        "service_url": "_clients",
    }
    # The modules the release before imported as attributes of the package: deprecated, each name
    # of theirs warns (azenvcloud/_migration.py); the old modules ``cli`` and ``metadata`` too.
    _DEPRECATED_MODULES = {
        "cli",
        "clients",
        "clouds",
        "credentials",
        "dataplane",
        "errors",
        "metadata",
        "profiles",
        "provenance",
        "resolution",
        "services",
        "settings",
    }

    def __getattr__(name):
        """A public name (``get_resource_client``...), imported from its module on first use."""
        if name in _HOMES:
            value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
            globals()[name] = value  # the next access is a plain module attribute
            return value
        if name in _DEPRECATED_MODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__():
        return sorted({*globals(), *__all__})


__all__ = [
    "BUILTIN_CLOUDS",
    "SERVICE_NAMES",
    "AppConfigurationSettingsSource",
    "Cloud",
    "CloudEndpoints",
    "CloudSuffixes",
    "Configuration",
    "ConfigurationError",
    "KeyVaultSettingsSource",
    "MetadataUnavailableError",
    "Service",
    "Settings",
    "Source",
    "__version__",
    "check_service_url",
    "cloud_from_name",
    "configuration",
    "configure",
    "get_client",
    "get_credential",
    "get_resource_client",
    "get_settings",
    "get_subscription_client",
    "reset",
    "service_scope",
    "service_url",
]
