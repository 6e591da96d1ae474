"""Building the ``DefaultAzureCredential`` for a resolved cloud.

``DefaultAzureCredential(authority=...)`` hands the authority to the environment and shared-cache
credentials only; ``WorkloadIdentityCredential`` (AKS workload identity) keeps reading
``AZURE_AUTHORITY_HOST`` and so asks the public login host for, say, a China token. Here every
credential in the chain that talks to an authority gets the resolved one.

The credential shares its token requests (:mod:`azenvcloud._token_sharing`: concurrent requests
for a token make one, a token can be prefetched, a fixed identity's tokens are kept), as any other
credential azenvcloud builds would (:func:`token_sharing`), and the synchronous one reads the
authority's OpenID configuration from the metadata cache after the first start
(:mod:`azenvcloud._openid_cache`).
"""

from __future__ import annotations

import logging
import os
import stat
import string
import threading
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._errors import ConfigurationError, quote_value
from ._fork import renew_locks
from ._parsers import find_control_character
from ._provenance import IDENTITY_VARIABLES
from ._transports import transport_options

if TYPE_CHECKING:
    from azure.identity import DefaultAzureCredential
    from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

    from ._identity_inputs import IdentityInputs
    from ._settings import Settings
    from ._token_sharing import TokenSharing

__all__ = [
    "CERTIFICATE_ACCEPTED",
    "IDENTITY_VARIABLES",
    "adfs_tenant",
    "build_async_credential",
    "build_credential",
    "check_tenant",
    "export_identity_variables",
    "identity_variable_sources",
    "token_sharing",
    "withdraw_exported_variables",
]

_log = logging.getLogger("azenvcloud")

# azure-identity's own rule for a tenant (azure/identity/_internal/__init__.py).
_TENANT_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".-")

# What a certificate azure-identity refused to load should be (the default's message, a named one's).
CERTIFICATE_ACCEPTED = (
    "a PEM or PKCS12 file with the certificate and its private key "
    "(AZURE_CLIENT_CERTIFICATE_PASSWORD for an encrypted one)"
)

# What azenvcloud put into os.environ (name -> value), so that reset() can take it back.
_exported_lock = threading.Lock()
renew_locks(globals(), "_exported_lock")  # a new one in a forked child
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
    if "transport" not in options:  # what every transport azenvcloud builds is given (_transports.py)
        options = {**transport_options(settings), **options}
    if "transport" not in options and not identity.__name__.endswith(".aio"):
        from ._openid_cache import caching_transport

        transport = caching_transport(settings)  # one round trip fewer per process start
        if transport is not None:
            options["transport"] = transport
    from ._identity_inputs import IdentityInputs

    inputs = IdentityInputs.from_environment(os.environ)  # what azure-identity reads as it builds
    try:
        credential = _credential_class(identity)(**options)
    except (ValueError, OSError) as exc:
        raise _refused(exc) from None
    _route_workload_identity(identity, credential, options, os.environ)
    credential._azenvcloud_sharing = token_sharing(
        credential, settings, options=options, inputs=inputs, asynchronous=identity.__name__.endswith(".aio")
    )
    return credential


def token_sharing(
    credential: object,
    settings: Settings,
    *,
    options: Mapping[str, Any],
    inputs: IdentityInputs,
    asynchronous: bool,
) -> TokenSharing:
    """Single flight, prefetch, the token store and sign-in hints for ``credential``, built for
    ``settings``' cloud with ``options`` from the identity ``inputs`` its builder read.

    One recipe for every credential azenvcloud builds: the ``DefaultAzureCredential`` here, and any
    other chain (wrap it as ``SharedCredential(chain, token_sharing(chain, ...))``; the async one
    in ``AsyncSharedCredential``). Tags the chain's answers for the store.
    """
    from ._token_sharing import SignIn, TokenSharing
    from ._token_store import TokenStore  # on first use: `import azenvcloud` stays cheap

    store = TokenStore.for_credential(
        credential,
        cloud=settings.cloud_name,
        authority=settings.authority_host,
        mode=settings.token_cache,
        cache_dir=settings.metadata_cache_dir,
        options=options,
        inputs=inputs,
    )
    return TokenSharing(
        store=store, signs_in=SignIn(settings.cloud_name, settings.authority_host), asynchronous=asynchronous
    )


def _credential_class(identity: ModuleType) -> type:
    """azenvcloud's ``DefaultAzureCredential`` for ``identity`` (``azure.identity`` or its
    ``aio``): a subclass of azure-identity's, single-flight, with the token store, picklable."""
    from . import _default_credential

    if identity.__name__.endswith(".aio"):
        return _default_credential.AsyncDefaultAzureCredential  # type: ignore[no-any-return]
    return _default_credential.DefaultAzureCredential


def _check_identity_variables() -> None:
    """The azure-identity variables azure-identity would fail on obscurely, named at fault."""
    tenant = os.environ.get("AZURE_TENANT_ID", "")
    check_tenant(tenant)
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
        accepted = CERTIFICATE_ACCEPTED
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
    else:
        adfs_tenant(tenant)  # refuses any other


