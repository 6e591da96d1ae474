"""The built-in clouds as data: Azure CLI 2.91's definitions, name dialects and known hosts.

Endpoint and suffix values are copied from azure-cli-core 2.91 ``azure/cli/core/cloud.py``
(``HARD_CODED_CLOUD_LIST``) under the same field names. Resource Manager scopes for the public,
China and US Government clouds are azure-mgmt-core's ``get_arm_endpoints()`` values; a test keeps
them equal. Nothing here imports anything: ``_clouds.py`` turns it into ``Cloud`` objects.

Clouds the Azure CLI does not know come from Microsoft-published tools and libraries, each value
with its source (repository, path, commit) and nothing else: a value no source gives is absent.

- [ARM1] projectkudu/ARMClient ``ARMClient.Authentication/ARMConfiguration.cs`` at commit
  1991b5b7940337f9738037bbcb688adcffc2bfa9 (``Delos.*``). Not the older version at commit
  0e29fd5f478cda8af29ec10ab078af8f6834e4e9, whose ``Delos.AADGraphUrl`` is Bleu's
  ``https://graph.svc.sovcloud.fr``.
- [SQL1] dotnet/SqlClient ``src/Microsoft.Data.SqlClient/tests/ManualTests/AlwaysEncrypted/
  TrustedUrlsTest.cs`` at commit c82185048142415250f1fc1880ad8b97539dc383: the trusted Key Vault
  and Managed HSM domains of ``add-ons/AzureKeyVaultProvider/Constants.cs`` ("Germany (Delos)",
  dotnet/SqlClient PR #3482).
- [MSAL] AzureAD/microsoft-authentication-library-for-python ``msal/authority.py`` as released in
  msal 1.39.0 (``AZURE_GOV_FR``, ``AZURE_GOV_DE``, ``AZURE_GOV_SG``): the sovereign login hosts.
"""

from __future__ import annotations

PUBLIC = "AzureCloud"
CHINA = "AzureChinaCloud"
US_GOVERNMENT = "AzureUSGovernment"
BLEU = "AzureBleuCloud"
DELOS = "AzureDelosCloud"
GOVSG = "GovSGCloud"
GERMAN = "AzureGermanCloud"
CUSTOM = "Custom"

