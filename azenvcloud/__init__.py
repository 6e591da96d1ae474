"""azenvcloud: one switch keeps the Azure authority, Resource Manager endpoint and token scope in step.

Set ``AZURE_CLOUD`` (or the endpoint variables) in the environment or a ``.env`` file, then::

    from azenvcloud import get_resource_client

    for group in get_resource_client().resource_groups.list():
        print(group.name)
"""

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .appconfiguration_settings import AppConfigurationSettingsSource
    from .clients import get_client, get_credential, get_resource_client, get_subscription_client, reset
    from .clouds import BUILTIN_CLOUDS, Cloud, CloudEndpoints, CloudSuffixes, cloud_from_name
    from .errors import ConfigurationError, MetadataUnavailableError
    from .keyvault_settings import KeyVaultSettingsSource
    from .provenance import Source
    from .services import Service, service_scope, service_url
    from .settings import Settings, configure, get_settings
else:
    import importlib

    # The public names load on first use, so that ``import azenvcloud`` (and the pytest plugin,
    # which every pytest run of a project that installs azenvcloud[testing] loads) costs nothing
    # until azenvcloud is used: the first ``get_resource_client`` imports what it needs.
    _CLIENTS = {"get_client", "get_credential", "get_resource_client", "get_subscription_client", "reset"}
    _CLOUDS = {"BUILTIN_CLOUDS", "Cloud", "CloudEndpoints", "CloudSuffixes", "cloud_from_name"}
    _ERRORS = {"ConfigurationError", "MetadataUnavailableError"}
    _SERVICES = {"Service", "service_scope", "service_url"}
    _SETTINGS = {"Settings", "configure", "get_settings"}
    # The public modules, attributes of the package as they were when it imported them all.
    _MODULES = {
        "appconfiguration_settings",
        "clients",
        "clouds",
        "credentials",
        "errors",
        "keyvault_settings",
        "profiles",
        "provenance",
        "resolution",
        "services",
        "settings",
    }

    def __getattr__(name):
        """A public name (``get_resource_client``...), imported from its module on first use."""
        if name in _CLIENTS:
            from . import clients as home
        elif name in _CLOUDS:
            from . import clouds as home
        elif name in _ERRORS:
            from . import errors as home
        elif name == "AppConfigurationSettingsSource":
            from . import appconfiguration_settings as home
        elif name == "KeyVaultSettingsSource":
            from . import keyvault_settings as home
        elif name == "Source":
            from . import provenance as home
        elif name in _SERVICES:
            from . import services as home
        elif name in _SETTINGS:
            from . import settings as home
        elif name in _MODULES:
            return importlib.import_module(f"{__name__}.{name}")
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(home, name)
        globals()[name] = value  # the next access is a plain module attribute
        return value

    def __dir__():
        return sorted({*globals(), *__all__})


__all__ = [  # noqa: RUF022 - sorted() order, as tests/test_import.py checks (ruff's puts BUILTIN_CLOUDS first)
    "AppConfigurationSettingsSource",
    "BUILTIN_CLOUDS",
    "Cloud",
    "CloudEndpoints",
    "CloudSuffixes",
    "ConfigurationError",
    "KeyVaultSettingsSource",
    "MetadataUnavailableError",
    "Service",
    "Settings",
    "Source",
    "__version__",
    "cloud_from_name",
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
