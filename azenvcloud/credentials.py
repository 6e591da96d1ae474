"""Building the ``DefaultAzureCredential`` for a resolved cloud.

``DefaultAzureCredential(authority=...)`` hands the authority to the environment and shared-cache
credentials only; ``WorkloadIdentityCredential`` (AKS workload identity) keeps reading
``AZURE_AUTHORITY_HOST`` and so asks the public login host for, say, a China token. Here every
credential in the chain that talks to an authority gets the resolved one.

The credential is single-flight (:mod:`azenvcloud._single_flight`: concurrent requests for a token
make one, and a token can be prefetched), and the synchronous one reads the authority's OpenID
configuration from the metadata cache after the first start (:mod:`azenvcloud._openid_cache`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import string
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._ca import connection_verify
from ._fork import renew_locks_after_fork
from ._values import find_control_character
from .errors import ConfigurationError, quote_value
from .provenance import IDENTITY_VARIABLES

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential
    from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

    from ._token_store import TokenStore
    from .settings import Settings

__all__ = [
    "IDENTITY_VARIABLES",
    "build_async_credential",
    "build_credential",
    "export_identity_variables",
    "identity_variable_sources",
    "withdraw_exported_variables",
]

_log = logging.getLogger("azenvcloud")

# azure-identity's own rule for a tenant (azure/identity/_internal/__init__.py).
_TENANT_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".-")

# What azenvcloud put into os.environ (name -> value), so that reset() can take it back.
_exported_lock = threading.Lock()
renew_locks_after_fork(globals(), "_exported_lock")  # a new one in a forked child
_exported: dict[str, str] = {}


def _export(name: str, value: str) -> None:
    with _exported_lock:
        os.environ[name] = value
        _exported[name] = value


def export_identity_variables(settings: Settings) -> list[str]:
    """Copy azure-identity's variables from the settings' .env file into the process environment.

    azure-identity reads only ``os.environ``; a developer who keeps ``AZURE_CLIENT_ID`` and
    friends in ``.env`` expects them to work. Variables already in the environment win, as
    everywhere else. What is copied is recorded and taken back by
    :func:`withdraw_exported_variables` (at ``reset()`` and ``configure()``). Returns the names
    copied (never the values).
    """
    copied = []
    for name, value in settings._identity_from_env_file.items():
        if value.strip() and not os.environ.get(name):
            _refuse_control_characters(name, value, settings.env_file)
            _export(name, value)
            copied.append(name)
    if copied:
        _log.debug("azenvcloud exported %s from %s for azure-identity", ", ".join(copied), settings.env_file)
    return copied


def _refuse_control_characters(name: str, value: str, env_file: str | None) -> None:
    """A value copied from .env is checked like every other: a NUL (which the environment cannot
    hold), an escape sequence or a line break is a mistake or an injection, never a credential."""
    char = find_control_character(value)
    if char is None:
        return
    shown = f"{name} (from the .env file {env_file})"
    if not IDENTITY_VARIABLES[name]:  # a secret's value is never shown, not even in part
        shown += f"={quote_value(value)}"
    raise ConfigurationError(
        f"{shown} is not usable: it contains a control character ({char!r}). Accepted: printable "
        "text on one line, without control characters (in a double-quoted .env value, \\n, \\t and "
        "the like are read as such characters).",
        variables=(name,),
    )


def withdraw_exported_variables() -> list[str]:
    """Take back what azenvcloud put into ``os.environ`` (where nobody changed it since)."""
    with _exported_lock:
        withdrawn = [name for name, value in _exported.items() if os.environ.get(name) == value]
        for name in withdrawn:
            del os.environ[name]
        _exported.clear()
    return withdrawn


# The azure-identity variables azenvcloud sets itself, and why (how `show` names their source).
_SET_BY_AZENVCLOUD = {
    "AZURE_TENANT_ID": "derived: an ADFS authority (Azure Stack Hub) has the one tenant adfs"
}


def identity_variable_sources(settings: Settings) -> dict[str, str]:
    """Where each azure-identity variable that is set comes from: ``environment``,
    ``.env file <path>``, or ``derived: ...`` for one azenvcloud set itself (the ADFS tenant);
    values are never read into the result."""
    found: dict[str, str] = {}
    with _exported_lock:
        exported = dict(_exported)
    for name in IDENTITY_VARIABLES:
        value = os.environ.get(name, "")
        in_file = settings._identity_from_env_file.get(name, "").strip()
        if value.strip() and exported.get(name) != value:
            found[name] = "environment"
        elif value.strip() and not in_file:  # exported, though no file holds it: azenvcloud's own
            found[name] = _SET_BY_AZENVCLOUD.get(name, "derived")
        elif value.strip() or in_file:
            found[name] = f".env file {settings.env_file}"
    return found


def build_credential(settings: Settings, **options: Any) -> DefaultAzureCredential:
    """A ``DefaultAzureCredential`` whose every authority-bound credential uses ``settings``.

    azure-identity's variables in the settings' .env file are exported first
    (:func:`export_identity_variables`), since azure-identity reads only the environment, and
    the ones azure-identity would fail on obscurely are checked.

    Managed identity and the developer tools (Azure CLI, PowerShell, azd, VS Code) have no
    authority to set: they follow the cloud they run in or are logged in to. For all of them
    the Resource Manager scope in ``settings`` is what makes the token fit the cloud.

    Args:
        settings: The resolved settings.
        **options: Further keyword arguments for ``DefaultAzureCredential``.

    Raises:
        ConfigurationError: azure-identity refused its configuration, naming the variable at
            fault (an invalid ``AZURE_TOKEN_CREDENTIALS``, ``AZURE_TENANT_ID`` or certificate).
    """
    from azure import identity

    return _build(identity, settings, options)  # type: ignore[no-any-return]


def build_async_credential(settings: Settings, **options: Any) -> AsyncDefaultAzureCredential:
    """The ``azure.identity.aio`` twin of :func:`build_credential`, built by the same rules."""
    from azure.identity import aio

    return _build(aio, settings, options)  # type: ignore[no-any-return]


def _build(identity: ModuleType, settings: Settings, options: dict[str, Any]) -> Any:
    # azure.identity and azure.identity.aio expose the same class names with the same
    # constructors and chain layout; `identity` is one of the two modules.
    # Where the secret may go was settled when the settings were resolved (azenvcloud._trust).
    export_identity_variables(settings)
    if settings.cloud.adfs:
        _require_adfs_tenant()
    _check_identity_variables()
    options = {"authority": settings.authority_host, **options}
    if settings.disable_instance_discovery:
        options.setdefault("disable_instance_discovery", True)
    if "transport" not in options:
        options.setdefault("connection_verify", connection_verify())  # the one CA setting (_ca.py)
    if "transport" not in options and not identity.__name__.endswith(".aio"):
        from ._openid_cache import caching_transport

        transport = caching_transport(settings)  # one round trip fewer per process start
        if transport is not None:
            options["transport"] = transport
    try:
        credential = _single_flight_class(identity)(**options)
    except (ValueError, OSError) as exc:
        raise _refused(exc) from None
    _route_workload_identity(identity, credential, options)
    from ._token_store import TokenStore  # on first use: `import azenvcloud` stays cheap

    credential._azenvcloud_signs_in = (settings.cloud_name, settings.authority_host)  # for _hints
    credential._azenvcloud_tokens = TokenStore.for_credential(
        credential,
        cloud=settings.cloud_name,
        authority=settings.authority_host,
        mode=settings.token_cache,
        cache_dir=settings.metadata_cache_dir,
        options=options,
    )
    return credential


_SINGLE_FLIGHT_CLASSES: dict[str, type] = {}


def _single_flight_class(identity: ModuleType) -> type:
    """``identity.DefaultAzureCredential``, with concurrent token requests made once.

    A subclass, so it still is a ``DefaultAzureCredential`` to users' code and type checkers;
    built on first use (azure-identity is imported only then), for the sync and async modules.
    """
    found = _SINGLE_FLIGHT_CLASSES.get(identity.__name__)
    if found is not None:
        return found
    from ._single_flight import AsyncFlights, Flights, flight_key

    base: Any = identity.DefaultAzureCredential
    if identity.__name__.endswith(".aio"):

        class AsyncSingleFlight(base):  # type: ignore[misc]
            __doc__ = base.__doc__

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self._azenvcloud_flights = AsyncFlights()
                self._azenvcloud_tokens: TokenStore | None = None  # set by _build

            async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
                key = flight_key("get_token", scopes, kwargs)
                return await self._azenvcloud_flights.run(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token",
                        scopes,
                        kwargs,
                        lambda: super(AsyncSingleFlight, self).get_token(*scopes, **kwargs),
                    ),
                )

            async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
                asked = dict(options or {})
                key = flight_key("get_token_info", scopes, asked)
                return await self._azenvcloud_flights.run(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token_info",
                        scopes,
                        asked,
                        lambda: super(AsyncSingleFlight, self).get_token_info(*scopes, options=options),
                    ),
                )

            def _azenvcloud_prefetch(self, *scopes: str) -> bool:
                # As the sync one; a task of the running loop.
                key = flight_key("get_token_info", scopes, {})
                return self._azenvcloud_flights.prefetch(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token_info",
                        scopes,
                        {},
                        lambda: super(AsyncSingleFlight, self).get_token_info(*scopes),
                    ),
                )

            async def _azenvcloud_stored(
                self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Any
            ) -> Any:
                tokens = self._azenvcloud_tokens
                with _hints(self, scopes):
                    if tokens is None:
                        return await call()
                    return await tokens.afetch(method, scopes, options, call)

            async def close(self) -> None:  # __aexit__ calls it too
                self._azenvcloud_flights.close()
                await super().close()

        found = AsyncSingleFlight
    else:

        class SingleFlight(base):  # type: ignore[misc]
            __doc__ = base.__doc__

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self._azenvcloud_flights = Flights()
                self._azenvcloud_tokens: TokenStore | None = None  # set by _build

            def get_token(self, *scopes: str, **kwargs: Any) -> Any:
                key = flight_key("get_token", scopes, kwargs)
                return self._azenvcloud_flights.run(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token",
                        scopes,
                        kwargs,
                        lambda: super(SingleFlight, self).get_token(*scopes, **kwargs),
                    ),
                )

            def get_token_info(self, *scopes: str, options: Any = None) -> Any:
                asked = dict(options or {})
                key = flight_key("get_token_info", scopes, asked)
                return self._azenvcloud_flights.run(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token_info",
                        scopes,
                        asked,
                        lambda: super(SingleFlight, self).get_token_info(*scopes, options=options),
                    ),
                )

            def _azenvcloud_prefetch(self, *scopes: str) -> bool:
                # The request azure-core's bearer token policy makes: get_token_info(*scopes, options={}).
                key = flight_key("get_token_info", scopes, {})
                return self._azenvcloud_flights.prefetch(
                    key,
                    lambda: self._azenvcloud_stored(
                        "get_token_info",
                        scopes,
                        {},
                        lambda: super(SingleFlight, self).get_token_info(*scopes),
                    ),
                )

            def _azenvcloud_stored(
                self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Any
            ) -> Any:
                # The token store (azenvcloud._token_store): a stored token, or call()'s, kept.
                tokens = self._azenvcloud_tokens
                with _hints(self, scopes):
                    return call() if tokens is None else tokens.fetch(method, scopes, options, call)

            def __exit__(self, *args: Any) -> None:  # close() calls it too
                self._azenvcloud_flights.close()
                super().__exit__(*args)

        found = SingleFlight
    found.__name__ = found.__qualname__ = "DefaultAzureCredential"
    _SINGLE_FLIGHT_CLASSES[identity.__name__] = found
    return found


def _hints(credential: Any, scopes: tuple[str, ...]) -> contextlib.AbstractContextManager[None]:
    """A failed token request's error gets the hints of :mod:`azenvcloud._failure_hints` (which
    cloud this configuration signs in at, for an Entra error that usually means another cloud's
    value; how to trust a private CA), in place: its type and its path are unchanged."""
    signs_in = getattr(credential, "_azenvcloud_signs_in", None)
    if signs_in is None:
        return contextlib.nullcontext()
    from ._failure_hints import hinted

    return hinted(cloud=signs_in[0], authority=signs_in[1], scope=" ".join(scopes) or None)


def _check_identity_variables() -> None:
    """The azure-identity variables azure-identity would fail on obscurely, named at fault."""
    tenant = os.environ.get("AZURE_TENANT_ID", "")
    if tenant and any(char not in _TENANT_CHARACTERS for char in tenant):
        raise ConfigurationError(
            f"AZURE_TENANT_ID={quote_value(tenant)} is not usable: a tenant is a GUID or a domain name. "
            "Accepted: letters, digits, '-' and '.', such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or "
            "contoso.onmicrosoft.com.",
            variables=("AZURE_TENANT_ID",),
        )
    certificate = os.environ.get("AZURE_CLIENT_CERTIFICATE_PATH", "")
    if certificate:
        try:
            readable = stat.S_ISREG(os.stat(certificate).st_mode) and os.access(certificate, os.R_OK)
            reason = "it is not a readable file"
        except OSError as exc:
            readable, reason = False, str(exc.strerror or exc)
        if (
            readable
            and os.environ.get("AZURE_CLIENT_ID")
            and tenant
            and not os.environ.get("AZURE_CLIENT_SECRET")
        ):
            readable, reason = _loads_as_certificate(certificate, tenant)
        if not readable:
            raise ConfigurationError(
                f"AZURE_CLIENT_CERTIFICATE_PATH={quote_value(certificate)} is not usable: {reason}. "
                "Accepted: the path of a readable PEM or PKCS12 file with the certificate and its "
                "private key.",
                variables=("AZURE_CLIENT_CERTIFICATE_PATH",),
            )


def _loads_as_certificate(path: str, tenant: str) -> tuple[bool, str]:
    """Whether azure-identity can load the certificate EnvironmentCredential will use."""
    from azure.identity import CertificateCredential

    try:
        CertificateCredential(
            tenant,
            os.environ["AZURE_CLIENT_ID"],
            path,
            password=os.environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
        ).close()
    except (ValueError, TypeError, OSError):
        return False, "azure-identity cannot load a certificate and private key from it (or its password)"
    return True, ""


def _refused(exc: Exception) -> ConfigurationError:
    """azure-identity refused to build: blame the variable actually at fault, hide every secret."""
    message = str(exc)
    for name, secret in IDENTITY_VARIABLES.items():
        value = os.environ.get(name, "")
        if secret and value:
            message = message.replace(value, "<redacted>")
    if os.environ.get("AZURE_CLIENT_CERTIFICATE_PATH") and (
        isinstance(exc, OSError)
        or any(word in message.lower() for word in ("certificate", "pem", "password"))
    ):
        variable = "AZURE_CLIENT_CERTIFICATE_PATH"
        shown = f"{variable}={quote_value(os.environ[variable])}"
        accepted = (
            "a PEM or PKCS12 file with the certificate and its private key "
            "(AZURE_CLIENT_CERTIFICATE_PASSWORD for an encrypted one)"
        )
    elif os.environ.get("AZURE_TOKEN_CREDENTIALS", "").strip():
        variable = "AZURE_TOKEN_CREDENTIALS"
        shown = f"{variable}={quote_value(os.environ[variable])}"
        accepted = "dev, prod, or the name of one credential of DefaultAzureCredential's chain"
    else:
        set_names = [name for name in IDENTITY_VARIABLES if os.environ.get(name)]
        variable = set_names[0] if set_names else "AZURE_CLIENT_ID"
        shown = ", ".join(set_names) or "the azure-identity variables"
        accepted = "the azure-identity variables of one credential (see `azenvcloud show`)"
    return ConfigurationError(
        f"azure-identity refused {shown}: {' '.join(message.split())} Accepted: {accepted}.",
        variables=(variable,),
    )


def _require_adfs_tenant() -> None:
    """ADFS (Azure Stack Hub) takes tenant ``adfs``: set it when unset, refuse any other."""
    tenant = os.environ.get("AZURE_TENANT_ID", "").strip()
    if not tenant:
        _export("AZURE_TENANT_ID", "adfs")
        _log.debug("azenvcloud set AZURE_TENANT_ID=adfs for the ADFS authority")
    elif tenant.lower() != "adfs":
        raise ConfigurationError(
            f"AZURE_TENANT_ID={quote_value(tenant)} cannot be used with an ADFS authority (Azure Stack Hub): "
            "ADFS has one tenant, 'adfs'. Accepted: adfs, or leave AZURE_TENANT_ID unset.",
            variables=("AZURE_TENANT_ID",),
        )


def _route_workload_identity(identity: ModuleType, credential: Any, options: dict[str, Any]) -> None:
    """Rebuild the chain's workload identity credentials with the resolved authority.

    They are built exactly as ``DefaultAzureCredential`` builds them (tenant, client ID and
    token file from the environment), plus ``authority``. Managed identity wraps one too when
    the AKS webhook's variables are set and workload identity is not separately in the chain.
    """
    workload_identity = identity.WorkloadIdentityCredential

    def routed() -> Any:
        return workload_identity(**options)

    chain = list(credential.credentials)
    for index, member in enumerate(chain):
        if isinstance(member, workload_identity):
            chain[index] = routed()
        elif isinstance(member, identity.ManagedIdentityCredential) and isinstance(
            getattr(member, "_credential", None), workload_identity
        ):
            member._credential = routed()  # azure-identity keeps no public hook for this
    credential.credentials = tuple(chain)
