"""The management-client recipe: the constructor arguments that put any ``azure-mgmt-*`` client in
step with the resolved cloud. One set of rules for ``base_url``, ``credential_scopes``,
``cloud_setting``, the subscription and Azure Stack Hub API profiles, for the synchronous and the
async getters alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ._client_recipe import is_async
from ._errors import ConfigurationError
from ._parsers import InvalidValue, parse_subscription_id
from ._profiles import api_version_for

if TYPE_CHECKING:
    from ._settings import Settings

__all__ = [
    "MANAGEMENT",
    "RESERVED",
    "ManagementRecipe",
    "check_pinned_api_version",
    "client_arguments",
]

ClientT = TypeVar("ClientT")

# Arguments azenvcloud owns: passing them would take a client out of step with its cloud.
RESERVED = frozenset({"credential", "base_url", "endpoint", "credential_scopes", "cloud_setting"})


@dataclass(frozen=True)
class ManagementRecipe:
    """How every management client is built for the resolved cloud: one recipe serves all of them.

    Its values all come from the settings: Resource Manager's URL (as ``base_url``, or
    ``endpoint`` where the class has no ``base_url``), its ``credential_scopes``, azure-core's
    ``cloud_setting`` where the class takes one, the subscription (``subscription_id`` or
    ``AZURE_SUBSCRIPTION_ID``) where it takes one, and the api-version ``AZURE_API_PROFILE`` pins.

    Attributes:
        package: The module prefix of the classes it builds.
        owned: The constructor arguments azenvcloud sets, which callers may not pass.
    """

    package: str = "azure.mgmt."
    owned: frozenset[str] = RESERVED

    def builds(self, client_class: type[Any]) -> bool:
        """Whether ``client_class`` is a management client (of an ``azure-mgmt-*`` package)."""
        return client_class.__module__.startswith(self.package)

    def is_async(self, client_class: type[Any]) -> bool:
        """Whether ``client_class`` is the package's async client (from its ``aio`` package)."""
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
        """``client_class`` for ``settings``'s cloud, with ``credential``.

        Raises:
            ConfigurationError: As :func:`client_arguments` and :func:`check_pinned_api_version` say.
            TypeError: As :func:`client_arguments` says.
        """
        arguments = client_arguments(client_class, subscription_id, kwargs, settings)
        from ._transports import with_transport

        transported = with_transport(arguments, settings=settings, asynchronous=asynchronous)
        client = client_class(credential, **transported)  # type: ignore[call-arg]
        try:
            check_pinned_api_version(client, client_class, arguments)
        except Exception:
            if not asynchronous:  # an async client has opened no session yet, and closing it needs a loop
                client.close()  # type: ignore[attr-defined]
            raise
        return client

    def first_request_scopes(self, settings: Settings) -> tuple[str, ...]:
        """The scopes a management client's first request asks a token for: Resource Manager's."""
        return tuple(settings.credential_scopes)

    async def aclose(self, client: Any) -> None:
        """Close an async client built from this recipe."""
        await client.close()


MANAGEMENT = ManagementRecipe()
"""The one management-client recipe."""


def client_arguments(
    client_class: type[Any], subscription_id: str | None, kwargs: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    """Every constructor argument but the credential, for ``client_class`` in ``settings``'s cloud.

    Raises:
        ConfigurationError: The class needs a subscription and none is configured, or the one
            given is not a GUID.
        TypeError: ``kwargs`` holds an argument azenvcloud owns, or the class takes no
            subscription and one was given.
    """
    owned = sorted(RESERVED & kwargs.keys())
    if owned:
        raise TypeError(
            f"{', '.join(owned)} {'is' if len(owned) == 1 else 'are'} set by azenvcloud from the resolved "
            "cloud; configure AZURE_* variables (or azenvcloud.configure) instead of passing them"
        )
    from azure.core import AzureClouds

    parameters = inspect.signature(client_class).parameters
    arguments: dict[str, Any] = {"credential_scopes": settings.credential_scopes}
    arguments["endpoint" if "endpoint" in parameters and "base_url" not in parameters else "base_url"] = (
        settings.resource_manager
    )
    if "cloud_setting" in parameters:
        arguments["cloud_setting"] = AzureClouds[settings.cloud.sdk_cloud_setting]
    if "subscription_id" in parameters:
        arguments["subscription_id"] = _subscription(subscription_id, settings, client_class)
    elif subscription_id is not None:
        raise TypeError(f"{client_class.__name__} takes no subscription_id")
    pinned = api_version_for(settings.api_profile, client_class)
    if pinned is not None and "api_version" not in kwargs:
        arguments["api_version"] = pinned
    return {**arguments, **kwargs}


def check_pinned_api_version(client: Any, client_class: type[Any], arguments: Mapping[str, Any]) -> None:
    """Refuse a client that does not use the api-version ``AZURE_API_PROFILE`` pinned for it.

    Current SDKs of several services (azure-mgmt-compute 35+, for one) accept ``api_version=`` as
    any keyword and ignore it: their operations send their own fixed versions, which an Azure
    Stack Hub stamp refuses. Their configuration then has no ``api_version``, or another one.

    Raises:
        ConfigurationError: The client will send other api-versions than the profile's.
    """
    pinned = arguments.get("api_version")
    if pinned is None:
        return
    used = getattr(getattr(client, "_config", None), "api_version", None)
    if used == pinned:
        return
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    top = client_class.__module__.split(".")[0]
    module = client_class.__module__.split("._")[0]
    distributions = packages_distributions().get(top, [])
    package = next((name for name in distributions if name.replace("-", ".").startswith(module)), None)
    package = package or module.replace(".", "-")
    try:
        installed = f"{package} {version(package)}"
    except PackageNotFoundError:
        installed = package
    raise ConfigurationError(
        f"AZURE_API_PROFILE pins {client_class.__name__} to api-version {pinned}, but {installed} does not "
        f"use the api_version it is given (its client sends {used or 'its own fixed api-versions'}), so "
        f"an Azure Stack Hub stamp would refuse its requests. Accepted: pin {package} to a release "
        f"whose {client_class.__name__} takes api_version {pinned} (its _configuration.api_version), "
        "or use AZURE_API_PROFILE=latest where the cloud serves the latest versions.",
        variables=("AZURE_API_PROFILE",),
    )


def _subscription(subscription_id: str | None, settings: Settings, client_class: type[Any]) -> str:
    if subscription_id is not None:
        try:
            return parse_subscription_id(subscription_id)
        except InvalidValue as exc:
            raise exc.configuration_error(
                "subscription_id", subscription_id, variables=("AZURE_SUBSCRIPTION_ID",)
            ) from None
    if settings.subscription_id is None:
        raise ConfigurationError(
            f"{client_class.__name__} needs a subscription and none is configured: set "
            "AZURE_SUBSCRIPTION_ID (a GUID) or pass subscription_id=.",
            variables=("AZURE_SUBSCRIPTION_ID",),
        )
    return settings.subscription_id
