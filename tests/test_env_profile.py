"""``env --from-az-cloud-show`` keeps the API profile the cloud was registered with: an Azure
Stack Hub stamp's ``"profile": "2020-09-01-hybrid"`` becomes ``AZURE_API_PROFILE``, so that its
clients keep the API versions the stamp serves (without it they get ``latest``)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers import DATA

import azenvcloud
from azenvcloud._cli import main


def _az_cloud_show(profile: str | None) -> str:
    document = json.loads((DATA / "az-cloud-show-ussec.json").read_text(encoding="utf-8"))
    if profile is None:
        del document["profile"]
    else:
        document["profile"] = profile
    return json.dumps(document)


def _resolve(lines: list[str], env: pytest.MonkeyPatch) -> azenvcloud.Settings:
    for line in lines:
        name, _, value = line.partition("=")
        env.setenv(name, value)
    azenvcloud.reset()
    return azenvcloud.get_settings()


def test_the_registered_profile_becomes_azure_api_profile_and_resolves(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = tmp_path / "stamp.json"
    shown.write_text(_az_cloud_show("2020-09-01-hybrid"), encoding="utf-8")
    assert main(["env", "--from-az-cloud-show", str(shown), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert "AZURE_API_PROFILE=2020-09-01-hybrid" in lines
    assert _resolve(lines, azenvcloud_env).api_profile == "2020-09-01-hybrid"


def test_standard_input_and_the_snapshot_keep_it(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setattr("sys.stdin", io.StringIO(_az_cloud_show("2019-03-01-hybrid")))
    snapshot = tmp_path / "snapshot.json"
    assert main(["env", "--from-az-cloud-show", "-", "--snapshot", str(snapshot)]) == 0
    assert "AZURE_API_PROFILE=2019-03-01-hybrid" in capsys.readouterr().out.splitlines()
    assert main(["env", "--from-az-cloud-show", str(snapshot)]) == 0  # the snapshot, read back
    assert "AZURE_API_PROFILE=2019-03-01-hybrid" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("profile", ["latest", None], ids=["latest", "none"])
def test_latest_or_no_profile_adds_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str | None
) -> None:
    shown = tmp_path / "stamp.json"
    shown.write_text(_az_cloud_show(profile), encoding="utf-8")
    assert main(["env", "--from-az-cloud-show", str(shown)]) == 0
    assert "AZURE_API_PROFILE" not in capsys.readouterr().out


def test_a_profile_without_api_versions_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = tmp_path / "stamp.json"
    shown.write_text(_az_cloud_show("2099-01-01-hybrid"), encoding="utf-8")
    assert main(["env", "--from-az-cloud-show", str(shown)]) == 2
    error = capsys.readouterr().err
    assert "registers the API profile '2099-01-01-hybrid'" in error
    assert "2020-09-01-hybrid" in error
