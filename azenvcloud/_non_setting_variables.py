"""The variables azenvcloud reads that are no setting of its own, declared once each: the ``.env``
file to read, the services' ``AZURE_SERVICE_*`` overrides (declared by their shape), azure-core's
``AZURE_SDK_CLOUD_CONF``, the Azure CLI's ``ARM_CLOUD_METADATA_URL`` (read as the metadata URL),
the CA bundles, other tools' cloud selectors, and the variables azure-identity and the Azure
Monitor exporter read. Each has its trust decision and its use, as a setting's declaration has
(:mod:`azenvcloud._variables` declares the settings; ``ALL`` there holds both).
"""

from __future__ import annotations

from ._ca import CA_VARIABLES
from ._configuration_names import DECLARATION
from ._declaration import (
    Scope,
    Variable,
    environment_only,
    never,
    no_destination,
    repeat,
)
from ._own_values import (
    own_service_value,
    service_value_of_another_cloud,
)
from ._parsers import (
    parse_service_suffix,
    parse_service_url,
)
from ._services import SERVICE_NAMES, override_variable

__all__ = ["NON_SETTINGS"]

_SERVICE_SHAPE = "AZURE_SERVICE_([A-Z0-9_]+)_{}"
_CONFIGURATION: Scope = "configuration"

_PROCESS: Scope = "process"
_DEFAULT: Scope = "default"
_SECRET = "a secret, not where it goes (never shown)"  # noqa: S105 - words about a secret

