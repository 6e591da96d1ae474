"""The command line's contract, completed (issue 18): one-line errors with exit 2 that name the
flag typed, every accepted cloud name listed, hidden values marked as such, the cache folder
shown as it is, and install hints that work without an index carrying azenvcloud."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from helpers import DATA

import azenvcloud
from azenvcloud import aio
from azenvcloud._cli import main
from azenvcloud._failure_hints import extra_packages, install_hint

METADATA = str(DATA / "az-cloud-show-ussec.json")


# -- env ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("missing/stack.json", id="missing-folder"),
        pytest.param(".", id="path-is-a-folder"),
    ],
)
def test_env_snapshot_that_cannot_be_written_is_one_line_exit_2(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    target = str(tmp_path / where)
    assert main(["env", "--from-az-cloud-show", METADATA, "--snapshot", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"azenvcloud: configuration error: --snapshot {target!r} cannot be written: ")
    assert "Traceback" not in captured.err


def test_env_json_gives_the_variables(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = str(DATA / "metadata-2022-09-01-public.json")
    assert main(["env", "--from-metadata", metadata, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cloud_name"] == "AzureCloud"
    assert document["variables"] == {"AZURE_CLOUD": "AzureCloud", "AZURE_CLOUD_METADATA_URL": metadata}
    assert document["lines"] == ["AZURE_CLOUD=AzureCloud", f"AZURE_CLOUD_METADATA_URL={metadata}"]


# -- clouds ---------------------------------------------------------------------------------------


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


# -- errors name the flag typed ---------------------------------------------------------------------


def test_demo_with_a_misspelt_cloud_blames_the_cloud_flag(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cloud", "chnia"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("azenvcloud: configuration error: --cloud='chnia' is not usable")
    assert "did you mean AzureChinaCloud?" in line
    assert "AZURE_CLOUD=" not in line


@pytest.mark.parametrize(
    ("cloud", "said"),
    [
        pytest.param("chnia", "it offers no cloud named 'chnia' (--cloud)", id="unknown-name"),
        pytest.param(None, "set --cloud to the one to use", id="several-none-chosen"),
    ],
)
def test_env_from_a_metadata_array_blames_the_cloud_flag(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cloud: str | None, said: str
) -> None:
    source = Path(__file__).parent / "data" / "metadata-2019-05-01-public.json"  # every public cloud
    chosen = ["--cloud", cloud] if cloud else []
    assert main(["env", "--from-metadata", str(source), *chosen]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert said in line
    assert "AZURE_CLOUD" not in line


def test_env_refuses_a_cloud_flag_that_picks_nothing_from_a_document_of_one_cloud(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Path(__file__).parent / "data" / "metadata-2022-09-01-public.json"  # one cloud: AzureCloud
    assert main(["env", "--from-metadata", str(source), "--cloud", "chnia"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert (
        "--cloud='chnia' names no cloud of the metadata, which describes one cloud only ('AzureCloud')"
        in line
    )


def test_demo_serve_with_a_cloud_it_does_not_know_blames_the_option_before_serving(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # demo --serve --cloud NAME serves a built-in cloud since issue 28 (tests/test_fake_for_any_process.py)
    assert main(["demo", "--serve", "--cloud", "chnia"]) == 2
    assert capsys.readouterr().err.startswith(
        "azenvcloud: configuration error: --cloud='chnia' is not usable"
    )


# -- show -----------------------------------------------------------------------------------------


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


# -- the library's own messages ---------------------------------------------------------------------


def test_service_scope_of_key_vault_says_it_comes_from_the_challenge(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(azenvcloud.ConfigurationError) as raised:
        azenvcloud.service_scope("keyvault")
    message = str(raised.value)
    assert "challenge" in message
    assert 'azenvcloud.get_client(SecretClient, vault="<name>")' in message
    assert raised.value.variables == ("AZURE_SERVICE_KEYVAULT_AUDIENCE",)


@pytest.mark.parametrize("extra", ["aio", "graph", "keyvault", "testing"])
def test_every_install_hint_works_without_an_index_carrying_azenvcloud(extra: str) -> None:
    hint = install_hint(extra)
    packages = extra_packages(extra)
    assert packages  # read from the installed metadata
    for package in packages:
        assert package in hint
    assert f"'/path/to/azenvcloud[{extra}]'" in hint


def test_a_missing_graph_sdk_names_its_package(
    azenvcloud_fake_cloud: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "msgraph", None)  # import msgraph now fails, as if not installed

    async def build() -> None:
        try:
            with azenvcloud_fake_cloud.as_cloud("china"):  # type: ignore[attr-defined]
                aio.get_graph_client()
        finally:
            await aio.close()

    with pytest.raises(
        ImportError, match=r"pip install 'msgraph-sdk>=1\.10' .*'/path/to/azenvcloud\[graph\]'"
    ):
        asyncio.run(build())