ENDPOINTS: dict[str, dict[str, str]] = {
    PUBLIC: {
        "management": "https://management.core.windows.net/",
        "resource_manager": "https://management.azure.com/",
        "sql_management": "https://management.core.windows.net:8443/",
        "batch_resource_id": "https://batch.core.windows.net/",
        "gallery": "https://gallery.azure.com/",
        "active_directory": "https://login.microsoftonline.com",
        "active_directory_resource_id": "https://management.core.windows.net/",
        "active_directory_graph_resource_id": "https://graph.windows.net/",
        "microsoft_graph_resource_id": "https://graph.microsoft.com/",
        "active_directory_data_lake_resource_id": "https://datalake.azure.net/",
        "vm_image_alias_doc": "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
        "media_resource_id": "https://rest.media.azure.net",
        "ossrdbms_resource_id": "https://ossrdbms-aad.database.windows.net",
        "app_insights_resource_id": "https://api.applicationinsights.io",
        "log_analytics_resource_id": "https://api.loganalytics.io",
        "app_insights_telemetry_channel_resource_id": "https://dc.applicationinsights.azure.com/v2/track",
        "synapse_analytics_resource_id": "https://dev.azuresynapse.net",
        "attestation_resource_id": "https://attest.azure.net",
        "app_service_resource_id": "https://appservice.azure.com",
        "portal": "https://portal.azure.com",
    },
    CHINA: {
        "management": "https://management.core.chinacloudapi.cn/",
        "resource_manager": "https://management.chinacloudapi.cn",
        "sql_management": "https://management.core.chinacloudapi.cn:8443/",
        "batch_resource_id": "https://batch.chinacloudapi.cn/",
        "gallery": "https://gallery.chinacloudapi.cn/",
        "active_directory": "https://login.chinacloudapi.cn",
        "active_directory_resource_id": "https://management.core.chinacloudapi.cn/",
        "active_directory_graph_resource_id": "https://graph.chinacloudapi.cn/",
        "microsoft_graph_resource_id": "https://microsoftgraph.chinacloudapi.cn",
        "vm_image_alias_doc": "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
        "media_resource_id": "https://rest.media.chinacloudapi.cn",
        "ossrdbms_resource_id": "https://ossrdbms-aad.database.chinacloudapi.cn",
        "app_insights_resource_id": "https://api.applicationinsights.azure.cn",
        "log_analytics_resource_id": "https://api.loganalytics.azure.cn",
        "app_insights_telemetry_channel_resource_id": "https://dc.applicationinsights.azure.cn/v2/track",
        "synapse_analytics_resource_id": "https://dev.azuresynapse.azure.cn",
        # The CLI uses the management audience until App Service has its own in this cloud.
        "app_service_resource_id": "https://management.core.chinacloudapi.cn/",
        "portal": "https://portal.azure.cn",
    },
    US_GOVERNMENT: {
        "management": "https://management.core.usgovcloudapi.net/",
        "resource_manager": "https://management.usgovcloudapi.net/",
        "sql_management": "https://management.core.usgovcloudapi.net:8443/",
        "batch_resource_id": "https://batch.core.usgovcloudapi.net/",
        "gallery": "https://gallery.usgovcloudapi.net/",
        "active_directory": "https://login.microsoftonline.us",
        "active_directory_resource_id": "https://management.core.usgovcloudapi.net/",
        "active_directory_graph_resource_id": "https://graph.microsoftazure.us/",
        "microsoft_graph_resource_id": "https://graph.microsoft.us/",
        "vm_image_alias_doc": "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
        "media_resource_id": "https://rest.media.usgovcloudapi.net",
        "ossrdbms_resource_id": "https://ossrdbms-aad.database.usgovcloudapi.net",
        "app_insights_resource_id": "https://api.applicationinsights.us",
        "log_analytics_resource_id": "https://api.loganalytics.us",
        "app_insights_telemetry_channel_resource_id": "https://dc.applicationinsights.us/v2/track",
        "synapse_analytics_resource_id": "https://dev.azuresynapse.usgovcloudapi.net",
        "app_service_resource_id": "https://management.core.usgovcloudapi.net/",
        "portal": "https://portal.azure.us",
    },
    BLEU: {
        "management": "https://management.sovcloud-api.fr/",
        "resource_manager": "https://management.sovcloud-api.fr",
        "sql_management": "https://management.database.sovcloud-api.fr:8443/",
        "batch_resource_id": "https://batch.sovcloud-api.fr/",
        "gallery": "https://gallery.sovcloud-api.fr/",
        "active_directory": "https://login.sovcloud-identity.fr",
        "active_directory_resource_id": "https://management.sovcloud-api.fr/",
        "active_directory_graph_resource_id": "https://graph.svc.sovcloud.fr/",
        "microsoft_graph_resource_id": "https://graph.svc.sovcloud.fr",
        "vm_image_alias_doc": "https://azcliprod.blob.core.windows.net/cli/vm/aliases_master.json",
        "media_resource_id": "https://rest.media.sovcloud-api.fr",
        "ossrdbms_resource_id": "https://ossrdbms-aad.database.sovcloud-api.fr",
        "portal": "https://portal.sovcloud-azure.fr",
    },
    # Germany's sovereign cloud, operated by Delos Cloud; every value [ARM1] unless noted. ARMClient's
    # Resource Manager audience is ``management.core.`` (for Bleu it differs from the CLI's).
    DELOS: {
        "management": "https://management.core.sovcloud-api.de/",  # ARMResource
        "resource_manager": "https://management.sovcloud-api.de",  # ARMUrl
        "active_directory": "https://login.sovcloud-identity.de",  # AADLoginUrl; [MSAL] AZURE_GOV_DE
        "active_directory_resource_id": "https://management.core.sovcloud-api.de/",  # ARMResource
        "microsoft_graph_resource_id": "https://graph.svc.sovcloud.de",  # AADMSGraphUrl
    },
}

