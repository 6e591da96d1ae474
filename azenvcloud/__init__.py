"""azenvcloud: one switch keeps the Azure authority, Resource Manager endpoint and token scope in step.

Set ``AZURE_CLOUD`` (or the endpoint variables) in the environment or a ``.env`` file, then::

    from azenvcloud import get_resource_client

    for group in get_resource_client().resource_groups.list():
        print(group.name)
"""

from ._version import __version__
from .clients import get_client, get_credential, get_resource_client, get_subscription_client, reset
from .clouds import BUILTIN_CLOUDS, Cloud, CloudEndpoints, CloudSuffixes, cloud_from_name
from .errors import ConfigurationError, MetadataUnavailableError
from .provenance import Source
from .services import Service, service_scope, service_url
from .settings import Settings, configure, get_settings

__all__ = [
    "BUILTIN_CLOUDS",
    "Cloud",
    "CloudEndpoints",
    "CloudSuffixes",
    "ConfigurationError",
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
