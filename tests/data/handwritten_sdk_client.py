"""A program as people write it by hand for a sovereign cloud: azure-identity and azure-mgmt,
each cloud's hosts and scope typed in, and no azenvcloud anywhere. ``python this.py CLOUD``.

It lists resource groups with a ``ClientSecretCredential`` whose authority is typed in, and reads
a Key Vault secret with ``DefaultAzureCredential`` (which reads ``AZURE_AUTHORITY_HOST``).
"""

import os
import sys

from azure.identity import AzureAuthorityHosts, ClientSecretCredential, DefaultAzureCredential
from azure.keyvault.secrets import SecretClient
from azure.mgmt.resource.resources import ResourceManagementClient

# cloud: (authority, Resource Manager, its scope, a vault)
CLOUDS = {
    "china": (
        AzureAuthorityHosts.AZURE_CHINA,
        "https://management.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
        "https://kv1.vault.azure.cn",
    ),
    "usgovernment": (
        AzureAuthorityHosts.AZURE_GOVERNMENT,
        "https://management.usgovcloudapi.net",
        "https://management.core.usgovcloudapi.net/.default",
        "https://kv1.vault.usgovcloudapi.net",
    ),
    "public": (
        AzureAuthorityHosts.AZURE_PUBLIC_CLOUD,
        "https://management.azure.com",
        "https://management.azure.com/.default",
        "https://kv1.vault.azure.net",
    ),
}

authority, resource_manager, scope, vault = CLOUDS[sys.argv[1]]
credential = ClientSecretCredential(
    os.environ["AZURE_TENANT_ID"],
    os.environ["AZURE_CLIENT_ID"],
    os.environ["AZURE_CLIENT_SECRET"],
    authority=authority,
)
client = ResourceManagementClient(
    credential, os.environ["AZURE_SUBSCRIPTION_ID"], base_url=resource_manager, credential_scopes=[scope]
)
print(" ".join(group.name for group in client.resource_groups.list()))
print(SecretClient(vault, DefaultAzureCredential()).get_secret("db-password").value)
assert not [name for name in sys.modules if name.startswith("azenvcloud")], "azenvcloud was imported"
