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

from . import _builtin_clouds as clouds_data
from ._one_cloud import cloud_host
from ._service_model import (
    SERVICE_FIELDS,
    SERVICE_NAMES,
    SERVICES_KEY,
    Service,
    _accepted,
    _belongs,
    alternative_hosts,
    is_service_variable,
    override_variable,
    parse_accepted_hosts,
    parse_service_variable,
    services_of,
    services_report,
)
from ._service_variables import apply_service_variables
from ._values import SCOPE_SUFFIX, InvalidValue, host_of, parse_endpoint
from .clouds import BUILTIN_CLOUDS
from .errors import ConfigurationError, quote_value
from .settings import Settings, get_settings

__all__ = [
    "SERVICES_KEY",
    "SERVICE_FIELDS",
    "SERVICE_NAMES",
    "Service",
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


def check_service_url(service: str, url: str, *, argument: str) -> str:
    """``url`` if its host may receive ``service``'s token in the resolved cloud, normalised.

    Accepted: a host of ``service`` in the resolved cloud (its suffix, its endpoint, or a sourced
    alternative form such as Storage's DNS-zone endpoints), and, where the resolved cloud has no
    known host for the service at all (a Monitor data collection endpoint), any host of no other
    built-in cloud. A host of another built-in cloud (any of its known hosts, for any service) is
    refused: that is the commonest data-plane failure, a hard-coded public host
    (``https://kv1.vault.azure.net`` under ``AZURE_CLOUD=china``), caught before any token request.
    To accept another host of no built-in cloud (a custom domain in front of a storage account),
    list it in ``AZENVCLOUD_ACCEPTED_HOSTS`` (the environment, a named .env file, or code); to
    change the cloud's hosts for a service, set its ``AZURE_SERVICE_<SERVICE>_SUFFIX`` or
    ``_ENDPOINT`` (with its ``_AUDIENCE``).

    Raises:
        ConfigurationError: The URL is malformed, or its host is not of the resolved cloud (the
            message names the cloud it belongs to, when it is a built-in one).
    """
    settings = get_settings()
    try:
        normalised = parse_endpoint(url)
    except InvalidValue as exc:
        raise exc.configuration_error(argument, url, variables=(argument,)) from None
    host = host_of(normalised)
    own = services_of(settings.cloud)[service]
    if _belongs(own, host, settings.cloud_name):
        return normalised
    other = _builtin_cloud_of(host, besides=settings.cloud_name)
    if other is None and not (own.suffix or own.endpoint):
        return normalised  # no known hosts here: from code, the URL is the user's to choose
    if other is None and _accepted(host, settings.accepted_hosts):
        return normalised  # a host a trusted source added (AZENVCLOUD_ACCEPTED_HOSTS)
    of = (
        f"belongs to {other}" if other else f"is not a {SERVICE_NAMES[service]} host of {settings.cloud_name}"
    )
    if own.suffix or own.endpoint:
        expected = f"whose {SERVICE_NAMES[service]} hosts are {own.endpoint or '*.' + str(own.suffix)}"
    else:
        expected = f"which has no known {SERVICE_NAMES[service]} hosts"
    raise ConfigurationError(
        f"{argument}={quote_value(url)} {of}, but the configuration resolves {settings.cloud_name}, "
        f"{expected}: values of two clouds in one process make token requests fail or send a token to "
        "the other cloud. Accepted: a host of the resolved cloud (pass the short name instead of a URL), "
        f"or set {override_variable(service, 'suffix')} (in the environment or a named .env file) if this "
        "cloud's hosts are different.",
        variables=(argument, "AZURE_CLOUD"),
    )


def _builtin_cloud_of(host: str, *, besides: str) -> str | None:
    """The built-in cloud (other than ``besides``) any of whose known hosts ``host`` is (the
    hosts index :func:`~azenvcloud._one_cloud.cloud_host` keeps, variants included), or a
    retired or Resource-Manager-less cloud's sourced host."""
    for name in BUILTIN_CLOUDS:
        if name != besides and cloud_host(host, name):
            return name
    known = clouds_data.MANAGEMENT_HOSTS.get(host) or clouds_data.AUTHORITY_HOSTS.get(host)
    return known if known != besides else None