SUFFIXES: dict[str, dict[str, str]] = {
    PUBLIC: {
        "storage_endpoint": "core.windows.net",
        "storage_sync_endpoint": "afs.azure.net",
        "keyvault_dns": ".vault.azure.net",
        "mhsm_dns": ".managedhsm.azure.net",
        "sql_server_hostname": ".database.windows.net",
        "mysql_server_endpoint": ".mysql.database.azure.com",
        "postgresql_server_endpoint": ".postgres.database.azure.com",
        "mariadb_server_endpoint": ".mariadb.database.azure.com",
        "azure_datalake_store_file_system_endpoint": "azuredatalakestore.net",
        "azure_datalake_analytics_catalog_and_job_endpoint": "azuredatalakeanalytics.net",
        "acr_login_server_endpoint": ".azurecr.io",
        "synapse_analytics_endpoint": ".dev.azuresynapse.net",
        "attestation_endpoint": ".attest.azure.net",
    },
    CHINA: {
        "storage_endpoint": "core.chinacloudapi.cn",
        "keyvault_dns": ".vault.azure.cn",
        "mhsm_dns": ".managedhsm.azure.cn",
        "sql_server_hostname": ".database.chinacloudapi.cn",
        "mysql_server_endpoint": ".mysql.database.chinacloudapi.cn",
        "postgresql_server_endpoint": ".postgres.database.chinacloudapi.cn",
        "mariadb_server_endpoint": ".mariadb.database.chinacloudapi.cn",
        "acr_login_server_endpoint": ".azurecr.cn",
        "synapse_analytics_endpoint": ".dev.azuresynapse.azure.cn",
    },
    US_GOVERNMENT: {
        "storage_endpoint": "core.usgovcloudapi.net",
        "storage_sync_endpoint": "afs.azure.us",
        "keyvault_dns": ".vault.usgovcloudapi.net",
        "mhsm_dns": ".managedhsm.usgovcloudapi.net",
        "sql_server_hostname": ".database.usgovcloudapi.net",
        "mysql_server_endpoint": ".mysql.database.usgovcloudapi.net",
        "postgresql_server_endpoint": ".postgres.database.usgovcloudapi.net",
        "mariadb_server_endpoint": ".mariadb.database.usgovcloudapi.net",
        "acr_login_server_endpoint": ".azurecr.us",
        "synapse_analytics_endpoint": ".dev.azuresynapse.usgovcloudapi.net",
    },
    BLEU: {
        "acr_login_server_endpoint": ".azurecr.sovcloud-azure.fr",
        # Sic: the CLI defines this one without the leading dot its siblings have.
        "attestation_endpoint": "attest.sovcloud-api.fr",
        "storage_endpoint": "core.sovcloud-api.fr",
        "storage_sync_endpoint": "afs.sovcloud-api.fr",
        "keyvault_dns": ".vault.sovcloud-api.fr",
        "mhsm_dns": ".managedhsm.sovcloud-api.fr",
        "sql_server_hostname": ".database.sovcloud-api.fr",
        "mysql_server_endpoint": ".mysql.database.sovcloud-api.fr",
        "postgresql_server_endpoint": ".postgres.database.sovcloud-api.fr",
        "mariadb_server_endpoint": ".mariadb.database.sovcloud-api.fr",
        "synapse_analytics_endpoint": ".dev.azuresynapse.sovcloud-api.fr",
    },
    DELOS: {
        "keyvault_dns": ".vault.sovcloud-api.de",  # [SQL1]; [ARM1] KeyVaultResource https://vault.sovcloud-api.de
        "mhsm_dns": ".managedhsm.sovcloud-api.de",  # [SQL1]
    },
}

# azure-mgmt-core's own defaults (get_arm_endpoints); other clouds derive audience + /.default.
RESOURCE_MANAGER_SCOPES: dict[str, str] = {
    PUBLIC: "https://management.azure.com/.default",
    CHINA: "https://management.chinacloudapi.cn/.default",
    US_GOVERNMENT: "https://management.core.usgovcloudapi.net/.default",
}

# azure.core.AzureClouds member passed as cloud_setting, so that AZURE_SDK_CLOUD_CONF can
# neither break nor redirect a client. Clouds azure-core does not know get the public value;
# base_url and credential_scopes are always passed explicitly, so it only keeps the env out.
SDK_CLOUD_SETTINGS: dict[str, str] = {
    PUBLIC: "AZURE_PUBLIC_CLOUD",
    CHINA: "AZURE_CHINA_CLOUD",
    US_GOVERNMENT: "AZURE_US_GOVERNMENT",
}

# Every spelling people already use, per dialect. Lookup ignores case and the separators
# '-', '_', '.', and ' ', so 'AZURE_CHINA_CLOUD', 'azure-china-cloud' and 'AzureChinaCloud' match.
NAMES: dict[str, tuple[str, ...]] = {
    PUBLIC: (
        "AzureCloud",  # Azure CLI, ARM metadata
        "AZURE_PUBLIC_CLOUD",  # azure-core AzureClouds, azure-identity AzureAuthorityHosts
        "AzurePublicCloud",  # .NET, go-autorest
        "public",  # Terraform, Pulumi
        "global",  # go-azure-sdk
        "azure",
    ),
    CHINA: ("AzureChinaCloud", "AZURE_CHINA_CLOUD", "AZURE_CHINA", "AzureChina", "china", "mooncake"),
    US_GOVERNMENT: (
        "AzureUSGovernment",
        "AZURE_US_GOVERNMENT",
        "AZURE_GOVERNMENT",
        "AzureUSGovernmentCloud",
        "AzureGovernment",
        "usgovernment",
        "usgovernmentl4",
        "usgov",
        "government",
        "fairfax",
    ),
    BLEU: ("AzureBleuCloud", "AZURE_BLEU_CLOUD", "AzureBleu", "bleu", "BleuCloud", "AZURE_GOV_FR"),
    # Microsoft Graph PowerShell (DelosCloud), ARMClient (Delos), MSAL (AZURE_GOV_DE).
    DELOS: ("AzureDelosCloud", "AZURE_GOV_DE", "DelosCloud", "delos", "AzureDelos"),
    # Microsoft Graph PowerShell (GovSGCloud), MSAL (AZURE_GOV_SG).
    GOVSG: ("GovSGCloud", "AZURE_GOV_SG", "govsg", "AzureGovSGCloud"),
    CUSTOM: ("Custom",),
}

