"""Which cloud owns a host, answered in one place (``azenvcloud._host_owner``).

A host is owned first by the most specific sourced host or DNS suffix of a cloud, then by its
zone: the last two labels of a destination value (authority hosts, Resource Manager and
management hosts, service suffixes, fixed service endpoints). A change to the zone table below
is a change to what azenvcloud refuses: it is meant to be a reviewed diff.
"""

from __future__ import annotations

import pytest

from azenvcloud._clouds import BUILTIN_CLOUDS
from azenvcloud._host_owner import HostOwner, owner_of_host, zones

PUBLIC, CHINA, US_GOVERNMENT = "AzureCloud", "AzureChinaCloud", "AzureUSGovernment"
BLEU, DELOS, GOVSG, GERMAN = "AzureBleuCloud", "AzureDelosCloud", "GovSGCloud", "AzureGermanCloud"

ZONES = {
    PUBLIC: {
        "azconfig.io",
        "azure.com",
        "azure.net",
        "azurecr.io",
        "azuredatalakeanalytics.net",
        "azuredatalakestore.net",
        "azuresynapse.net",
        "loganalytics.io",
        "microsoft.com",
        "microsoftonline.com",
        "visualstudio.com",  # Application Insights' global endpoints, dc. and rt.services.visualstudio.com
        "windows.net",
    },
    CHINA: {"azure.cn", "azurecr.cn", "chinacloudapi.cn", "microsoftonline.cn"},
    US_GOVERNMENT: {
        "applicationinsights.us",  # Application Insights' dc.applicationinsights.us (the Azure CLI's)
        "azure.us",
        "azurecr.us",
        "loganalytics.us",
        "microsoft.us",
        "microsoftonline.com",
        "microsoftonline.us",
        "usgovcloudapi.net",
    },
    BLEU: {"sovcloud-api.fr", "sovcloud-azure.fr", "sovcloud-identity.fr", "sovcloud.fr"},
    DELOS: {"sovcloud-api.de", "sovcloud-identity.de", "sovcloud.de"},
    # Recognised by their sourced hosts though not built in: GovSG (no Resource Manager) and the
    # closed Microsoft Cloud Deutschland. A token of any selectable cloud has no business there.
    GOVSG: {"sovcloud-identity.sg"},
    GERMAN: {"cloudapi.de", "microsoftazure.de", "microsoftonline.de"},
}


def by_cloud() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for zone, clouds in zones().items():
        for cloud in clouds:
            table.setdefault(cloud, set()).add(zone)
    return table


def test_the_zone_table_of_every_cloud_is_exactly_this() -> None:
    assert by_cloud() == ZONES
    assert set(BUILTIN_CLOUDS) <= set(ZONES)


def test_only_microsoftonline_com_holds_destinations_of_two_clouds_resolved_by_its_exact_host() -> None:
    shared = {zone: clouds for zone, clouds in zones().items() if len(clouds) > 1}
    assert shared == {"microsoftonline.com": frozenset({PUBLIC, US_GOVERNMENT})}
    # US Government's destination in that zone is one exact host, an MSAL alias of its authority.
    assert owner_of_host("login-us.microsoftonline.com") == HostOwner(
        frozenset({US_GOVERNMENT}), "login-us.microsoftonline.com", "host"
    )
    assert owner_of_host("login.microsoftonline.com") == HostOwner(
        frozenset({PUBLIC}), "login.microsoftonline.com", "host"
    )
    # Any other name in it is claimed by both, so it is refused for every cloud.
    assert owner_of_host("evil.microsoftonline.com") == HostOwner(
        frozenset({PUBLIC, US_GOVERNMENT}), "microsoftonline.com", "zone"
    )


def test_zones_never_come_from_audiences_or_from_urls_azenvcloud_does_not_contact() -> None:
    table = by_cloud()
    # Storage's https://storage.azure.com and Container Registry's https://containerregistry.azure.net
    # are the sourced audiences of every cloud; the CLI's vm_image_alias_doc of China and US
    # Government is on azcliprod.blob.core.windows.net; US Government's portal is portal.azure.us.
    for cloud in (CHINA, US_GOVERNMENT, BLEU, DELOS):
        assert not {"azure.com", "azure.net", "windows.net"} & table[cloud], cloud


