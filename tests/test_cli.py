"""``python -m azenvcloud`` / ``azenvcloud show``: the resolved configuration and its sources."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from azenvcloud.cli import main


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


def test_show_never_prints_a_secret(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "canary-secret-7f3a")
    azenvcloud_env.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", "canary-password-9b1c")
    for argv in ([], ["show", "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "canary" not in out
        assert "AZURE_CLIENT_SECRET" in out
        assert "0c0ffee0-0000-4000-8000-000000000001" in out


def test_broken_configuration_exits_2_with_one_line(azenvcloud_env: pytest.MonkeyPatch) -> None:
    env = {"AZURE_CLOUD": "china", "AZURE_RESOURCE_MANAGER": "https://management.azure.com", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "azenvcloud"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("azenvcloud: configuration error: AZURE_CLOUD='china' selects AzureChinaCloud")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azenvcloud import ConfigurationError

    azenvcloud_env.setenv("AZURE_CLOUD", "atlantis")
    with pytest.raises(ConfigurationError):
        main(["--debug"])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from azenvcloud import __version__

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"azenvcloud {__version__}"