NON_SETTINGS: tuple[Variable, ...] = (
    Variable(
        "AZENVCLOUD_ENV_FILE",
        "the `.env` file to read instead of `./.env`; `none` reads none (environment only)",
        environment_only("which .env file is read is decided before any is read", refused_in_env_file=True),
        _PROCESS,
        use="env file",
    ),
    *(
        Variable(
            _SERVICE_SHAPE.format(part.upper()).replace("([A-Z0-9_]+)", "<SERVICE>"),
            description,
            repeat(reason, own=own_service_value, another_cloud=service_value_of_another_cloud),
            _CONFIGURATION,
            use="service",
            parse=parser,
            pattern=_SERVICE_SHAPE.format(part.upper()),
            instances=tuple(override_variable(service, part) for service in SERVICE_NAMES),
        )
        for part, description, reason, parser in (
            ("suffix", "a service's DNS suffix", "a resource's host is built with it", parse_service_suffix),
            ("audience", "a service's token audience", "whose token is asked for", parse_service_url),
            (
                "endpoint",
                "a service's fixed endpoint",
                "every token for the service goes there",
                parse_service_url,
            ),
        )
    ),
    Variable(
        DECLARATION,
        "the named configurations this process reads, comma-separated (`gov,backup`): each name "
        "`[a-z][a-z0-9]{0,19}`, its variables prefixed `<NAME>_` (`GOV_AZURE_CLOUD`), "
        "`azenvcloud.configuration(name)` in code ([how-to](../how-to/several-clouds.md))",
        no_destination("which names are read; each name's own values pass the trust rule on their own"),
        _PROCESS,
        use="configurations",
    ),
    Variable(
        "AZURE_SDK_CLOUD_CONF",
        "azure-core's cloud selector (`AZURE_PUBLIC_CLOUD`, `AZURE_CHINA_CLOUD`, `AZURE_US_GOVERNMENT`), "
        "environment only: alone it selects the cloud, below every azenvcloud variable; naming another "
        "cloud than the resolved one is an error",
        environment_only("azure-core reads it from the environment only", refused_in_env_file=False),
        _PROCESS,
        use="sdk cloud",
        defined_by="azure-core",
    ),
    Variable(
        "ARM_CLOUD_METADATA_URL",
        "the Azure CLI's metadata URL, below `AZURE_CLOUD_METADATA_URL`; environment only",
        environment_only(
            "the Azure CLI reads it from the environment; in a .env file, write AZURE_CLOUD_METADATA_URL",
            refused_in_env_file=True,
        ),
        _PROCESS,
        use="alias",
        field="cloud_metadata_url",
        defined_by="the Azure CLI",
    ),
    *(
        Variable(
            name,
            "the trusted certificate authorities, in the order "
            f"{', '.join(f'`{ca}`' for ca in CA_VARIABLES)}, for every transport azenvcloud builds "
            "([private clouds](../how-to/private-clouds.md))",
            environment_only(
                "read from the environment, as the HTTP libraries do", refused_in_env_file=False
            ),
            _PROCESS,
            use="ca",
            defined_by="requests, curl and OpenSSL",
        )
        for name in CA_VARIABLES
    ),
    # The Azure Monitor exporter's switches for its own channels to Microsoft's public hosts
    # (azure-monitor-opentelemetry-exporter 1.0.0b58: statsbeat/_state.py, _configuration/_state.py):
    # azenvcloud.telemetry sets them to true outside the public cloud, and refuses another value.
    *(
        Variable(
            name,
            f"{what}; outside the public cloud `azenvcloud.telemetry` sets it to `true` (another value is a "
            "`ConfigurationError`: it would send to the public cloud)",
            environment_only("the exporter reads it from the environment alone", refused_in_env_file=False),
            _PROCESS,
            use="telemetry",
            defined_by="azure-monitor-opentelemetry-exporter",
        )
        for name, what in (
            (
                "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL",
                "`true` stops the exporter's statsbeat, its own metrics sent to a public Application "
                "Insights resource of Microsoft's",
            ),
            (
                "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED",
                "`true` stops the exporter's control plane, which asks "
                "`https://settings.sdk.monitor.azure.com` for its settings",
            ),
        )
    ),
    # Other tools' cloud selectors, compared with the resolved cloud (a warning), never obeyed:
    # hashicorp/terraform-provider-azurerm internal/provider/provider.go
    # (commit 1a563be65801751a593806cf05a0951d322f3a62): "environment", EnvDefaultFunc("ARM_ENVIRONMENT",
    # "public"): public, usgovernment, china (Pulumi's azure-native reads it too).
    Variable(
        "ARM_ENVIRONMENT",
        "not used; `show` and `check` warn when it names another cloud than the resolved one",
        no_destination("never obeyed, only compared with the resolved cloud"),
        _PROCESS,
        use="cloud selector",
        defined_by="Terraform",
    ),
    # Azure/go-autorest autorest/azure/auth/auth.go (commit 90128b0cbed977972cdf104474875758e9fe97d0):
    # NewAuthorizerFromEnvironment reads AZURE_ENVIRONMENT (AzurePublicCloud, AzureChinaCloud, ...).
    Variable(
        "AZURE_ENVIRONMENT",
        "not used; `show` and `check` warn when it names another cloud than the resolved one",
        no_destination("never obeyed, only compared with the resolved cloud"),
        _PROCESS,
        use="cloud selector",
        defined_by="go-autorest",
    ),
    # Read by a named configuration's credential only (the default's DefaultAzureCredential has
    # managed identity in its chain): its system-assigned managed identity, on opt-in.
    Variable(
        "AZENVCLOUD_MANAGED_IDENTITY",
        "`system`: a named configuration's credential ends with the system-assigned managed identity "
        "(`<NAME>_AZURE_CLIENT_ID` alone selects a user-assigned one); not read by the default "
        "configuration, whose `DefaultAzureCredential` has managed identity in its chain",
        no_destination("which identity signs in; the managed identity endpoint is the host's own"),
        _CONFIGURATION,
        use="named identity",
    ),
    # azure-identity's own variables: they keep their meaning; azenvcloud exports them from a .env
    # file. (Not AZURE_ADDITIONALLY_ALLOWED_TENANTS: azure-identity for .NET, Java, JavaScript and Go
    # reads it, Python's does not (1.27: no read in azure/identity/); its credentials take
    # additionally_allowed_tenants= as an argument.)
    *(
        Variable(
            name,
            description,
            trust,
            # A named configuration's chain has no user sign-in and no AZURE_TOKEN_CREDENTIALS.
            _DEFAULT
            if name in {"AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_TOKEN_CREDENTIALS"}
            else _CONFIGURATION,
            use="identity",
            defined_by="azure-identity",
        )
        for name, description, trust in (
            (
                "AZURE_TENANT_ID",
                "the tenant",
                no_destination("which tenant signs in; the authority is where"),
            ),
            ("AZURE_CLIENT_ID", "the application or managed identity", no_destination("who signs in")),
            ("AZURE_CLIENT_SECRET", "a service principal's secret", no_destination(_SECRET)),
            (
                "AZURE_CLIENT_CERTIFICATE_PATH",
                "a service principal's certificate",
                never("azure-identity signs with it for the authority"),
            ),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "the certificate's password", no_destination(_SECRET)),
            (
                "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
                "send the certificate's chain (subject name and issuer authentication)",
                no_destination("what is sent with the certificate, not where"),
            ),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                "workload identity's token file",
                never("azure-identity sends its content to the authority"),
            ),
            ("AZURE_USERNAME", "a user's name", no_destination("who signs in")),
            ("AZURE_PASSWORD", "a user's password", no_destination(_SECRET)),
            (
                "AZURE_TOKEN_CREDENTIALS",
                "which credentials of the chain may answer",
                no_destination("which credential answers; each one's destinations are judged on their own"),
            ),
        )
    ),
)
"""Every variable azenvcloud reads that is no setting, in the order the reference lists them."""