def adfs_tenant(tenant: str) -> str:
    """The tenant to use with an ADFS authority (Azure Stack Hub), given ``AZURE_TENANT_ID``'s
    value (stripped): ``adfs`` when it is blank, the value itself when it is ``adfs``.

    Raises:
        ConfigurationError: It names another tenant: ADFS has the one tenant ``adfs``.
    """
    if not tenant:
        return "adfs"
    if tenant.lower() != "adfs":
        raise ConfigurationError(
            f"AZURE_TENANT_ID={quote_value(tenant)} cannot be used with an ADFS authority (Azure Stack Hub): "
            "ADFS has one tenant, 'adfs'. Accepted: adfs, or leave AZURE_TENANT_ID unset.",
            variables=("AZURE_TENANT_ID",),
        )
    return tenant


def check_tenant(tenant: str) -> None:
    """Refuse an ``AZURE_TENANT_ID`` azure-identity would refuse obscurely (its own rule).

    Raises:
        ConfigurationError: ``tenant`` has a character a tenant never has, naming the variable.
    """
    if tenant and any(char not in _TENANT_CHARACTERS for char in tenant):
        raise ConfigurationError(
            f"AZURE_TENANT_ID={quote_value(tenant)} is not usable: a tenant is a GUID or a domain name. "
            "Accepted: letters, digits, '-' and '.', such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or "
            "contoso.onmicrosoft.com.",
            variables=("AZURE_TENANT_ID",),
        )


# The keyword arguments DefaultAzureCredential takes for itself (azure-identity 1.27
# azure/identity/_credentials/default.py and aio/_credentials/default.py pop them, "exclude_*"
# through its credential_config); every other one goes to its members, workload identity's too.
_OWN_KEYWORDS_OF_BOTH = frozenset(
    {
        "authority",
        "visual_studio_code_tenant_id",
        "managed_identity_client_id",
        "workload_identity_client_id",
        "workload_identity_tenant_id",
        "shared_cache_username",
        "shared_cache_tenant_id",
        "process_timeout",
        "require_envvar",
        "exclude_environment_credential",
        "exclude_workload_identity_credential",
        "exclude_managed_identity_credential",
        "exclude_shared_token_cache_credential",
        "exclude_visual_studio_code_credential",
        "exclude_cli_credential",
        "exclude_developer_cli_credential",
        "exclude_powershell_credential",
    }
)
OWN_KEYWORDS = {
    "azure.identity": _OWN_KEYWORDS_OF_BOTH
    | {
        "interactive_browser_tenant_id",
        "interactive_browser_client_id",
        "broker_tenant_id",
        "broker_client_id",
        "exclude_interactive_browser_credential",
        "exclude_broker_credential",
    },
    "azure.identity.aio": _OWN_KEYWORDS_OF_BOTH,
}


def _route_workload_identity(
    identity: ModuleType, credential: Any, options: dict[str, Any], environment: Mapping[str, str]
) -> None:
    """Rebuild the chain's workload identity credentials with the resolved authority.

    They are built from the arguments ``DefaultAzureCredential`` builds them from (azure-identity
    1.27 ``_credentials/default.py``; ``environment`` is the mapping it read), plus ``authority``,
    which it never passes them. ``enable_azure_proxy`` is left out, as ``DefaultAzureCredential``
    leaves it out (it builds them inside its private ``within_dac`` context). Managed identity
    wraps one too when the AKS webhook's variables are set and workload identity is not
    separately in the chain. A rebuild that azure-identity refuses (``ValueError``) leaves a member
    that raises ``CredentialUnavailableError`` with azure-identity's message, as
    ``DefaultAzureCredential`` does for the one it could not build.
    """
    workload_identity = identity.WorkloadIdentityCredential
    own = OWN_KEYWORDS[identity.__name__]
    passed = {
        name: value for name, value in options.items() if name not in own and name != "enable_azure_proxy"
    }
    managed_identity_client_id = options.get("managed_identity_client_id", environment.get("AZURE_CLIENT_ID"))

    def routed(**arguments: Any) -> Any:
        try:
            return workload_identity(**arguments, authority=options["authority"], **passed)
        except ValueError as exc:
            return _failed_member(identity, "WorkloadIdentityCredential", str(exc))

    chain = list(credential.credentials)
    for index, member in enumerate(chain):
        if isinstance(member, workload_identity):
            chain[index] = routed(
                client_id=options.get("workload_identity_client_id", managed_identity_client_id),
                tenant_id=options.get("workload_identity_tenant_id", environment.get("AZURE_TENANT_ID")),
                token_file_path=environment.get("AZURE_FEDERATED_TOKEN_FILE"),
            )
        elif isinstance(member, identity.ManagedIdentityCredential) and isinstance(
            getattr(member, "_credential", None), workload_identity
        ):
            # azure-identity's managed_identity.py: the environment's tenant and token file, the
            # managed identity's client ID (else AZURE_CLIENT_ID); identity_config is its own.
            passed.pop("identity_config", None)
            member._credential = routed(  # azure-identity keeps no public hook for this
                client_id=managed_identity_client_id or environment.get("AZURE_CLIENT_ID"),
                tenant_id=environment.get("AZURE_TENANT_ID"),
                token_file_path=environment.get("AZURE_FEDERATED_TOKEN_FILE"),
            )
    credential.credentials = tuple(chain)


def _failed_member(identity: ModuleType, name: str, message: str) -> Any:
    """The member ``DefaultAzureCredential`` keeps for one it could not build: raises
    ``CredentialUnavailableError(message)`` when asked for a token."""
    from importlib import import_module

    module = import_module(identity.DefaultAzureCredential.__module__)
    failed = getattr(
        module, "AsyncFailedDACCredential" if identity.__name__.endswith(".aio") else "FailedDACCredential"
    )
    return failed(name, error=message)
