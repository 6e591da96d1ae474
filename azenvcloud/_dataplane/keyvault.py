"""Key Vault: secrets, keys and certificates (azure-keyvault-secrets, -keys, -certificates).

The vault's URL is ``https://{vault}.{Key Vault suffix}``. There is no audience to set: the first
request goes out without a token and the vault's challenge names the resource and tenant. An
Azure Stack Hub stamp with ADFS names ``https://vault.adfs.<fqdn>/<guid>``, which fails the SDK's
check that the vault's host ends with the resource's (Azure/azure-sdk-for-python#28081,
Azure/azure-cli#30352), so under ADFS that check is off (``verify_challenge_resource=False``).
"""

from __future__ import annotations

from types import MappingProxyType

from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES"]

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


def _secrets(request: FakeRequest) -> Answer:
    """A vault's secrets: a challenge naming the resource (the vault's suffix) and tenant to a
    request without the right token, the secret to one with it."""
    resource = f"https://{request.host.split('.', 1)[1]}"
    if request.scope != f"{resource}/.default":
        challenge = f'Bearer authorization="https://login.invalid/{request.tenant_id}", resource="{resource}"'
        return unauthorized(f"a token for {resource}", {"WWW-Authenticate": challenge})
    name = request.path.split("/")[2]
    value = "set" if request.method == "PUT" else f"fake-value-of-{name}"
    return 200, {"id": f"https://{request.host}/secrets/{name}/1", "value": value}, {}


FAKE_ROUTES = (
    FakeRoute(
        service="keyvault",
        matches=lambda host, path: (
            host.split(".")[1:2] == ["vault"] and host.count(".") > 1 and path.startswith("/secrets/")
        ),
        answer=_secrets,
    ),
)
