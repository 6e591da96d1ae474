"""Data-plane services per cloud: the DNS suffix that builds a host from a short name, the token
audience, and the fixed endpoint where a service has one.

Every cloud's services come from one place: the values the Azure CLI's table (or a private
cloud's metadata, or a snapshot) gives under the CLI's names, plus, for the built-in clouds, the
sourced values of ``_builtin_services.py``, plus overrides from the environment or ``.env``:

    AZURE_SERVICE_<SERVICE>_SUFFIX / _AUDIENCE / _ENDPOINT
    e.g. AZURE_SERVICE_KEYVAULT_SUFFIX=vault.cloudapi.microsoft.scloud

A value that is not known is ``None``, and asking for it is a :class:`ConfigurationError` that
names the variable supplying it: never the public cloud's value.

For SDKs without a recipe, :func:`service_url` and :func:`service_scope` give a service's URL for
a short name and its token scope in the resolved cloud, to use with ``get_credential()``::

    url = azenvcloud.service_url("blob", "st1")        # https://st1.blob.core.chinacloudapi.cn
    scope = azenvcloud.service_scope("blob")           # https://storage.azure.com/.default

This module sits above the settings: its getters read the resolved cloud. The ``Service`` model
and each cloud's services live below the settings (``_service_model.py``, the variables in
``_service_variables.py``) and are re-exported here.
"""

from __future__ import annotations

import re

from ._clouds import BUILTIN_CLOUDS
from ._errors import ConfigurationError, quote_value
from ._host_owner import HostOwner, foreign_owner
from ._service_model import (
    SERVICE_FIELDS,
    SERVICE_NAMES,
    SERVICES_KEY,
    Service,
    ServiceRow,
    _accepted,
    _belongs,
    alternative_hosts,
    hosts_in_words,
    is_service_variable,
    override_variable,
    parse_service_variable,
    services_of,
    services_report,
    suffixes_of,
)
from ._service_variables import apply_service_variables
from ._settings import Settings, get_settings
from ._values import SCOPE_SUFFIX, InvalidValue, host_of, parse_accepted_hosts, parse_endpoint

__all__ = [
    "SERVICES_KEY",
    "SERVICE_FIELDS",
    "SERVICE_NAMES",
    "Service",
    "ServiceRow",
    "alternative_hosts",
    "apply_service_variables",
    "check_service_url",
    "is_service_variable",
    "override_variable",
    "parse_accepted_hosts",
    "parse_service_variable",
    "service_scope",
    "service_url",
    "services_of",
    "services_report",
    "suffixes_of",
]

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _service(settings: Settings, name: str, field: str) -> str:
    if name not in SERVICE_NAMES:
        raise ValueError(f"{name!r} is no service azenvcloud knows; known: {', '.join(SERVICE_NAMES)}")
    value = getattr(services_of(settings.cloud)[name], field)
    if value is None:
        variable = override_variable(name, field)
        raise ConfigurationError(
            f"{settings.cloud_name} has no known {field} for {SERVICE_NAMES[name]}: no source azenvcloud "
            f"trusts publishes it for this cloud, and it never uses another cloud's. Accepted: set "
            f"{variable} (in the environment or .env) to this cloud's value, if it offers the service.",
            variables=(variable,),
        )
    return str(value)


def service_url(service: str, name: str | None = None) -> str:
    """The https URL of a resource of ``service`` in the resolved cloud.

    Args:
        service: A service name (:data:`SERVICE_NAMES`), such as ``"keyvault"`` or ``"blob"``.
        name: The resource's short name (``"kv1"``): a DNS label. ``None`` for a service with a
            fixed endpoint (``"log_analytics"``, ``"graph"``).

    Raises:
        ConfigurationError: The cloud has no known suffix (or endpoint) for the service, or the
            name is no DNS label.
        ValueError: ``service`` is no service azenvcloud knows.
    """
    settings = get_settings()
    if name is None:
        return _service(settings, service, "endpoint")
    label = name.strip().lower()
    if not _LABEL.fullmatch(label):
        raise ConfigurationError(
            f"{quote_value(name)} is not a {SERVICE_NAMES.get(service, service)} name: a name is one DNS "
            "label (letters, digits and '-', at most 63). Accepted: the short name, such as kv1; "
            "azenvcloud adds the cloud's suffix.",
            variables=(),
        )
    return f"https://{label}.{_service(settings, service, 'suffix')}"


# Services whose audience each resource names in its 401 challenge (the SDK follows it), and
# the get_client call that builds their client.
_CHALLENGE_SERVICES = {"keyvault": 'SecretClient, vault="<name>"'}


def service_scope(service: str) -> str:
    """The token scope (``<audience>/.default``) of ``service`` in the resolved cloud.

    Raises:
        ConfigurationError: The cloud has no known audience for the service (for Key Vault, whose
            audience comes from each vault's challenge, the message points to ``get_client``).
        ValueError: ``service`` is no service azenvcloud knows.
    """
    settings = get_settings()
    client = _CHALLENGE_SERVICES.get(service)
    if client is not None and services_of(settings.cloud)[service].audience is None:
        variable = override_variable(service, "audience")
        raise ConfigurationError(
            f"{SERVICE_NAMES[service]} has no fixed scope to return: each resource names the token's "
            "audience in its challenge, and the SDK asks for that token itself. Accepted: "
            f"azenvcloud.get_client({client}) (or its azenvcloud.aio twin), which follows the "
            f"challenge; or set {variable} to this cloud's value if you need the scope yourself.",
            variables=(variable,),
        )
    return f"{_service(settings, service, 'audience')}{SCOPE_SUFFIX}"


