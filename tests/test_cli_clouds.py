"""``azenvcloud clouds``: every built-in cloud, every name it answers to (the variants, ``Custom``, the
retired names), and its endpoints, as text and ``--json``."""

from __future__ import annotations

import json

import pytest

import azenvcloud
from azenvcloud._cli import main


def test_clouds_json_lists_every_builtin_cloud_and_every_name_resolves_to_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["clouds", "--json"]) == 0
    listed = [cloud for cloud in json.loads(capsys.readouterr().out) if cloud["kind"] == "builtin"]
    assert [cloud["name"] for cloud in listed] == list(azenvcloud.BUILTIN_CLOUDS)
    for cloud in listed:
        assert "AZURE_CLOUD" not in cloud["names"]
        for name in cloud["names"]:
            resolved = azenvcloud.cloud_from_name(name)
            assert resolved.name == cloud["name"]
            assert resolved.credential_scopes == tuple(cloud["credential_scopes"])


def test_clouds_text_shows_names_endpoints_and_the_retired_cloud(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clouds"]) == 0
    out = capsys.readouterr().out
    assert "AzureChinaCloud, AZURE_CHINA_CLOUD, AZURE_CHINA, AzureChina, china, mooncake" in out
    assert "https://management.core.usgovcloudapi.net/.default" in out
    assert "Retired, refused: AzureGermanCloud" in out


def test_clouds_lists_every_name_azure_cloud_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clouds"]) == 0
    out = capsys.readouterr().out
    for name in ("dod", "usgovernmentl5", "Custom", "AzureGermanCloud"):
        assert name in out
    assert "dod: this cloud with graph at https://dod-graph.microsoft.us" in out


def test_clouds_json_lists_variants_custom_and_retired_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clouds", "--json"]) == 0
    listed = {cloud["name"]: cloud for cloud in json.loads(capsys.readouterr().out)}
    assert {name: cloud["kind"] for name, cloud in listed.items() if cloud["kind"] != "builtin"} == {
        "Custom": "custom",
        "GovSGCloud": "without_resource_manager",
        "AzureGermanCloud": "retired",
    }
    assert "govsg" in listed["GovSGCloud"]["names"]
    assert set(listed["AzureUSGovernment"]["variants"]) == {"dod", "usgovernmentl5"}
    for variant in listed["AzureUSGovernment"]["variants"]:
        assert azenvcloud.cloud_from_name(variant).name == "AzureUSGovernment"
    assert "germany" in listed["AzureGermanCloud"]["names"]
    assert "closed" in listed["AzureGermanCloud"]["reason"]
