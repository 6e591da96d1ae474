"""Azure Monitor telemetry in the configuration's own cloud (azenvcloud.telemetry): the real
azure-monitor-opentelemetry distro and its exporter send to the resolved cloud's Application
Insights hosts with that cloud's Monitor audience, and nowhere else, against the fake cloud.

The distro's providers are process-wide, so every test of ``configure_azure_monitor`` runs an
application of its own (tests/data/telemetry_app.py) that reaches the fake as its HTTPS proxy,
where a request to any host the fake does not act as is refused and logged, and whose sockets
refuse (and record) any other address. The exporters built by ``get_client`` run here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import azenvcloud
from azenvcloud import get_client, get_credential
from azenvcloud._errors import ConfigurationError
from azenvcloud.telemetry import configure_azure_monitor, get_azure_monitor_options
from azenvcloud.testing import PROXY_VARIABLES, FakeCloud, is_isolated_variable

APP = Path(__file__).parent / "data" / "telemetry_app.py"
IKEY = "00000000-0000-4000-8000-00000000a1a1"
VARIABLE = "APPLICATIONINSIGHTS_CONNECTION_STRING"
AUDIENCE_VARIABLE = "AZURE_SERVICE_APPINSIGHTS_AUDIENCE"
SWITCHES = ("APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL", "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED")

# Each cloud's connection string as an Application Insights resource's Overview page gives it
# (ingestion and Live Metrics endpoints of one region), and what azenvcloud hands the exporter.
USGOV = (
    f"InstrumentationKey={IKEY};IngestionEndpoint=https://usgovvirginia-1.in.applicationinsights.azure.us/;"
    "LiveEndpoint=https://usgovvirginia.livediagnostics.monitor.azure.us/;ApplicationId=app-1"
)
CHINA = (
    f"InstrumentationKey={IKEY};IngestionEndpoint=https://chinanorth3-0.in.applicationinsights.azure.cn/;"
    "LiveEndpoint=https://chinanorth3.livediagnostics.monitor.azure.cn/;AADAudience=https://monitor.azure.cn/"
)
PUBLIC_INGESTION = "https://westus-0.in.applicationinsights.azure.com/"

CLOUDS = {
    "usgov": (
        USGOV,
        "usgovvirginia-1.in.applicationinsights.azure.us",
        "usgovvirginia.livediagnostics.monitor.azure.us",
        "https://monitor.azure.us/",
    ),
    "china": (
        CHINA,
        "chinanorth3-0.in.applicationinsights.azure.cn",
        "chinanorth3.livediagnostics.monitor.azure.cn",
        "https://monitor.azure.cn/",
    ),
}


def written(ingestion_host: str, live_host: str, audience: str, *rest: str) -> str:
    return ";".join(
        (
            f"InstrumentationKey={IKEY}",
            f"IngestionEndpoint=https://{ingestion_host}",
            f"LiveEndpoint=https://{live_host}",
            f"AADAudience={audience}",
            *rest,
        )
    )


# -- the whole connection string -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "given", "expected"),
    [
        pytest.param(
            "usgov",
            USGOV,
            written(*CLOUDS["usgov"][1:], "ApplicationId=app-1"),
            id="usgov-audience-added",
        ),
        pytest.param("china", CHINA, written(*CLOUDS["china"][1:]), id="china-its-own-audience-kept"),
        pytest.param(
            "usgov",
            f"InstrumentationKey={IKEY.upper()};EndpointSuffix=applicationinsights.us;Location=usgovvirginia",
            written(
                "usgovvirginia.dc.applicationinsights.us",
                "usgovvirginia.live.applicationinsights.us",
                "https://monitor.azure.us/",
                "EndpointSuffix=applicationinsights.us",
                "Location=usgovvirginia",
            ),
            id="usgov-endpoints-built-from-the-suffix-as-the-exporter-builds-them",
        ),
        pytest.param(
            "public",
            f"InstrumentationKey={IKEY};IngestionEndpoint={PUBLIC_INGESTION};"
            "LiveEndpoint=https://westus.livediagnostics.monitor.azure.com/",
            written(
                "westus-0.in.applicationinsights.azure.com",
                "westus.livediagnostics.monitor.azure.com",
                "https://monitor.azure.com/",
            ),
            id="public",
        ),
    ],
)
def test_the_connection_string_is_whole_with_the_clouds_audience_and_the_configurations_credential(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, given: str, expected: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    azenvcloud_env.setenv(VARIABLE, given)
    options = get_azure_monitor_options()
    assert options == {"connection_string": expected, "credential": get_credential()}


def test_a_connection_string_given_in_code_wins(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_env.setenv(VARIABLE, USGOV)  # of another cloud: the environment's is not read
    options = get_azure_monitor_options(connection_string=CHINA)
    assert options["connection_string"] == written(*CLOUDS["china"][1:])


def test_without_a_connection_string_the_error_names_the_variable(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    with pytest.raises(ConfigurationError) as caught:
        get_azure_monitor_options()
    assert caught.value.variables == (VARIABLE,)
    assert "No Application Insights connection string" in str(caught.value)


# -- refused before any request ------------------------------------------------------------------


def _usgov_with(**pairs: str) -> str:
    """US Government's portal string with ``pairs`` replaced (``None``-like ``""`` removes one)."""
    fields = dict(pair.split("=", 1) for pair in USGOV.split(";"))
    fields.update(pairs)
    return ";".join(f"{key}={value}" for key, value in fields.items() if value)