# Names that select a built-in cloud with some data-plane services of their own. US Government L5
# (DoD) is Azure Government with Microsoft Graph at the DoD root: learn.microsoft.com
# "Microsoft Graph national cloud deployments" (graph/deployments); hashicorp/go-azure-sdk
# sdk/environments/azure_gov.go AzureUSGovernmentL5() and the names in its from_name.go.
VARIANTS: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "usgovernmentl5": (
        US_GOVERNMENT,
        {
            "graph": {
                "endpoint": "https://dod-graph.microsoft.us",
                "audience": "https://dod-graph.microsoft.us",
            }
        },
    ),
    "dod": (
        US_GOVERNMENT,
        {
            "graph": {
                "endpoint": "https://dod-graph.microsoft.us",
                "audience": "https://dod-graph.microsoft.us",
            }
        },
    ),
}

RETIRED_NAMES: dict[str, tuple[str, ...]] = {
    GERMAN: ("AzureGermanCloud", "AZURE_GERMAN_CLOUD", "AZURE_GERMANY", "AzureGermany", "german", "germany"),
}
RETIRED_REASONS: dict[str, str] = {
    GERMAN: "Microsoft Cloud Deutschland (AzureGermanCloud) closed on 2021-10-29; "
    "its workloads moved to the public cloud's Germany regions (AZURE_CLOUD=AzureCloud); "
    "Germany's sovereign cloud operated by Delos Cloud is AZURE_CLOUD=delos",
}

# Clouds azenvcloud recognises (by name and authority host) but has no sourced Resource Manager
# for: no public Microsoft source names GovSG's. Such a cloud is described by its Resource Manager
# or metadata, like a private cloud, and keeps its sourced values where the metadata agrees.
WITHOUT_RESOURCE_MANAGER: dict[str, str] = {
    GOVSG: "GovSG, Singapore's government cloud",
}

# Hosts that identify a cloud. Authority hosts include MSAL's well-known aliases.
AUTHORITY_HOSTS: dict[str, str] = {
    "login.microsoftonline.com": PUBLIC,
    "login.microsoft.com": PUBLIC,
    "login.windows.net": PUBLIC,
    "sts.windows.net": PUBLIC,
    "login.chinacloudapi.cn": CHINA,
    "login.partner.microsoftonline.cn": CHINA,
    "login.microsoftonline.us": US_GOVERNMENT,
    "login.usgovcloudapi.net": US_GOVERNMENT,
    "login-us.microsoftonline.com": US_GOVERNMENT,
    "login.sovcloud-identity.fr": BLEU,
    "login.sovcloud-identity.de": DELOS,  # [ARM1] [MSAL]
    "login.sovcloud-identity.sg": GOVSG,  # [MSAL]
    "login.microsoftonline.de": GERMAN,
}
# Resource Manager hosts and the hosts of its token audiences (both are management hosts).
MANAGEMENT_HOSTS: dict[str, str] = {
    "management.azure.com": PUBLIC,
    "management.core.windows.net": PUBLIC,
    "management.chinacloudapi.cn": CHINA,
    "management.core.chinacloudapi.cn": CHINA,
    "management.usgovcloudapi.net": US_GOVERNMENT,
    "management.core.usgovcloudapi.net": US_GOVERNMENT,
    "management.sovcloud-api.fr": BLEU,
    "management.core.sovcloud-api.fr": BLEU,  # [ARM1] Bleu.ARMResource (the CLI's audience differs)
    "management.sovcloud-api.de": DELOS,  # [ARM1]
    "management.core.sovcloud-api.de": DELOS,  # [ARM1]
    "management.microsoftazure.de": GERMAN,
    "management.core.cloudapi.de": GERMAN,
}

# MSAL's WELL_KNOWN_AUTHORITY_HOSTS (msal/authority.py, 1.39): for these MSAL skips instance
# discovery. For any other authority host azenvcloud disables it, so that nothing ever asks
# login.microsoftonline.com about a private or local authority.
MSAL_WELL_KNOWN_AUTHORITY_HOSTS: frozenset[str] = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
        "login.microsoftonline.de",
        "login-us.microsoftonline.com",
        "login.microsoftonline.us",
        "login.usgovcloudapi.net",
        "login.sovcloud-identity.fr",
        "login.sovcloud-identity.de",
        "login.sovcloud-identity.sg",
    }
)
