"""``azenvcloud show``: every resolved value with its source (true sources: a value azenvcloud fills in
itself is ``derived``), the named ``.env`` file, hidden values marked as such, the cache folder as
it is, and which credential will answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


def test_show_explains_the_public_defaults(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "cloud AzureCloud" in out
    assert "https://login.microsoftonline.com" in out
    assert "<- default of AzureCloud" in out
    assert "https://management.azure.com/.default" in out


def test_show_json_has_value_and_source_per_name(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    assert main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cloud_name"] == "AzureChinaCloud"
    assert document["values"]["authority_host"] == {
        "value": "https://login.chinacloudapi.cn",
        "source": "environment",
    }
    assert document["values"]["resource_manager"]["source"] == "default of AzureChinaCloud"
    assert document["values"]["credential_scopes"]["value"] == [
        "https://management.chinacloudapi.cn/.default"
    ]


def test_show_reads_the_named_env_file(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    env_file = Path(str(tmp_path)) / "prod.env"
    env_file.write_text("AZURE_CLOUD=bleu\n", encoding="utf-8")
    assert main(["show", "--json", "--env-file", str(env_file)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cloud_name"] == "AzureBleuCloud"
    assert document["env_file"] == str(env_file.resolve())


def test_show_names_the_credential_that_will_answer_first(
    azenvcloud_fake_cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["first_credential"] == "EnvironmentCredential"
    assert document["credential_chain"] == [
        {"credential": "EnvironmentCredential", "status": "ready: service principal with a client secret"}
    ]
    assert not azenvcloud_fake_cloud.requests  # showing asks nobody for anything


def test_show_without_identity_variables_says_managed_identity_comes_first(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "first to answer: ManagedIdentityCredential if it can answer here" in out
    assert "EnvironmentCredential        not set up" in out


def test_the_adfs_tenant_azenvcloud_fills_in_shows_as_derived(
    azure_stack_adfs: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    tenant = document["identity_variables"]["AZURE_TENANT_ID"]
    assert tenant["value"] == "adfs"
    assert tenant["source"].startswith("derived: an ADFS authority")
    assert document["warnings"] == []  # azenvcloud's own value is nobody's "second place"
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "AZURE_TENANT_ID" in out
    assert ".env file None" not in out


def test_a_workload_identity_pod_lists_no_missing_client_secret(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = tmp_path / "token"
    token.write_text("token-from-the-webhook", encoding="utf-8")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn/")
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_TENANT_ID", "72f988bf-0000-4000-8000-00000000fa4e")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token))
    assert main(["show", "--json"]) == 0
    chain = {
        item["credential"]: item["status"] for item in json.loads(capsys.readouterr().out)["credential_chain"]
    }
    assert chain["WorkloadIdentityCredential"] == "ready: federated token file"
    assert "missing" not in chain["EnvironmentCredential"]
    assert (
        chain["EnvironmentCredential"]
        == "not set up (no AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)"
    )


def test_a_service_principal_half_set_up_still_says_what_it_lacks(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_TENANT_ID", "72f988bf-0000-4000-8000-00000000fa4e")
    assert main(["show"]) == 0
    lacks = "not set up (service principal with a client secret: AZURE_CLIENT_SECRET missing)"
    assert f"EnvironmentCredential        {lacks}" in (capsys.readouterr().out)


def test_show_says_what_a_half_set_up_credential_lacks(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "s")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "not set up (service principal with a client secret: AZURE_TENANT_ID missing)" in out


def test_show_never_prints_a_control_character_from_an_identity_variable(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "\x1b[2J\x1b[31mclient")
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "'\\x1b[2J\\x1b[31mclient'" in out


def test_show_json_marks_hidden_values_structurally(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "a-secret-that-never-shows")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    assert main(["show", "--json"]) == 0
    out = capsys.readouterr().out
    identity = json.loads(out)["identity_variables"]
    assert identity["AZURE_CLIENT_SECRET"] == {"value": None, "hidden": True, "source": "environment"}
    assert identity["AZURE_CLIENT_ID"] == {
        "value": "0c0ffee0-0000-4000-8000-000000000001",
        "hidden": False,
        "source": "environment",
    }
    assert "a-secret-that-never-shows" not in out


def test_show_prints_the_cache_folder_itself(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    azenvcloud_env.delenv("AZENVCLOUD_CACHE_DIR")
    azenvcloud_env.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    assert main(["show"]) == 0
    folder = str(tmp_path / "cache-home" / "azenvcloud" / "metadata")
    assert "AZENVCLOUD_CACHE_DIR" in capsys.readouterr().out.split(folder)[0]
    assert main(["show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["values"]["metadata_cache_dir"]["value"] == folder