@pytest.mark.parametrize(
    ("host", "owner"),
    [
        pytest.param(
            "kv1.vault.azure.net", HostOwner(frozenset({PUBLIC}), "vault.azure.net", "suffix"), id="suffix"
        ),
        pytest.param(
            "vault.azure.net",
            HostOwner(frozenset({PUBLIC}), "vault.azure.net", "suffix"),
            id="the-suffix-itself",
        ),
        pytest.param(
            "st1.z07.blob.storage.azure.net",
            HostOwner(frozenset({PUBLIC}), "st1.z07.blob.storage.azure.net", "host"),
            id="storage-dns-zone-endpoint",
        ),
        pytest.param(
            "dce-1.eastus-1.ingest.monitor.azure.com",
            HostOwner(frozenset({PUBLIC}), "azure.com", "zone"),
            id="data-collection-endpoint",
        ),
        pytest.param(
            "vm1.eastus.cloudapp.azure.com",
            HostOwner(frozenset({PUBLIC}), "azure.com", "zone"),
            id="customer-vm",
        ),
        pytest.param(
            "dod-graph.microsoft.us",
            HostOwner(frozenset({US_GOVERNMENT}), "dod-graph.microsoft.us", "host"),
            id="variant-endpoint",
        ),
        pytest.param(
            "ac1.appconfig.azure.us",
            HostOwner(frozenset({US_GOVERNMENT}), "appconfig.azure.us", "suffix"),
            id="alternative-suffix",
        ),
        pytest.param(
            "ac1.appconfig.azure.cn",
            HostOwner(frozenset({CHINA}), "appconfig.azure.cn", "suffix"),
            id="alternative-suffix-china",
        ),
        pytest.param(
            "LOGIN.MicrosoftOnline.US.",
            HostOwner(frozenset({US_GOVERNMENT}), "login.microsoftonline.us", "host"),
            id="case-and-trailing-dot",
        ),
        pytest.param(
            "login.sovcloud-identity.sg",
            HostOwner(frozenset({GOVSG}), "login.sovcloud-identity.sg", "host"),
            id="govsg-authority",
        ),
        pytest.param("my-dce.example.org", None, id="no-cloud"),
        pytest.param("127.0.0.1", None, id="loopback"),
        pytest.param("localhost", None, id="one-label"),
        pytest.param("azure.com.example.org", None, id="zone-not-at-the-end"),
    ],
)
def test_the_most_specific_sourced_value_owns_a_host_then_its_zone(
    host: str, owner: HostOwner | None
) -> None:
    assert owner_of_host(host) == owner


def test_no_sourced_host_or_suffix_belongs_to_two_clouds() -> None:
    from azenvcloud._host_owner import sourced_names

    assert {name: clouds for name, (clouds, _) in sourced_names().items() if len(clouds) > 1} == {}


@pytest.mark.parametrize(
    ("host", "described"),
    [
        ("login.microsoftonline.com", "a host of AzureCloud"),
        ("kv1.vault.azure.net", "under vault.azure.net, a DNS suffix of AzureCloud"),
        ("vault.azure.net", "a DNS suffix of AzureCloud"),
        ("dce-1.eastus-1.ingest.monitor.azure.com", "in azure.com, a DNS zone of AzureCloud"),
        (
            "evil.microsoftonline.com",
            "in microsoftonline.com, a DNS zone of AzureCloud and AzureUSGovernment",
        ),
    ],
)
def test_an_owner_is_described_in_words(host: str, described: str) -> None:
    owner = owner_of_host(host)
    assert owner is not None
    assert owner.describe(host) == described


def test_the_zone_table_in_the_docs_is_the_codes() -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs/reference/clouds.md").read_text(encoding="utf-8")
    documented = {
        cloud: set(re.findall(r"`([^`]+)`", zones_cell))
        for cloud, zones_cell in re.findall(r"^\| `(\w+)`[^|]* \| (`.*`) \|$", page, flags=re.MULTILINE)
        if "." in zones_cell
    }
    assert documented == ZONES


@pytest.mark.parametrize("name", [*BUILTIN_CLOUDS, "dod"])
def test_every_value_of_a_built_in_cloud_is_its_own(name: str) -> None:
    # What lets resolution skip a built-in cloud's own values: none is another cloud's host.
    from azenvcloud._clouds import cloud_from_name, variant_services
    from azenvcloud._host_owner import Role, foreign_owner
    from azenvcloud._parsers import host_of
    from azenvcloud._services import services_of, suffixes_of

    builtin = cloud_from_name(name)
    cloud = builtin.model_copy(update={"service_overrides": variant_services(name)})
    hosts: list[tuple[str, Role]] = [
        (host_of(cloud.authority_host), "authority"),
        (host_of(cloud.resource_manager), "other"),
    ]
    for service in services_of(cloud).values():
        if service.endpoint:
            hosts.append((host_of(service.endpoint), "graph" if service.name == "graph" else "other"))
        hosts.extend((suffix, "other") for suffix in suffixes_of(service))
    hosts.extend((value.lstrip("."), "other") for value in cloud.suffixes.model_dump().values() if value)
    assert len(hosts) > 5
    assert [host for host, role in hosts if foreign_owner(host, cloud, role=role)] == []
