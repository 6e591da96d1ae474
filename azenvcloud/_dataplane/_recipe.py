"""The data-plane recipe: what a client's constructor needs from the resolved cloud, and building
the client from it, for the sync and the async getters alike.

A recipe is data (which service's values apply, which argument takes the URL, which carries
the audience) and answers the questions every recipe answers (:class:`azenvcloud._client_recipe.
ClientRecipe`): build the client from the resolved cloud and the caller's arguments, and say the
scopes of its first request. Its service is checked when the recipe is made: a recipe naming no
service azenvcloud knows fails at import, not at the first ``get_client``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .._client_recipe import is_async
from .._destinations import check_url
from .._profiles import api_version_for
from .._services import SERVICE_NAMES, services_of, url_of, value_of
from .._transports import with_transport
from ._pinned import AsyncPinnedScopeCredential, PinnedScopeCredential

if TYPE_CHECKING:
    from .._settings import Settings

__all__ = ["Recipe", "known_service"]

ClientT = TypeVar("ClientT")

# The arguments azenvcloud owns for a data-plane client: passing them would take it out of step.
_OWNED = frozenset({"credential", "audience", "credential_scopes"})


def known_service(service: str, what: str) -> str:
    """``service``, when it is a name of :data:`~azenvcloud.SERVICE_NAMES`.

    Raises:
        ValueError: It is not (naming ``what`` named it, and the known names).
    """
    if service not in SERVICE_NAMES:
        raise ValueError(
            f"{what} names the service {service!r}, which azenvcloud does not know; known: "
            f"{', '.join(SERVICE_NAMES)} (a new service's name and values go in _builtin_services.py)"
        )
    return service


@dataclass(frozen=True)
class Recipe:
    """How to build one data-plane client class for the resolved cloud.

    Attributes:
        service: The service whose values apply (a name of :data:`azenvcloud.SERVICE_NAMES`,
            checked here).
        url_argument: The constructor argument that takes the URL (``vault_url``, ``account_url``,
            ``endpoint``). Users may pass it too; it must then be a host of the resolved cloud.
        name_argument: The short-name argument users pass instead (``vault``, ``account``), or
            ``None`` where the URL is not built from a short name.
        fixed_endpoint: Whether the service has one endpoint per cloud (Log Analytics), used when
            no URL is given (and a cloud without one is a ``ConfigurationError`` naming its
            variable); otherwise a recipe without ``name_argument`` needs the URL.
        audience: How the token audience reaches the client: ``audience=`` (the audience
            itself), ``credential_scopes=`` (a list with its scope), ``pinned`` (the credential
            is wrapped to ask for the cloud's scope, for SDKs with no argument for it), or
            ``None`` where the SDK finds it alone (Key Vault's challenge).
        audience_suffix: What the SDK expects after the audience (``/`` for App Configuration,
            which appends ``.default`` to it as it is).
        url_form: ``url`` (``https://host``) or ``host`` (a bare host name, as the messaging SDKs'
            ``fully_qualified_namespace``).
        arguments: Constructor arguments always given (``token_intent`` for file shares).
        adfs_arguments: Constructor arguments under an ADFS authority (Azure Stack Hub).
        prefetch: Whether the client's first request asks a token for exactly
            ``<audience>/.default`` with no options, checked on the wire, so that building the
            client may start that request early (``AZENVCLOUD_TOKEN_PREFETCH``).
    """

    service: str
    url_argument: str
    name_argument: str | None = None
    fixed_endpoint: bool = False
    audience: Literal["audience", "credential_scopes", "pinned"] | None = None
    audience_suffix: str = ""
    url_form: Literal["url", "host"] = "url"
    arguments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    adfs_arguments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    prefetch: bool = False

    def __post_init__(self) -> None:
        known_service(self.service, f"Recipe(service={self.service!r}, url_argument={self.url_argument!r})")

    def is_async(self, client_class: type[Any]) -> bool:
        """Whether ``client_class`` is the SDK's async client (from its ``aio`` package)."""
        return is_async(client_class)

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
        """``client_class`` for ``settings``'s cloud, with ``credential`` (pinned to the cloud's
        scope for an SDK with no argument for it).

        The URL comes from the short name (``vault="kv1"``) and the cloud's suffix, or is the URL
        the user gave, checked to be a host of the resolved cloud before any request; the audience
        is the cloud's, never the public cloud's for want of a value.

        Raises:
            ConfigurationError: The cloud has no known value the client needs (naming the
                variable that supplies it), or a URL given is of another cloud.
            TypeError: An argument azenvcloud owns was passed, or the short name is missing, or
                both it and the URL were given.
        """
        if subscription_id is not None:
            raise TypeError(f"{client_class.__name__} takes no subscription_id")
        owned = sorted(_OWNED & kwargs.keys())
        if owned:
            verb = "is" if len(owned) == 1 else "are"
            raise TypeError(
                f"{', '.join(owned)} {verb} set by azenvcloud from the resolved cloud "
                f"({SERVICE_NAMES[self.service]}); set AZURE_SERVICE_{self.service.upper()}_* instead"
            )
        arguments = dict(kwargs)
        url = self._url(client_class, arguments, settings)
        built: dict[str, Any] = {self.url_argument: url, **self.arguments}
        if self.audience == "audience":
            built["audience"] = value_of(settings, self.service, "audience") + self.audience_suffix
        elif self.audience == "credential_scopes":
            built["credential_scopes"] = [value_of(settings, self.service, "audience") + "/.default"]
        elif self.audience == "pinned":
            scope = value_of(settings, self.service, "audience") + "/.default"
            credential = (AsyncPinnedScopeCredential if asynchronous else PinnedScopeCredential)(
                credential, scope
            )
        if settings.cloud.adfs:
            built.update(self.adfs_arguments)
        pinned = api_version_for(settings.api_profile, client_class)
        if pinned is not None and "api_version" not in arguments:  # an explicit api_version= wins
            built["api_version"] = pinned
        if self.url_form == "url":  # an HTTP client (the messaging SDKs speak AMQP)
            arguments = with_transport(arguments, settings=settings, asynchronous=asynchronous)
        return client_class(credential=credential, **built, **arguments)  # type: ignore[call-arg]

    def first_request_scopes(self, settings: Settings) -> tuple[str, ...] | None:
        """The scope the client's first request asks a token for, for a recipe marked ``prefetch``
        (``audience.rstrip("/") + "/.default"``, as azure-storage and azure-monitor-query build it
        and as App Configuration and Search receive it), else ``None``; also ``None`` when the
        cloud has no known audience (building will say so)."""
        if not self.prefetch:
            return None
        audience = services_of(settings.cloud)[self.service].audience
        return None if audience is None else (audience.rstrip("/") + "/.default",)

    async def aclose(self, client: Any) -> None:
        """Close an async client built from this recipe."""
        await client.close()

    def _url(self, client_class: type[Any], arguments: dict[str, Any], settings: Settings) -> str:
        """The URL (or host) for the client; takes the short name and URL out of ``arguments``."""
        name = client_class.__name__
        service = services_of(settings.cloud)[self.service]
        short = arguments.pop(self.name_argument, None) if self.name_argument else None
        given = arguments.pop(self.url_argument, None)
        if short is not None and given is not None:
            raise TypeError(f"{name}: pass {self.name_argument}= or {self.url_argument}=, not both")
        if given is not None:
            text = str(given) if "://" in str(given) else f"https://{given}"
            # Checked even where the service has no known hosts here (a data collection endpoint):
            # a host of another built-in cloud is refused, any other is taken as given.
            url = check_url(settings, self.service, text, argument=self.url_argument)
        elif short is not None:
            url = url_of(settings, self.service, str(short))
        elif self.name_argument is not None:
            raise TypeError(
                f"{name} needs {self.name_argument}='<name>' (azenvcloud adds the cloud's suffix), "
                f"or {self.url_argument}= with a URL of the resolved cloud"
            )
        elif service.endpoint is None and not self.fixed_endpoint:
            raise TypeError(f"{name} needs {self.url_argument}= (the endpoint of your resource)")
        else:
            url = url_of(settings, self.service)  # the fixed endpoint, or an error naming its variable
        return url.split("://", 1)[-1] if self.url_form == "host" else url
