"""Data-plane services of the built-in clouds beyond the Azure CLI's table, as data.

The Azure CLI's table (``_builtin_clouds.py``) already gives, for every cloud it knows: the Key
Vault, Managed HSM, Storage and Container Registry DNS suffixes and the Log Analytics and
Microsoft Graph endpoints; ``_services.py`` derives those services from it (and from a private
cloud's metadata alike). This file holds the rest: values that no CLI field carries, each with
the source that supports it. A value no source supports is absent, never guessed, and never the
public cloud's: Delos has none here (no source publishes them), Bleu only Application Insights'
ingestion suffix, and China has no Search suffix.

Sources (each named by repository, path and, where pinned, commit):

- [GO1] hashicorp/go-azure-sdk ``sdk/environments/azure_public.go``, ``azure_china.go``, ``azure_gov.go``
- [GO2] hashicorp/go-azure-sdk ``sdk/environments/helpers.go``: Storage's resource ID is
  ``https://storage.azure.com`` in every cloud; Azure/azure-sdk-for-go PR #25534 (``storage.azure.cn``
  and ``storage.azure.us`` are refused by Entra ID)
- [GO4] Azure/azure-sdk-for-go ``cloud_config.go`` of azquery, azingest, azappconfig, azcontainerregistry
- [GO5] Azure/azure-sdk-for-go ``sdk/data/aztables/cloud_config.go``
- [SB1] azure-servicebus 7.15 ``azure/servicebus/_common/constants.py``; [EH1] azure-eventhub 5.15
  ``azure/eventhub/_constants.py`` (the audiences those SDKs hard-code)
- [EG1] microsoft/mcp ``tools/Azure.Mcp.Tools.EventGrid/tests/Azure.Mcp.Tools.EventGrid.Tests/Services/
  EventGridServiceEndpointValidationTests.cs`` @ cc5b866aab1e7430022de7f40b8f66a7317465a4: a topic's
  endpoint per cloud, ``topic.westus2-1.eventgrid.azure.net`` (public), ``topic.chinanorth3-1.eventgrid.
  azure.cn`` (China), ``topic.usgovvirginia-1.eventgrid.azure.us`` (US Government)
- [EG2] Azure/azure-iot-ops-cli-extension ``azext_edge/edge/util/cloud_config.py`` @
  9753d381b8f3c9aef558a24f3c028d71868e426f: ``EVENTGRID_AUDIENCE_MAP``, the Event Grid token audience
  per cloud (``https://eventgrid.azure.net``, ``https://eventgrid.azure.us``, ``https://eventgrid.azure.cn``;
  its China entry kept "so that support is already in place", untested there by that tool); azure-eventgrid
  4.22 ``azure/eventgrid/_legacy/_constants.py`` hard-codes the public one (``DEFAULT_EVENTGRID_SCOPE``)
- [ACR1] azure-containerregistry 1.2 ``azure/containerregistry/_helpers.py``: ``DEFAULT_AUDIENCE``,
  "used for all clouds"
- [NET2] Azure/azure-sdk-for-net ``AppConfigurationAudience.cs``
- [SE1] azure-search-documents 12.0 README "Authenticate in a National Cloud"; azure-sdk-for-java
  ``SearchAudience``
- [MI1] azure-monitor-ingestion 1.1 README ("non-public Azure clouds")
- [MQ2] azure-monitor-querymetrics 1.0 README; azure-sdk-for-java ``MetricsAudience``
- [COS] Azure/azure-sdk-for-go#24243 and azure-sdk-for-java PR #45246 (Cosmos DB audiences per cloud)
- [COG] azure-sdk-for-js ``KnownFormRecognizerAudience``; Azure/azure-sdk-for-net PR #20970
- [AC2] Azure/azure-sdk-for-python ``sdk/appconfiguration/azure-appconfiguration/azure/appconfiguration/
  _credential_scope.py`` @ 206682ed3e6f26cd2cec0af267c9b9c869dc9dd8: ``azconfig.azure.us`` ("legacy") and
  ``appconfig.azure.us`` are both US Government stores, ``azconfig.azure.cn`` and ``appconfig.azure.cn``
  both China's, each mapped to ``https://appconfig.azure.us/`` (``.cn/``); and azure-appconfiguration
  1.10's ``azure/appconfiguration/_audience.py`` (as installed), which infers the audience from the host
  label ``appconfig`` or ``azconfig`` onward (so ``https://azconfig.azure.us/`` for the older form: azenvcloud
  passes the sourced ``appconfig`` audience explicitly, for both forms)
- [AI1] azure-monitor-opentelemetry-exporter 1.0.0b58 ``azure/monitor/opentelemetry/exporter/_constants.py``
  (as installed): ``_ALLOWED_REDIRECT_DOMAIN_SUFFIXES``, the Azure Monitor hosts the exporter trusts, by
  cloud: ``.applicationinsights.azure.com``, ``.services.visualstudio.com`` and
  ``.livediagnostics.monitor.azure.com`` (public), ``.applicationinsights.azure.us`` and ``.monitor.azure.us``
  (US Government), ``.applicationinsights.azure.cn`` and ``.monitor.azure.cn`` (China); the same list in
  Azure/azure-sdk-for-java ``sdk/monitor/azure-monitor-opentelemetry-autoconfigure/src/main/java/com/azure/
  monitor/opentelemetry/autoconfigure/implementation/utils/RedirectPolicyHelper.java`` @
  0b3325d3fa2315be015f7d1c467ec0fee63e4722. Its ``_DEFAULT_AAD_SCOPE = "https://monitor.azure.com//.default"``:
  the public cloud's Application Insights audience, ``https://monitor.azure.com/``
- [AI2] Azure/prometheus-collector ``otelcollector/shared/telemetry.go`` @
  02ded411b17ff1f0eeaaa278edee0cc1f089cce2: an Application Insights connection string per cloud,
  ``IngestionEndpoint=https://usgovvirginia-1.in.applicationinsights.azure.us/;AADAudience=https://monitor.azure.us/``
  (US Government), ``IngestionEndpoint=https://chinanorth3-0.in.applicationinsights.azure.cn/;AADAudience=
  https://monitor.azure.cn/`` (China), ``https://bleufrancecentral-0.in.applicationinsights.sovcloud-api.fr/``
  (Bleu, no audience given)
- [AI3] Azure CLI 2.91 ``appInsightsTelemetryChannelResourceId`` (``_builtin_clouds.py``):
  ``https://dc.applicationinsights.us/v2/track`` (US Government; Microsoft Learn's "Connection strings"
  lists ``applicationinsights.us`` as that cloud's ``EndpointSuffix``), ``https://dc.applicationinsights.azure.cn``
  (China), ``https://dc.applicationinsights.azure.com`` (public)
"""

