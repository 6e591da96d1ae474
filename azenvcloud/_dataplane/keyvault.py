"""Key Vault: secrets, keys and certificates (azure-keyvault-secrets, -keys, -certificates).

The vault's URL is ``https://{vault}.{Key Vault suffix}``. There is no audience to set: the first
request goes out without a token and the vault's challenge names the resource and tenant. An
Azure Stack Hub stamp with ADFS names ``https://vault.adfs.<fqdn>/<guid>``, which fails the SDK's
check that the vault's host ends with the resource's (Azure/azure-sdk-for-python#28081,
Azure/azure-cli#30352), so under ADFS that check is off (``verify_challenge_resource=False``).

The fake cloud answers a vault's secrets as Key Vault does where the SDK and a settings source
look: names compared without case (the name reported is the one the secret was set with), a
missing one ``404 SecretNotFound``, a disabled one ``403 SecretDisabled`` to a get and listed
with ``enabled: false``, an identity without the permission ``403 AccessDenied``. A vault whose
secrets no test set answers every name with ``fake-value-of-<name>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from .._secret_names import is_secret_name
from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES", "keep_vault"]

_VAULT = Recipe(
    service="keyvault",
    url_argument="vault_url",
    name_argument="vault",
    adfs_arguments=MappingProxyType({"verify_challenge_resource": False}),
)

RECIPES = {
    "azure.keyvault.secrets.SecretClient": _VAULT,
    "azure.keyvault.keys.KeyClient": _VAULT,
    "azure.keyvault.certificates.CertificateClient": _VAULT,
}

_PERMISSIONS = frozenset({"get", "list"})
_KEPT = "keyvault:"  # the fake's data-plane store: one entry per vault, its secrets as JSON
_PAGE = 25  # Key Vault's default page of a list (maxresults)
_ATTRIBUTES = {"created": 1767225600, "updated": 1767225600, "recoveryLevel": "Recoverable+Purgeable"}


def keep_vault(
    kept: MutableMapping[str, bytes],
    vault: str,
    secrets: Mapping[str, str],
    *,
    disabled: Iterable[str] = (),
    permissions: Iterable[str] = ("get", "list"),
) -> None:
    """Give the fake's vault ``vault`` exactly ``secrets`` (``FakeCloud.set_secrets``).

    ``vault`` is a vault's name (``kv1``: that vault under any cloud's suffix) or host
    (``kv1.vault.usgovcloudapi.net``: that host only); ``disabled`` names secrets of ``secrets``
    that are disabled; ``permissions`` is what every identity may do there (``get``, ``list``).

    Raises:
        ValueError: A name Key Vault would refuse, a disabled name not among ``secrets``, or an
            unknown permission.
    """
    bad = sorted(name for name in secrets if not is_secret_name(name))
    if bad:
        raise ValueError(
            f"Key Vault refuses the secret names {bad}: a name is 1 to 127 letters, digits and dashes "
            "(a settings field db_password is the secret db-password with dash_to_underscore=True)"
        )
    off = {name.lower() for name in disabled}
    unknown = sorted(off - {name.lower() for name in secrets})
    if unknown:
        raise ValueError(f"disabled names {unknown} are not among the secrets set")
    allowed = set(permissions)
    if not allowed <= _PERMISSIONS:
        raise ValueError(
            f"unknown permissions {sorted(allowed - _PERMISSIONS)}; known: {sorted(_PERMISSIONS)}"
        )
    state = {
        "secrets": {
            name: {"value": value, "enabled": name.lower() not in off} for name, value in secrets.items()
        },
        "permissions": sorted(allowed),
    }
    kept[_KEPT + vault.lower().rstrip(".")] = json.dumps(state).encode()


def _vault_of(kept: MutableMapping[str, bytes], host: str) -> tuple[str, dict[str, Any]] | None:
    """The vault set for ``host`` (by its host, else by its name), or ``None``."""
    for key in (_KEPT + host, _KEPT + host.split(".", 1)[0]):
        raw = kept.get(key)
        if raw is not None:
            return key, json.loads(raw)
    return None


def _error(status: int, code: str, message: str, inner: str | None = None) -> Answer:
    error: dict[str, Any] = {"code": code, "message": message}
    if inner is not None:
        error["innererror"] = {"code": inner}
    return status, {"error": error}, {}


def _denied(request: FakeRequest, operation: str) -> Answer:
    vault = request.host.split(".", 1)[0]
    return _error(
        403,
        "Forbidden",
        f"The user, group or application 'appid={request.client_id};tid={request.tenant_id}' "
        f"does not have secrets {operation} permission on key vault '{vault};location=fakeregion'.",
        "AccessDenied",
    )


def _version(name: str) -> str:
    return hashlib.sha256(name.lower().encode()).hexdigest()[:32]


def _list(request: FakeRequest, state: dict[str, Any] | None) -> Answer:
    if state is not None and "list" not in state["permissions"]:
        return _denied(request, "list")
    secrets = sorted((state or {"secrets": {}})["secrets"].items(), key=lambda item: item[0].lower())
    size = int(request.query.get("maxresults") or _PAGE)
    start = int(request.query.get("$skiptoken") or 0)
    page = secrets[start : start + size]
    items = [
        {
            "id": f"https://{request.host}/secrets/{name}",
            "attributes": {"enabled": entry["enabled"], **_ATTRIBUTES},
        }
        for name, entry in page
    ]
    following = start + size
    next_link = None
    if following < len(secrets):
        version = quote(request.query.get("api-version", ""))
        next_link = (
            f"https://{request.host}/secrets?api-version={version}&$skiptoken={following}&maxresults={size}"
        )
    return 200, {"value": items, "nextLink": next_link}, {}


def _bundle(request: FakeRequest, name: str, value: str) -> Answer:
    return (
        200,
        {
            "value": value,
            "id": f"https://{request.host}/secrets/{name}/{_version(name)}",
            "attributes": {"enabled": True, **_ATTRIBUTES},
            "tags": {},
        },
        {},
    )


def _get(request: FakeRequest, asked: str, state: dict[str, Any]) -> Answer:
    if "get" not in state["permissions"]:
        return _denied(request, "get")
    if not is_secret_name(asked):
        return _error(400, "BadParameter", f"The request URI contains an invalid name: {asked}")
    found = next((name for name in state["secrets"] if name.lower() == asked.lower()), None)
    if found is None:
        return _error(
            404, "SecretNotFound", f"A secret with (name/id) {asked} was not found in this key vault."
        )
    entry = state["secrets"][found]
    if not entry["enabled"]:
        return _error(
            403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"
        )
    return _bundle(request, found, entry["value"])


def _put(request: FakeRequest, asked: str, vault: tuple[str, dict[str, Any]] | None) -> Answer:
    value = str(json.loads(request.body or b"{}").get("value", ""))
    new: dict[str, Any] = {"secrets": {}, "permissions": ["get", "list"]}
    key, state = vault if vault is not None else (_KEPT + request.host, new)
    found = next((name for name in state["secrets"] if name.lower() == asked.lower()), asked)
    state["secrets"][found] = {"value": value, "enabled": True}
    request.kept[key] = json.dumps(state).encode()
    return _bundle(request, found, value)


def _secrets(request: FakeRequest) -> Answer:
    """A vault's secrets: a challenge naming the resource (the vault's suffix) and tenant to a
    request without the right token; then the list, a secret, or setting one."""
    resource = f"https://{request.host.split('.', 1)[1]}"
    if request.scope != f"{resource}/.default":
        challenge = f'Bearer authorization="https://login.invalid/{request.tenant_id}", resource="{resource}"'
        return unauthorized(f"a token for {resource}", {"WWW-Authenticate": challenge})
    vault = _vault_of(request.kept, request.host)
    if request.path.rstrip("/") == "/secrets":
        return _list(request, None if vault is None else vault[1])
    name = request.path.split("/")[2]
    if request.method == "PUT":
        return _put(request, name, vault)
    if vault is None:
        return _bundle(request, name, f"fake-value-of-{name}")
    return _get(request, name, vault[1])


FAKE_ROUTES = (
    FakeRoute(
        service="keyvault",
        matches=lambda host, path: (
            host.split(".")[1:2] == ["vault"]
            and host.count(".") > 1
            and (path.rstrip("/") == "/secrets" or path.startswith("/secrets/"))
        ),
        answer=_secrets,
    ),
)