def check_service_url(service: str, url: str, *, argument: str = "url") -> str:
    """``url`` if its host may receive ``service``'s token in the resolved cloud, normalised.

    First, a host another cloud owns (:func:`~azenvcloud._host_owner.foreign_owner`: any of its
    sourced hosts or suffixes, for any service, or a name in its DNS zone, such as a public data
    collection endpoint under ``monitor.azure.com``) is the mixed-cloud error, whatever
    ``AZENVCLOUD_ACCEPTED_HOSTS`` lists: that is the commonest data-plane failure, a hard-coded
    public host (``https://kv1.vault.azure.net`` under ``AZURE_CLOUD=china``), caught before any
    token request. Then accepted: a host of ``service`` in the resolved cloud (its suffixes, its
    endpoint, or a sourced alternative form such as Storage's DNS-zone endpoints); any host where
    the resolved cloud has no known host for the service at all (a data collection endpoint under
    Bleu); and a host a trusted source listed in ``AZENVCLOUD_ACCEPTED_HOSTS`` (the environment, a
    named .env file, or code: a custom domain in front of a storage account). A zone never makes a
    host acceptable: ``<vm>.<region>.cloudapp.azure.com`` is a virtual machine anyone can rent.

    Raises:
        ConfigurationError: The URL is malformed, or its host is not of the resolved cloud (the
            message names the cloud that owns it, when one does).
    """
    settings = get_settings()
    try:
        normalised = parse_endpoint(url)
    except InvalidValue as exc:
        raise exc.configuration_error(argument, url, variables=(argument,)) from None
    host = host_of(normalised)
    cloud = settings.cloud
    own = services_of(cloud)[service]
    named = SERVICE_NAMES[service]
    foreign = foreign_owner(host, cloud, role="graph" if service == "graph" else "other")
    if foreign is not None:
        raise _another_clouds(argument, url, host, foreign, service=service, settings=settings)
    if _belongs(own, host, cloud.name):
        return normalised
    if not (own.suffix or own.endpoint):
        return normalised  # no known hosts here: from code, the URL is the user's to choose
    if _accepted(host, settings.accepted_hosts):
        return normalised  # a host a trusted source added (AZENVCLOUD_ACCEPTED_HOSTS)
    raise ConfigurationError(
        f"{argument}={quote_value(url)} is not {_article(named)} {named} host of {cloud.name}, whose {named} "
        f"hosts are {hosts_in_words(own)}. Accepted: a host of those (or the short name instead of a URL: "
        "azenvcloud adds the suffix); a host of your own in front of the resource (a custom domain), listed "
        f"in AZENVCLOUD_ACCEPTED_HOSTS (the environment, a named .env file or code); or, if {cloud.name}'s "
        f"{named} hosts are different, {override_variable(service, 'suffix')} in the environment or a named "
        ".env file.",
        variables=(argument, "AZENVCLOUD_ACCEPTED_HOSTS"),
    )


def _another_clouds(
    argument: str, url: str, host: str, owner: HostOwner, *, service: str, settings: Settings
) -> ConfigurationError:
    """A URL of another cloud: the mixed-cloud error, suggesting nothing that would mix them."""
    cloud = settings.cloud
    others = sorted(owner.clouds - {cloud.name})
    own = services_of(cloud)[service]
    named = SERVICE_NAMES[service]
    chosen = settings.sources.get("cloud")
    resolved = f"{cloud.name} ({chosen})" if chosen and cloud.name in BUILTIN_CLOUDS else cloud.name
    if own.suffix or own.endpoint:
        hosts = hosts_in_words(own)
        accepted = (
            f"{_article(named)} {named} host of {cloud.name} ({hosts}; or the short name instead of a URL)"
        )
    else:
        accepted = f"a host of {cloud.name}'s own {named} resource"
    if len(others) == 1 and cloud.name in BUILTIN_CLOUDS:
        accepted += f", or select {others[0]} with AZURE_CLOUD, if that is the cloud you mean"
    return ConfigurationError(
        f"{argument}={quote_value(url)} belongs to {' and '.join(others)} (it is {owner.describe(host)}), "
        f"but the configuration resolves {resolved}: {_article(cloud.name)} {cloud.name} token would be sent "
        "to a host of another cloud, and the request would fail. Values of two clouds in one configuration "
        "are refused before any token request, whichever hosts are listed as accepted. "
        f"Accepted: {accepted}.",
        variables=(argument, "AZURE_CLOUD"),
    )


def _article(words: str) -> str:
    """``a`` or ``an`` before a service's name: an App Configuration host, a Key Vault host."""
    return "an" if words[:1].upper() in "AEIOU" else "a"
