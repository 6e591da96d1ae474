"""Building a data-plane client from its recipe, for the sync and the async getters alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .._transports import with_transport
from ..profiles import api_version_for
from ..services import SERVICE_NAMES, Service, _service, check_service_url, service_url, services_of
from ._pinned import AsyncPinnedScopeCredential, PinnedScopeCredential

if TYPE_CHECKING:
    from ..settings import Settings
    from ._recipe import Recipe

__all__ = ["build_client", "first_request_scope"]

ClientT = TypeVar("ClientT")

# The arguments azenvcloud owns for a data-plane client: passing them would take it out of step.
_OWNED = frozenset({"credential", "audience", "credential_scopes"})


def build_client(
    recipe: Recipe,
    client_class: type[ClientT],
    *,
    subscription_id: str | None,
    kwargs: dict[str, Any],
    settings: Settings,
    credential: Any,
    asynchronous: bool,
) -> ClientT:
    """``client_class`` for ``settings``'s cloud, with ``credential`` (pinned to the cloud's scope
    for an SDK with no argument for it).

    The URL comes from the short name (``vault="kv1"``) and the cloud's suffix, or is the URL
    the user gave, checked to be a host of the resolved cloud before any request; the audience
    is the cloud's, never the public cloud's for want of a value.

    Raises:
        ConfigurationError: The cloud has no known value the client needs (naming the variable
            that supplies it), or a URL given is of another cloud.
        TypeError: An argument azenvcloud owns was passed, or the short name is missing, or both
            it and the URL were given.
    """
    if subscription_id is not None:
        raise TypeError(f"{client_class.__name__} takes no subscription_id")
    owned = sorted(_OWNED & kwargs.keys())
    if owned:
        raise TypeError(
            f"{', '.join(owned)} {'is' if len(owned) == 1 else 'are'} set by azenvcloud from the resolved "
            f"cloud ({SERVICE_NAMES[recipe.service]}); set AZURE_SERVICE_{recipe.service.upper()}_* instead"
        )
    arguments = dict(kwargs)
    url = _url(recipe, client_class, arguments, services_of(settings.cloud)[recipe.service])
    built: dict[str, Any] = {recipe.url_argument: url, **recipe.arguments}
    if recipe.audience == "audience":
        built["audience"] = _service(settings, recipe.service, "audience") + recipe.audience_suffix
    elif recipe.audience == "credential_scopes":
        built["credential_scopes"] = [_service(settings, recipe.service, "audience") + "/.default"]
    elif recipe.audience == "pinned":
        scope = _service(settings, recipe.service, "audience") + "/.default"
        credential = (AsyncPinnedScopeCredential if asynchronous else PinnedScopeCredential)(
            credential, scope
        )
    if settings.cloud.adfs:
        built.update(recipe.adfs_arguments)
    pinned = api_version_for(settings.api_profile, client_class)
    if pinned is not None and "api_version" not in arguments:  # an explicit api_version= wins
        built["api_version"] = pinned
    if recipe.url_form == "url":  # an HTTP client (the messaging SDKs speak AMQP)
        arguments = with_transport(arguments, settings=settings, asynchronous=asynchronous)
    return client_class(credential=credential, **built, **arguments)  # type: ignore[call-arg]


def first_request_scope(recipe: Recipe, settings: Settings) -> str | None:
    """The scope the client's first request asks a token for, for a recipe marked ``prefetch``
    (``audience.rstrip("/") + "/.default"``, as azure-storage and azure-monitor-query build it and
    as App Configuration and Search receive it), else ``None``; also ``None`` when the cloud has
    no known audience (building will say so)."""
    if not recipe.prefetch:
        return None
    audience = services_of(settings.cloud)[recipe.service].audience
    return None if audience is None else audience.rstrip("/") + "/.default"


def _url(recipe: Recipe, client_class: type[Any], arguments: dict[str, Any], service: Service) -> str:
    """The URL (or host) for the client; takes the short name and URL out of ``arguments``."""
    name = client_class.__name__
    short = arguments.pop(recipe.name_argument, None) if recipe.name_argument else None
    given = arguments.pop(recipe.url_argument, None)
    if short is not None and given is not None:
        raise TypeError(f"{name}: pass {recipe.name_argument}= or {recipe.url_argument}=, not both")
    if given is not None:
        text = str(given) if "://" in str(given) else f"https://{given}"
        # Checked even where the service has no known hosts here (a data collection endpoint):
        # a host of another built-in cloud is refused, any other is taken as given.
        url = check_service_url(recipe.service, text, argument=recipe.url_argument)
    elif short is not None:
        url = service_url(recipe.service, str(short))
    elif recipe.name_argument is not None:
        raise TypeError(
            f"{name} needs {recipe.name_argument}='<name>' (azenvcloud adds the cloud's suffix), "
            f"or {recipe.url_argument}= with a URL of the resolved cloud"
        )
    elif service.endpoint is None and recipe.service != "log_analytics":
        raise TypeError(f"{name} needs {recipe.url_argument}= (the endpoint of your resource)")
    else:
        url = service_url(recipe.service)  # the fixed endpoint, or an error naming its variable
    return url.split("://", 1)[-1] if recipe.url_form == "host" else url