from __future__ import annotations

from ._builtin_clouds import BLEU, CHINA, PUBLIC, US_GOVERNMENT

# Every service azenvcloud knows: the name its AZURE_SERVICE_<NAME>_* variables, service_url() and
# the recipes use, and its name in messages. A new service is a line here and its values below.
SERVICE_NAMES: dict[str, str] = {
    "keyvault": "Key Vault",
    "mhsm": "Key Vault Managed HSM",
    "blob": "Storage blobs",
    "queue": "Storage queues",
    "file": "Storage file shares",
    "dfs": "Storage Data Lake",
    "table": "Storage tables",
    "acr": "Container Registry",
    "cosmos": "Cosmos DB",
    "cosmos_table": "Cosmos DB for Table",
    "servicebus": "Service Bus",
    "eventhubs": "Event Hubs",
    "eventgrid": "Event Grid",
    "appconfig": "App Configuration",
    "search": "AI Search",
    "log_analytics": "Log Analytics (query)",
    "monitor_ingestion": "Azure Monitor logs ingestion",
    "monitor_metrics": "Azure Monitor metrics",
    "appinsights": "Application Insights (Azure Monitor telemetry)",
    "cognitive": "Azure AI services (Cognitive Services)",
    "graph": "Microsoft Graph",
}