@pytest.mark.parametrize(
    ("given", "variables", "words"),
    [
        pytest.param(
            _usgov_with(IngestionEndpoint=PUBLIC_INGESTION),
            (VARIABLE, "AZURE_CLOUD"),
            "IngestionEndpoint='https://westus-0.in.applicationinsights.azure.com' belongs to AzureCloud "
            "(it is under applicationinsights.azure.com, a DNS suffix of AzureCloud), but the configuration "
            "resolves AzureUSGovernment",
            id="ingestion-of-the-public-cloud",
        ),
        pytest.param(
            _usgov_with(LiveEndpoint="https://chinanorth3.livediagnostics.monitor.azure.cn/"),
            (VARIABLE, "AZURE_CLOUD"),
            "belongs to AzureChinaCloud",
            id="live-metrics-of-china",
        ),
        pytest.param(
            _usgov_with(IngestionEndpoint="https://dc.services.visualstudio.com"),
            (VARIABLE, "AZURE_CLOUD"),
            "belongs to AzureCloud",
            id="the-public-global-endpoint",
        ),
        pytest.param(
            _usgov_with(ProfilerEndpoint="https://profiler.monitor.azure.com"),
            (VARIABLE, "AZURE_CLOUD"),
            "ProfilerEndpoint='https://profiler.monitor.azure.com' belongs to AzureCloud",
            id="any-endpoint-it-names",
        ),
        pytest.param(
            _usgov_with(IngestionEndpoint="https://telemetry.example.org/"),
            (VARIABLE, "AZENVCLOUD_ACCEPTED_HOSTS", "AZURE_SERVICE_APPINSIGHTS_SUFFIX"),
            "is no Application Insights (Azure Monitor telemetry) host of AzureUSGovernment, whose "
            "Application Insights (Azure Monitor telemetry) hosts are *.applicationinsights.azure.us and "
            "*.applicationinsights.us and *.monitor.azure.us",
            id="a-host-of-no-cloud",
        ),
        pytest.param(
            _usgov_with(IngestionEndpoint=""),
            (VARIABLE,),
            "has no IngestionEndpoint (nor an EndpointSuffix to build it from): the exporter would send "
            "telemetry to the public cloud's https://dc.services.visualstudio.com",
            id="no-ingestion-endpoint",
        ),
        pytest.param(
            _usgov_with(LiveEndpoint=""),
            (VARIABLE,),
            "has no LiveEndpoint",
            id="no-live-endpoint",
        ),
        pytest.param(
            _usgov_with(AADAudience="https://monitor.azure.com/"),
            (VARIABLE, "AZURE_CLOUD"),
            "AADAudience='https://monitor.azure.com/' is the audience of AzureCloud",
            id="the-public-audience",
        ),
        pytest.param(
            _usgov_with(AADAudience="https://monitor.contoso.example/"),
            (VARIABLE, AUDIENCE_VARIABLE),
            "is not AzureUSGovernment's Application Insights (Azure Monitor telemetry) audience, "
            "https://monitor.azure.us/",
            id="an-audience-of-no-cloud",
        ),
        pytest.param(
            _usgov_with(AADAudience="https://monitor.azure.us/.default"),
            (VARIABLE, AUDIENCE_VARIABLE),
            "is not AzureUSGovernment's",
            id="a-scope-for-an-audience",
        ),
    ],
)
def test_a_connection_string_of_another_cloud_or_of_none_or_missing_a_field_is_refused(
    azenvcloud_fake_cloud: FakeCloud, given: str, variables: tuple[str, ...], words: str
) -> None:
    with azenvcloud_fake_cloud.as_cloud("usgov"):
        os.environ[VARIABLE] = given  # as_cloud restores what it changed; azenvcloud_env the rest
        azenvcloud.reset()
        with pytest.raises(ConfigurationError) as caught:
            get_azure_monitor_options()
        with pytest.raises(ConfigurationError):
            get_client(AzureMonitorTraceExporter, disable_offline_storage=True)
    assert caught.value.variables == variables
    assert words in str(caught.value)
    assert azenvcloud_fake_cloud.requests == []


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        pytest.param(
            USGOV + ";",
            "its pair number 5 cannot be read: it is empty (a ';' too many)",
            id="trailing-semicolon",
        ),
        pytest.param(
            USGOV.replace(f"InstrumentationKey={IKEY};", ""), "it has no InstrumentationKey", id="no-key"
        ),
        pytest.param(
            USGOV.replace(IKEY, "not-a-guid"), "its InstrumentationKey is no GUID", id="key-no-guid"
        ),
        pytest.param(USGOV + ";Authorization=AAD", "its Authorization is not ikey", id="authorization"),
        pytest.param(
            USGOV.replace("azure.us/;", "azure.us/v2/track;"),
            "its IngestionEndpoint is not usable: it has a path after its host",
            id="endpoint-with-a-path",
        ),
        pytest.param(
            USGOV.replace("https://usgovvirginia-1", "http://usgovvirginia-1"),
            "its IngestionEndpoint is not usable: it uses http://",
            id="plain-http",
        ),
        pytest.param(
            USGOV + ";ingestionendpoint=https://x.applicationinsights.azure.us",
            "a key given twice",
            id="twice",
        ),
    ],
)
def test_a_connection_string_that_does_not_read_is_the_error_naming_its_variable(
    azenvcloud_env: pytest.MonkeyPatch, given: str, problem: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv(VARIABLE, given)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert caught.value.variables == (VARIABLE,)
    assert f"{VARIABLE}=" in str(caught.value)
    assert problem in str(caught.value)


def test_a_host_of_your_own_is_taken_once_listed_in_the_accepted_hosts(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv(VARIABLE, _usgov_with(IngestionEndpoint="https://telemetry.contoso.example"))
    azenvcloud_env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", "telemetry.contoso.example")
    options = get_azure_monitor_options()
    assert "IngestionEndpoint=https://telemetry.contoso.example;" in options["connection_string"]


def test_a_connection_string_of_another_cloud_in_the_environment_breaks_nothing_else(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    """An application may send its telemetry elsewhere by its own means: the setting is judged
    where azenvcloud sends telemetry, not when the configuration resolves."""
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv(VARIABLE, _usgov_with(IngestionEndpoint=PUBLIC_INGESTION))
    settings = azenvcloud.get_settings()
    assert (settings.cloud_name, str(settings.source_of("applicationinsights_connection_string"))) == (
        "AzureUSGovernment",
        "environment",
    )


# -- a cloud no source gives the audience of -----------------------------------------------------


BLEU = (
    f"InstrumentationKey={IKEY};IngestionEndpoint=https://bleufrancecentral-0.in.applicationinsights.sovcloud-api.fr/;"
    "LiveEndpoint=https://bleufrancecentral.live.applicationinsights.sovcloud-api.fr/"
)


def test_a_cloud_without_a_sourced_audience_names_the_variable_and_works_once_it_is_set(
    azenvcloud_fake_cloud: FakeCloud, no_customer_sdkstats: None
) -> None:
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("bleu"):
        os.environ[VARIABLE] = BLEU
        azenvcloud.reset()
        with pytest.raises(ConfigurationError) as caught:
            get_azure_monitor_options()
        assert caught.value.variables == (AUDIENCE_VARIABLE,)
        assert "AzureBleuCloud has no known audience for Application Insights" in str(caught.value)
        assert "never uses another cloud's" in str(caught.value)
        assert fake.requests == []

        os.environ[AUDIENCE_VARIABLE] = (
            "https://monitor.sovcloud-api.fr"  # this cloud's, as its owner knows it
        )
        azenvcloud.reset()
        assert get_azure_monitor_options()["connection_string"].endswith(
            "AADAudience=https://monitor.sovcloud-api.fr/"
        )
        _export_one_span()
    (export,) = fake.requests_of("appinsights")
    assert (export.host, export.path, export.scope) == (
        "bleufrancecentral-0.in.applicationinsights.sovcloud-api.fr",
        "/v2.1/track",
        "https://monitor.sovcloud-api.fr//.default",
    )


# -- the implicit ./.env ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "words"),
    [
        pytest.param(
            _usgov_with(IngestionEndpoint=PUBLIC_INGESTION),
            "its IngestionEndpoint https://westus-0.in.applicationinsights.azure.com is a host of "
            "AzureCloud. A file anyone can leave in a working directory (a cloned repository) must not "
            "choose where tokens and secrets go. Accepted: remove APPLICATIONINSIGHTS_CONNECTION_STRING "
            "from that file",
            id="another-clouds-host",
        ),
        pytest.param(
            _usgov_with(IngestionEndpoint="https://telemetry.example.org"),
            "is no Application Insights (Azure Monitor telemetry) host of AzureUSGovernment",
            id="a-host-of-no-cloud",
        ),
        pytest.param(
            f"InstrumentationKey={IKEY};EndpointSuffix=example.org",
            "its IngestionEndpoint (built from EndpointSuffix) https://dc.example.org",
            id="a-suffix-of-no-cloud",
        ),
        pytest.param(
            _usgov_with(AADAudience="https://monitor.azure.com/"),
            "its AADAudience https://monitor.azure.com/ is not AzureUSGovernment's own "
            "(https://monitor.azure.us/)",
            id="another-clouds-audience",
        ),
    ],
)
def test_a_connection_string_from_the_implicit_env_file_must_be_all_the_selected_clouds_own(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, given: str, words: str
) -> None:
    (tmp_path / ".env").write_text(f"AZURE_CLOUD=usgov\n{VARIABLE}={given}\n")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert caught.value.variables == (VARIABLE,)
    assert f"{VARIABLE}=" in str(caught.value)
    assert "comes from the .env file" in str(caught.value)
    assert words in str(caught.value)


def test_the_implicit_env_file_may_name_a_resource_of_the_selected_cloud(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"AZURE_CLOUD=usgov\n{VARIABLE}={USGOV}\n")
    assert get_azure_monitor_options()["connection_string"] == written(
        *CLOUDS["usgov"][1:], "ApplicationId=app-1"
    )


def test_a_named_env_file_may_name_a_host_of_your_own(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = tmp_path / "app.env"
    own = _usgov_with(IngestionEndpoint="https://telemetry.contoso.example")
    named.write_text(
        f"AZURE_CLOUD=usgov\n{VARIABLE}={own}\nAZENVCLOUD_ACCEPTED_HOSTS=telemetry.contoso.example\n"
    )
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(named))
    assert (
        "IngestionEndpoint=https://telemetry.contoso.example;"
        in get_azure_monitor_options()["connection_string"]
    )


# -- the exporter's own channels to public hosts ----------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "expected"),
    [
        pytest.param("usgov", "true", id="usgov-switched-off"),
        pytest.param("china", "true", id="china-switched-off"),
        pytest.param("public", None, id="public-left-alone"),
    ],
)
def test_outside_the_public_cloud_statsbeat_and_the_control_plane_are_switched_off(
    azenvcloud_env: pytest.MonkeyPatch, cloud: str, expected: str | None
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", cloud)
    given = {"usgov": USGOV, "china": CHINA}.get(
        cloud,
        f"InstrumentationKey={IKEY};IngestionEndpoint={PUBLIC_INGESTION};"
        "LiveEndpoint=https://westus.livediagnostics.monitor.azure.com",
    )
    azenvcloud_env.setenv(VARIABLE, given)
    get_azure_monitor_options()
    assert [os.environ.get(name) for name in SWITCHES] == [expected, expected]


@pytest.mark.parametrize("switch", SWITCHES)
def test_a_switch_that_would_send_to_the_public_cloud_is_refused(
    azenvcloud_env: pytest.MonkeyPatch, switch: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv(VARIABLE, USGOV)
    azenvcloud_env.setenv(switch, "false")
    with pytest.raises(ConfigurationError) as caught:
        get_azure_monitor_options()
    assert caught.value.variables == (switch,)
    assert "outside it, to the public cloud" in str(caught.value)


# -- the exporters, built by get_client --------------------------------------------------------------


def _export_one_span() -> None:
    """One span through an exporter from ``get_client``, in this process: with no thread of the
    exporter's own (``no_customer_sdkstats``), none of which could export after the test."""
    assert os.environ.get("APPLICATIONINSIGHTS_SDKSTATS_DISABLED") == "true"
    exporter = get_client(AzureMonitorTraceExporter, disable_offline_storage=True)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("app").start_as_current_span("first-export"):
        pass
    provider.shutdown()


@pytest.fixture
def no_customer_sdkstats(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exporter built in this process starts no thread of its own: no customer SDK stats (an
    exporter of its own to the same resource, every 15 minutes), no offline storage."""
    monkeypatch.setenv("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true")


@pytest.mark.parametrize("cloud", ["usgov", "china"])
def test_an_exporter_from_get_client_sends_to_the_clouds_ingestion_host_with_its_audience(
    azenvcloud_fake_cloud: FakeCloud, no_customer_sdkstats: None, cloud: str
) -> None:
    given, ingestion, _, audience = CLOUDS[cloud]
    fake = azenvcloud_fake_cloud
    with fake.as_cloud(cloud):
        os.environ[VARIABLE] = given
        azenvcloud.reset()
        _export_one_span()
    assert [(r.kind, r.host, r.scope) for r in fake.requests if r.kind != "openid"] == [
        ("token", fake_authority(cloud), f"{audience}/.default"),
        ("appinsights", ingestion, f"{audience}/.default"),
    ]
    (item,) = json.loads(fake._state.blobs[f"{ingestion}/v2.1/track"])
    assert (item["iKey"], item["data"]["baseType"]) == (IKEY, "RemoteDependencyData")


def test_the_exporter_follows_no_ingestion_redirect_to_another_clouds_host(
    azenvcloud_fake_cloud: FakeCloud, no_customer_sdkstats: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The exporter's own rule, which SECURITY.md relies on: a redirect is followed only within one
    of its Azure Monitor suffixes, each of one cloud (a newer exporter that loosened it fails here)."""
    given, ingestion, _, _ = CLOUDS["usgov"]
    fake = azenvcloud_fake_cloud
    public = "https://westus-0.in.applicationinsights.azure.com/v2.1/track"
    fake.fail("/v2.1/track", 308, body=b"", headers={"Location": public})
    with fake.as_cloud("usgov"):
        os.environ[VARIABLE] = given
        azenvcloud.reset()
        _export_one_span()
    assert [r.host for r in fake.requests_of("appinsights")] == [ingestion]
    assert (
        "Refusing cross-origin redirect to https://westus-0.in.applicationinsights.azure.com" in caplog.text
    )


def fake_authority(cloud: str) -> str:
    return {"usgov": "login.microsoftonline.us", "china": "login.chinacloudapi.cn"}[cloud]


def test_an_exporter_takes_the_configurations_credential_only(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    azenvcloud_env.setenv(VARIABLE, USGOV)
    with pytest.raises(TypeError, match="azenvcloud sets credential="):
        get_client(AzureMonitorTraceExporter, credential=object())
    with pytest.raises(TypeError, match=r"credential= is not taken"):
        configure_azure_monitor(credential=object())


def test_without_the_distro_the_error_names_the_extra(
    azenvcloud_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "azure.monitor.opentelemetry", None)
    with pytest.raises(ImportError, match=r"monitor-telemetry"):
        configure_azure_monitor()


# -- configure_azure_monitor, in an application of its own --------------------------------------------


@pytest.fixture
def application(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment of an application process (nothing that could steer azenvcloud or the
    exporter; the VM resource detector, which asks the instance metadata service, left out), and
    the file its sockets write any other address to."""
    escapes = tmp_path / "escapes"
    environment = {
        name: value
        for name, value in os.environ.items()
        if not is_isolated_variable(name) and not name.startswith("OTEL_")
    }
    environment |= {
        "ESCAPES": str(escapes),
        "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "azure_app_service",
        # Were statsbeat on, it would send within the second, to a public host: refused, and seen.
        "APPLICATIONINSIGHTS_STATS_SHORT_EXPORT_INTERVAL": "1",
    }
    return environment, escapes


def run_application(environment: dict[str, str], storage: Path, *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, str(APP), str(storage), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("cloud", ["usgov", "china"])
def test_the_first_export_goes_to_the_clouds_ingestion_host_with_its_audience_and_nothing_elsewhere(
    azenvcloud_fake_cloud: FakeCloud, application: tuple[dict[str, str], Path], tmp_path: Path, cloud: str
) -> None:
    given, ingestion, live, audience = CLOUDS[cloud]
    environment, escapes = application
    fake = azenvcloud_fake_cloud
    with fake.as_cloud(cloud):
        environment |= {**fake.environment(cloud=cloud), VARIABLE: given}
        printed = run_application(environment, tmp_path / "storage", "1.5")  # a Live Metrics ping at 1 s
    assert printed == "statsbeat False, control plane False\n"
    requests = fake.requests
    scope = f"{audience}/.default"
    exports = [r for r in requests if r.kind == "appinsights"]
    assert (exports[0].host, exports[0].path, exports[0].scope) == (ingestion, "/v2.1/track", scope)
    assert {(r.host, r.path) for r in exports} == {
        (ingestion, "/v2.1/track"),
        (live, "/QuickPulseService.svc/ping"),
    }
    assert {r.scope for r in exports} == {scope}
    assert [r.scope for r in requests if r.kind == "token"] == [scope]
    assert {r.host for r in requests} == {fake_authority(cloud), ingestion, live}  # nothing elsewhere
    assert not escapes.exists()
    assert os.listdir(tmp_path / "storage") == []  # every export answered: nothing kept for a retry


def test_in_a_custom_cloud_telemetry_goes_to_its_own_hosts_with_its_audience(
    application: tuple[dict[str, str], Path], tmp_path: Path, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    suffix = "applicationinsights.fake.azenvcloud.test"
    ingestion, live = f"region-1.in.{suffix}", f"region.live.{suffix}"
    environment, escapes = application
    with FakeCloud(hostnames=(f"*.{suffix}",)) as fake, fake.route_hosts(f"*.{suffix}"):
        environment |= {
            **fake.environment(),
            **dict.fromkeys(PROXY_VARIABLES, fake.proxy_url),
            "NO_PROXY": "localhost,127.0.0.1,::1",
            "no_proxy": "localhost,127.0.0.1,::1",
            "AZURE_SERVICE_APPINSIGHTS_SUFFIX": suffix,
            AUDIENCE_VARIABLE: "https://monitor.fake.azenvcloud.test",
            VARIABLE: f"InstrumentationKey={IKEY};IngestionEndpoint=https://{ingestion}/;LiveEndpoint=https://{live}/",
        }
        printed = run_application(environment, tmp_path / "storage", "1.5")
        requests = fake.requests
    assert printed == "statsbeat False, control plane False\n"
    scope = "https://monitor.fake.azenvcloud.test//.default"
    exports = [r for r in requests if r.kind == "appinsights"]
    assert (exports[0].host, exports[0].path, exports[0].scope) == (ingestion, "/v2.1/track", scope)
    assert {r.host for r in exports} == {ingestion, live}
    assert {r.scope for r in exports} == {scope}
    assert {r.host for r in requests} == {"127.0.0.1", ingestion, live}
    assert not escapes.exists()


def test_live_metrics_follows_no_redirect_to_another_clouds_host(
    azenvcloud_fake_cloud: FakeCloud, application: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    """The exporter would follow its service's redirect header to any Azure Monitor host it knows,
    a public one from a US Government endpoint included; azenvcloud keeps it in the cloud."""
    given, _, live, _ = CLOUDS["usgov"]
    environment, escapes = application
    fake = azenvcloud_fake_cloud
    redirect = {
        "x-ms-qps-service-endpoint-redirect-v2": "https://westus.livediagnostics.monitor.azure.com/",
        "x-ms-qps-subscribed": "false",
    }
    fake.fail("/QuickPulseService.svc/ping", 200, body=b"", headers=redirect)
    with fake.as_cloud("usgov"):
        environment |= {**fake.environment(cloud="usgov"), VARIABLE: given}
        run_application(environment, tmp_path / "storage", "6.5")  # pings at 1 s and 6 s
    pings = [r.host for r in fake.requests if r.path == "/QuickPulseService.svc/ping"]
    assert pings == [live, live]
    assert [r for r in fake.requests if r.kind == "refused"] == []
    assert not escapes.exists()


def test_telemetry_is_configured_once_per_process_and_another_configuration_is_refused_naming_both(
    azenvcloud_fake_cloud: FakeCloud, application: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    given, ingestion, _, _ = CLOUDS["usgov"]
    environment, _ = application
    fake = azenvcloud_fake_cloud
    with fake.as_cloud("usgov"):
        environment |= {**fake.environment(cloud="usgov"), VARIABLE: given}
        printed = run_application(environment, tmp_path / "storage", "0", "second")
    first = f"InstrumentationKey={IKEY};IngestionEndpoint=https://{ingestion}"
    second = f"InstrumentationKey=f{IKEY[1:]};IngestionEndpoint=https://{ingestion}"
    assert printed.startswith(
        "statsbeat False, control plane False\n"
        "second configuration refused: Azure Monitor telemetry is configured in this process"
    )
    assert f"for AzureUSGovernment ({first};" in printed
    assert f"this call is for AzureUSGovernment ({second};" in printed
    assert {r.host for r in fake.requests_of("appinsights")} <= set(CLOUDS["usgov"][1:3])
