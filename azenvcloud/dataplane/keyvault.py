"""Key Vault: secrets, keys and certificates (azure-keyvault-secrets, -keys, -certificates).

The vault's URL is ``https://{vault}.{Key Vault suffix}``. There is no audience to set: the first
request goes out without a token and the vault's challenge names the resource and tenant. An
Azure Stack Hub stamp with ADFS names ``https://vault.adfs.<fqdn>/<guid>``, which fails the SDK's
check that the vault's host ends with the resource's (Azure/azure-sdk-for-python#28081,
Azure/azure-cli#30352), so under ADFS that check is off (``verify_challenge_resource=False``).
"""

from __future__ import annotations

from types import MappingProxyType

from ._recipe import Recipe

__all__ = ["RECIPES"]

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