# cloud -> service -> {"suffix" | "audience": value}. Suffixes without a leading dot.
SERVICES: dict[str, dict[str, dict[str, str]]] = {
    PUBLIC: {
        "storage": {"audience": "https://storage.azure.com"},  # [GO2]
        "acr": {"audience": "https://containerregistry.azure.net"},  # [ACR1]
        "cosmos": {"suffix": "documents.azure.com", "audience": "https://cosmos.azure.com"},  # [GO1] [COS]
        "cosmos_table": {"suffix": "table.cosmos.azure.com", "audience": "https://cosmos.azure.com"},  # [GO5]
        "servicebus": {
            "suffix": "servicebus.windows.net",
            "audience": "https://servicebus.azure.net",
        },  # [GO1] [SB1]
        "eventhubs": {
            "suffix": "servicebus.windows.net",
            "audience": "https://eventhubs.azure.net",
        },  # [GO1] [EH1]
        "eventgrid": {
            "suffix": "eventgrid.azure.net",  # [EG1]: {topic}.{region}-1.eventgrid.azure.net
            "audience": "https://eventgrid.azure.net",  # [EG2]
        },
        "appconfig": {"suffix": "azconfig.io", "audience": "https://appconfig.azure.com"},  # [GO1] [NET2]
        "search": {"suffix": "search.windows.net", "audience": "https://search.azure.com"},  # [GO1] [SE1]
        "monitor_ingestion": {"audience": "https://monitor.azure.com"},  # [MI1] [GO4]
        "monitor_metrics": {
            "suffix": "metrics.monitor.azure.com",  # {region}.metrics.monitor.azure.com [MQ2]
            "audience": "https://metrics.monitor.azure.com",  # [MQ2]
        },
        "appinsights": {
            # [AI1] [AI3]: {region}-{n}.in.applicationinsights.azure.com; the audience is written
            # https://monitor.azure.com/ in a connection string
            "suffix": "applicationinsights.azure.com",
            "audience": "https://monitor.azure.com",  # [AI1]
        },
        "cognitive": {
            "suffix": "cognitiveservices.azure.com",  # [COG]
            "audience": "https://cognitiveservices.azure.com",  # [COG]
        },
    },
    CHINA: {
        "storage": {"audience": "https://storage.azure.com"},  # [GO2]: the same in every cloud
        "acr": {"audience": "https://containerregistry.azure.net"},  # [ACR1]: "used for all clouds"
        "cosmos": {"suffix": "documents.azure.cn", "audience": "https://cosmos.azure.cn"},  # [GO1] [COS]
        "cosmos_table": {"suffix": "table.cosmos.azure.cn", "audience": "https://cosmos.azure.cn"},  # [GO5]
        "servicebus": {"suffix": "servicebus.chinacloudapi.cn"},  # [GO1]; its audience: no source
        "eventhubs": {"suffix": "servicebus.chinacloudapi.cn"},  # [GO1]; its audience: no source
        "eventgrid": {
            "suffix": "eventgrid.azure.cn",  # [EG1]: {topic}.{region}-1.eventgrid.azure.cn
            "audience": "https://eventgrid.azure.cn",  # [EG2]
        },
        "appconfig": {
            "suffix": "azconfig.azure.cn",
            "audience": "https://appconfig.azure.cn",
        },  # [GO1] [NET2]
        "search": {"audience": "https://search.azure.cn"},  # [SE1]; the host suffix: no source
        "monitor_ingestion": {"audience": "https://monitor.azure.cn"},  # [MI1] [GO4]
        "monitor_metrics": {
            "suffix": "metrics.monitor.azure.cn",  # [MQ2]
            "audience": "https://metrics.monitor.azure.cn",  # [MQ2]
        },
        "appinsights": {
            "suffix": "applicationinsights.azure.cn",  # [AI1] [AI2] [AI3]
            "audience": "https://monitor.azure.cn",  # [AI2]: AADAudience=https://monitor.azure.cn/
        },
        "cognitive": {
            "suffix": "cognitiveservices.azure.cn",  # [COG]
            "audience": "https://cognitiveservices.azure.cn",  # [COG]
        },
    },
    US_GOVERNMENT: {
        "storage": {"audience": "https://storage.azure.com"},  # [GO2]: the same in every cloud
        "acr": {"audience": "https://containerregistry.azure.net"},  # [ACR1]: "used for all clouds"
        "cosmos": {"suffix": "documents.azure.us", "audience": "https://cosmos.azure.us"},  # [GO1] [COS]
        "cosmos_table": {"suffix": "table.cosmos.azure.us", "audience": "https://cosmos.azure.us"},  # [GO5]
        "servicebus": {"suffix": "servicebus.usgovcloudapi.net"},  # [GO1]; its audience: no source
        "eventhubs": {"suffix": "servicebus.usgovcloudapi.net"},  # [GO1]; its audience: no source
        "eventgrid": {
            "suffix": "eventgrid.azure.us",  # [EG1]: {topic}.{region}-1.eventgrid.azure.us
            "audience": "https://eventgrid.azure.us",  # [EG2]
        },
        "appconfig": {
            "suffix": "azconfig.azure.us",
            "audience": "https://appconfig.azure.us",
        },  # [GO1] [NET2]
        "search": {"suffix": "search.azure.us", "audience": "https://search.azure.us"},  # [GO1] [SE1]
        "monitor_ingestion": {"audience": "https://monitor.azure.us"},  # [MI1] [GO4]
        "monitor_metrics": {
            "suffix": "metrics.monitor.azure.us",  # [MQ2]
            "audience": "https://metrics.monitor.azure.us",  # [MQ2]
        },
        "appinsights": {
            "suffix": "applicationinsights.azure.us",  # [AI1] [AI2]
            "audience": "https://monitor.azure.us",  # [AI2]: AADAudience=https://monitor.azure.us/
        },
        "cognitive": {
            "suffix": "cognitiveservices.azure.us",  # [COG]
            "audience": "https://cognitiveservices.azure.us",  # [COG]
        },
    },
    BLEU: {
        # [AI2]: its ingestion host; no source gives Bleu's Application Insights audience.
        "appinsights": {"suffix": "applicationinsights.sovcloud-api.fr"},
    },
}

# cloud -> service -> the DNS suffixes of its other sourced host forms, beyond ``suffix`` (which
# builds a host from a short name). An ``AZURE_SERVICE_<SERVICE>_SUFFIX`` override replaces them all.
ALTERNATIVE_SUFFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    # Application Insights: the global ingestion and Live Metrics hosts beside the regional ones.
    PUBLIC: {"appinsights": ("services.visualstudio.com", "livediagnostics.monitor.azure.com")},  # [AI1]
    CHINA: {
        "appconfig": ("appconfig.azure.cn",),  # [AC2]
        "appinsights": ("monitor.azure.cn",),  # [AI1]
    },
    US_GOVERNMENT: {
        "appconfig": ("appconfig.azure.us",),  # [AC2]
        "appinsights": ("applicationinsights.us", "monitor.azure.us"),  # [AI3] [AI1]
    },
}
