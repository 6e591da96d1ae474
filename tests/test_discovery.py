"""Discovery from ARM metadata against the loopback fake: every shape, Azure Stack Hub (AAD
and ADFS), offline snapshots, the disk cache, and the fault matrix."""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError, Settings
from azenvcloud.testing import FakeCloud


@pytest.fixture
def only_resource_manager(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """Just AZURE_RESOURCE_MANAGER (of no built-in cloud): the rest must be discovered."""
    azenvcloud_env.delenv("AZURE_AUTHORITY_HOST")
    azenvcloud_env.delenv("AZURE_AUDIENCE")
    return azenvcloud_fake_cloud


def cache_files() -> list[Path]:
    return sorted(Path(os.environ["AZENVCLOUD_CACHE_DIR"]).glob("*.json"))


def group_names() -> list[str]:
    return [group.name for group in azenvcloud.get_resource_client().resource_groups.list()]


def test_resource_manager_alone_discovers_authority_and_audience(only_resource_manager: FakeCloud) -> None:
    fake = only_resource_manager
    settings = azenvcloud.get_settings()
    assert settings.cloud_name == "FakeCloud"
    assert settings.authority_host == fake.url
    assert settings.audience == fake.audience
    assert settings.credential_scopes == [fake.audience + "/.default"]  # trailing slash kept (CLI)
    assert settings.suffixes.keyvault_dns == ".vault.fake.azenvcloud.test"
    # Provenance names the URL that answered, not just the Resource Manager it was asked of.
    assert str(settings.source_of("authority_host")) == (
        f"metadata from {fake.url}/metadata/endpoints?api-version=2022-09-01"
    )
    assert settings.source_of("resource_manager").kind == "environment"
    fake.accept_scopes(fake.audience + "/.default")
    assert group_names() == ["rg-alpha", "rg-beta"]
    assert [r.query["api-version"] for r in fake.requests_of("metadata")] == ["2022-09-01"]


@pytest.mark.parametrize(
    ("served", "asked"),
    [
        pytest.param("2019-05-01", ["2022-09-01", "2019-05-01"], id="falls-back-to-2019-array"),
        pytest.param(
            "2015-01-01", ["2022-09-01", "2019-05-01", "2015-01-01"], id="falls-back-to-2015-object"
        ),
    ],
)
def test_older_api_versions_are_tried_in_turn(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, served: str, asked: list[str]
) -> None:
    fake = only_resource_manager
    document = {"2019-05-01": fake.metadata_2019, "2015-01-01": fake.metadata_2015}[served]
    fake.serve_metadata({served: document})
    if served == "2019-05-01":
        azenvcloud_env.setenv("AZURE_CLOUD", "FakeCloud")  # picks it from the array
    settings = azenvcloud.get_settings()
    assert settings.authority_host == fake.url
    assert [r.query["api-version"] for r in fake.requests_of("metadata")] == asked
    assert group_names() == ["rg-alpha", "rg-beta"]


def test_2022_answered_as_an_array_is_accepted(only_resource_manager: FakeCloud) -> None:
    fake = only_resource_manager
    fake.serve_metadata({"2022-09-01": lambda base: [fake.metadata_2022(base)]})
    assert azenvcloud.get_settings().cloud_name == "FakeCloud"


def test_azure_stack_hub_adfs_stamp_end_to_end(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    fake = only_resource_manager
    fake.serve_metadata({"2022-09-01": fake.metadata_azure_stack_adfs})
    azenvcloud_env.delenv("AZURE_TENANT_ID")
    azenvcloud_env.setenv("AZURE_API_PROFILE", "2020-09-01-hybrid")
    settings = azenvcloud.get_settings()
    assert settings.cloud.adfs
    assert settings.authority_host == fake.url  # without /adfs: azure-identity appends the tenant
    assert settings.resource_manager == fake.url  # metadata had none: the one that was asked
    assert group_names() == ["rg-alpha", "rg-beta"]
    subscriptions = [s.subscription_id for s in azenvcloud.get_subscription_client().subscriptions.list()]
    assert subscriptions == list(fake.subscriptions)
    assert os.environ["AZURE_TENANT_ID"] == "adfs"
    (token,) = fake.requests_of("token")
    assert token.path == "/adfs/oauth2/token"
    assert token.scope == f"{fake.audience}{fake.tenant_id}/.default"
    versions = {r.path: r.query["api-version"] for r in fake.requests_of("arm")}
    assert versions == {
        f"/subscriptions/{fake.subscriptions[0]}/resourcegroups": "2019-10-01",
        "/subscriptions": "2016-06-01",
    }


def test_adfs_with_another_tenant_is_refused(only_resource_manager: FakeCloud) -> None:
    only_resource_manager.serve_metadata({"2022-09-01": only_resource_manager.metadata_azure_stack_adfs})
    with pytest.raises(ConfigurationError, match="ADFS has one tenant, 'adfs'"):
        azenvcloud.get_credential()


def test_unknown_api_profile_lists_the_known(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_API_PROFILE", "2021-hybrid")
    with pytest.raises(ConfigurationError, match="2020-09-01-hybrid, 2019-03-01-hybrid") as caught:
        Settings()
    assert caught.value.variables == ("AZURE_API_PROFILE",)


def test_explicit_api_version_wins_over_the_profile(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    azenvcloud_env.setenv("AZURE_API_PROFILE", "2019-03-01-hybrid")
    group_names()
    client = azenvcloud.get_client(ResourceManagementClient, api_version="2021-04-01")
    list(client.resource_groups.list())
    assert [r.query["api-version"] for r in azenvcloud_fake_cloud.requests_of("arm")] == [
        "2018-05-01",
        "2021-04-01",
    ]


@pytest.mark.parametrize("form", ["path", "file-url"])
def test_snapshot_file_makes_no_metadata_request(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, form: str
) -> None:
    fake = azenvcloud_fake_cloud
    snapshot = tmp_path / "cloud.json"
    snapshot.write_text(json.dumps(fake.metadata_2022(fake.url)), encoding="utf-8")
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot) if form == "path" else snapshot.as_uri())
    assert group_names() == ["rg-alpha", "rg-beta"]
    assert not fake.requests_of("metadata")
    assert azenvcloud.get_settings().source_of("authority_host").kind == "metadata"


def test_az_cloud_show_file_is_accepted(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv(
        "AZURE_CLOUD_METADATA_URL", str(Path(__file__).parent / "data" / "az-cloud-show-ussec.json")
    )
    settings = Settings()
    assert settings.cloud_name == "USSec"
    assert settings.disable_instance_discovery is True  # an air-gapped authority MSAL does not know


def test_explicit_variables_override_metadata(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv(
        "AZURE_CLOUD_METADATA_URL", str(Path(__file__).parent / "data" / "az-cloud-show-ussec.json")
    )
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://management.azure.microsoft.scloud/")
    settings = Settings()
    assert settings.credential_scopes == ["https://management.azure.microsoft.scloud//.default"]
    assert settings.source_of("audience").kind == "environment"
    assert settings.source_of("authority_host").kind == "metadata"


def test_azure_cli_variable_is_read_below_ours(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ussec = Path(__file__).parent / "data" / "az-cloud-show-ussec.json"
    azenvcloud_env.setenv("ARM_CLOUD_METADATA_URL", str(ussec))
    assert Settings().cloud_name == "USSec"
    public = tmp_path / "public.json"
    public.write_text(
        (Path(__file__).parent / "data" / "metadata-2022-09-01-public.json").read_text(), encoding="utf-8"
    )
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(public))
    assert Settings().cloud_name == "AzureCloud"


def test_missing_snapshot_file_is_a_clear_error(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "/nonexistent/cloud.json")
    with pytest.raises(
        ConfigurationError, match=r"AZURE_CLOUD_METADATA_URL='/nonexistent/cloud.json'.*cannot be read"
    ):
        Settings()


# -- the disk cache ---------------------------------------------------------------------------


def test_fresh_cache_means_no_request_at_start(only_resource_manager: FakeCloud) -> None:
    azenvcloud.get_settings()
    assert len(only_resource_manager.requests_of("metadata")) == 1
    assert len(cache_files()) == 1
    azenvcloud.reset()  # a new process start, as far as azenvcloud knows
    assert azenvcloud.get_settings().cloud_name == "FakeCloud"
    assert len(only_resource_manager.requests_of("metadata")) == 1


def test_ttl_zero_disables_the_cache(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_METADATA_TTL", "0")
    azenvcloud.get_settings()
    azenvcloud.reset()
    azenvcloud.get_settings()
    assert len(only_resource_manager.requests_of("metadata")) == 2
    assert cache_files() == []


def test_expired_cache_is_used_with_a_warning_when_the_endpoint_fails(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    azenvcloud.get_settings()
    (entry,) = cache_files()
    stored = json.loads(entry.read_text())
    stored["fetched_at"] -= 3 * 86400
    entry.write_text(json.dumps(stored))
    azenvcloud.reset()
    only_resource_manager.fail("/metadata/endpoints", 500, times=100)
    with caplog.at_level(logging.WARNING, logger="azenvcloud"):
        assert azenvcloud.get_settings().cloud_name == "FakeCloud"
    assert "using the expired copy cached 3 days ago" in caplog.text  # the unit that fits


def test_bad_ttl_is_a_configuration_error(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_METADATA_TTL", "a day")
    with pytest.raises(ConfigurationError, match="AZENVCLOUD_METADATA_TTL='a day'"):
        azenvcloud.get_settings()


# -- the fault matrix: each a clear error, nothing half-written in the cache -------------------


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        pytest.param({"status": 500, "times": 100}, "HTTP 500", id="server-error"),
        pytest.param({"status": 200, "body": b"<html>not json</html>"}, "not JSON", id="non-json"),
        pytest.param({"status": 200, "body": {"value": []}}, "no 'authentication'", id="wrong-shape"),
        pytest.param({"status": 200, "body": []}, "empty list", id="empty-array"),
        pytest.param(
            {"status": 200, "body": b"[" + b" " * (1024 * 1024 + 10) + b"]"},
            "larger than 1048576",
            id="too-big",
        ),
        pytest.param(
            {"status": 302, "headers": {"Location": "http://127.0.0.1:9/metadata"}},
            "not https",
            id="redirect-to-http",
        ),
    ],
)
def test_fault_gives_a_clear_error_and_caches_nothing(
    only_resource_manager: FakeCloud, fault: dict[str, object], expected: str
) -> None:
    fake = only_resource_manager
    status = int(fault.pop("status"))  # type: ignore[call-overload]
    fake.fail("/metadata/endpoints", status, times=int(fault.pop("times", 3)), **fault)  # type: ignore[arg-type,call-overload]
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert message.startswith(f"AZURE_RESOURCE_MANAGER='{fake.url}': the cloud metadata")
    assert expected in message
    assert caught.value.variables == ("AZURE_RESOURCE_MANAGER",)
    assert cache_files() == []


def test_429_with_retry_after_is_retried_and_then_succeeds(only_resource_manager: FakeCloud) -> None:
    fake = only_resource_manager
    fake.fail("/metadata/endpoints", 429, times=2, headers={"Retry-After": "1"})
    assert azenvcloud.get_settings().cloud_name == "FakeCloud"
    assert len(fake.requests_of("metadata")) == 3
    assert len(cache_files()) == 1


def test_connection_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", f"https://127.0.0.1:{unused_port()}")
    with pytest.raises(ConfigurationError, match="cannot be had: the request failed"):
        Settings()
    assert cache_files() == []


def test_timeout(only_resource_manager: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    from azenvcloud import _metadata_source

    monkeypatch.setattr(_metadata_source, "READ_TIMEOUT", 0.3)
    only_resource_manager.fail("/metadata/endpoints", 200, times=100, delay=1.0)
    with pytest.raises(ConfigurationError, match="the request failed"):
        azenvcloud.get_settings()
    assert cache_files() == []


def test_certificate_that_does_not_verify(
    only_resource_manager: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.delenv("REQUESTS_CA_BUNDLE")
    azenvcloud_env.delenv("SSL_CERT_FILE")
    with pytest.raises(ConfigurationError, match="the request failed"):
        azenvcloud.get_settings()
    assert cache_files() == []


def test_http_metadata_url_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv(
        "AZURE_CLOUD_METADATA_URL", "http://127.0.0.1:9/metadata/endpoints?api-version=2022-09-01"
    )
    with pytest.raises(ConfigurationError, match="only https"):
        Settings()


def test_processes_starting_together_fetch_once(only_resource_manager: FakeCloud) -> None:
    """A scaled-out start: eight processes, an empty cache, one metadata request between them."""
    import subprocess
    import sys

    code = "import azenvcloud; print(azenvcloud.get_settings().cloud_name)"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=dict(os.environ), stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    outputs = [start.communicate(timeout=120)[0].strip() for start in starts]
    assert outputs == ["FakeCloud"] * 8
    assert len(only_resource_manager.requests_of("metadata")) == 1


def test_default_cache_folder_is_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from platformdirs import user_cache_dir

    from azenvcloud._metadata_cache import Cache

    monkeypatch.delenv("AZENVCLOUD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = Cache.open(None)
    assert cache is not None
    assert cache.folder == Path(user_cache_dir("azenvcloud")) / "metadata"
    assert cache.folder.is_relative_to(tmp_path)
