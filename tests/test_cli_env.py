"""``azenvcloud env``: a cloud description (``az cloud show``, a metadata URL or document, a snapshot)
turned into the ``AZURE_*`` lines that select it, round-tripping to the same cloud; the API profile
it was registered with kept; errors that name the option; a snapshot written as a new file, never
through a symbolic link."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers import (
    DATA,
)

import azenvcloud
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


def resolved_from_lines(text: str, tmp_path: Path) -> azenvcloud.Settings:
    env_file = tmp_path / "pasted.env"
    env_file.write_text(text, encoding="utf-8")
    return azenvcloud.Settings(_env_file=env_file)


def test_env_from_az_cloud_show_points_at_the_file_and_round_trips(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azenvcloud._cli.env import same_cloud
    from azenvcloud._metadata import cloud_from_metadata

    source = DATA / "az-cloud-show-ussec.json"
    assert main(["env", "--from-az-cloud-show", str(source)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"# USSec, from {source} (azenvcloud env)"
    # Three variables cannot carry USSec's name and suffixes: the lines point at the file.
    assert [line for line in out.splitlines() if not line.startswith("#")] == [
        "AZURE_CLOUD=USSec",
        f"AZURE_CLOUD_METADATA_URL={source.resolve()}",
    ]
    expected = cloud_from_metadata(source.read_text(encoding="utf-8"))
    settings = resolved_from_lines(out, tmp_path)
    assert settings.cloud_name == "USSec"
    assert settings.suffixes.keyvault_dns == ".vault.cloudapi.microsoft.scloud"
    assert same_cloud(settings.cloud, expected)


def test_env_reads_az_cloud_show_from_standard_input(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = {
        "name": "AzureChinaCloud",
        "endpoints": {
            "activeDirectory": "https://login.chinacloudapi.cn",
            "activeDirectoryResourceId": "https://management.core.chinacloudapi.cn/",
            "resourceManager": "https://management.chinacloudapi.cn/",
        },
    }
    azenvcloud_env.setattr("sys.stdin", io.StringIO(json.dumps(shown)))
    assert main(["env", "--from-az-cloud-show", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["AZURE_CLOUD=AzureChinaCloud"]


def test_env_from_a_metadata_array_takes_the_named_cloud_and_round_trips(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azenvcloud._cli.env import same_cloud
    from azenvcloud._metadata import cloud_from_metadata

    source = DATA / "metadata-2019-05-01-public.json"  # an array of every public cloud
    assert main(["env", "--from-metadata", str(source), "--cloud", "usgov"]) == 0
    out = capsys.readouterr().out
    # The document's US Government has values beyond the built-in table: the file carries them.
    assert [line for line in out.splitlines() if not line.startswith("#")] == [
        "AZURE_CLOUD=AzureUSGovernment",
        f"AZURE_CLOUD_METADATA_URL={source.resolve()}",
    ]
    expected = cloud_from_metadata(source.read_text(encoding="utf-8"), name="AzureUSGovernment")
    assert same_cloud(resolved_from_lines(out, tmp_path).cloud, expected)


def test_env_from_an_adfs_metadata_url_round_trips_through_the_url_or_a_snapshot(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azenvcloud._cli.env import same_cloud

    fake = azenvcloud_fake_cloud
    fake.serve_metadata({"2022-09-01": fake.metadata_azure_stack_adfs})
    url = f"{fake.url}/metadata/endpoints?api-version=2022-09-01"
    assert main(["env", "--from-metadata", url]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    assert lines == ["AZURE_CLOUD=AzureStackCloud", f"AZURE_CLOUD_METADATA_URL={url}"]
    from_url = resolved_from_lines("\n".join(lines), tmp_path)
    assert from_url.cloud.adfs
    assert from_url.suffixes.keyvault_dns == ".vault.local.azurestack.external"

    snapshot = tmp_path / "stamp.json"
    assert main(["env", "--from-metadata", url, "--snapshot", str(snapshot)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    assert lines == ["AZURE_CLOUD=AzureStackCloud", f"AZURE_CLOUD_METADATA_URL={snapshot}"]
    fake.reset()  # from here on, resolving may ask nothing of the fake
    azenvcloud.reset()
    from_snapshot = resolved_from_lines("\n".join(lines), tmp_path)
    assert same_cloud(from_snapshot.cloud, from_url.cloud)
    assert fake.requests_of("metadata") == []


def test_env_from_standard_input_that_variables_cannot_carry_asks_for_a_snapshot(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setattr("sys.stdin", io.StringIO((DATA / "az-cloud-show-ussec.json").read_text()))
    assert main(["env", "--from-az-cloud-show", "-"]) == 2
    err = capsys.readouterr().err
    assert "--snapshot PATH" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["env", "--from-metadata", "{data}/az-cloud-show-ussec.json.missing"], "--from-metadata="),
        (["env", "--from-az-cloud-show", "https://example.invalid/cloud.json"], "--from-az-cloud-show "),
        (["env", "--from-az-cloud-show", "{data}/../conftest.py"], "--from-az-cloud-show="),
    ],
)
def test_env_with_an_unusable_source_exits_2_naming_the_option(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    assert main([part.format(data=DATA) for part in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"azenvcloud: configuration error: {named}")
    assert err.count("\n") == 1


def test_env_needs_a_source(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["env"])
    assert exited.value.code == 64  # a usage error, told apart from a configuration error
    assert "one of the arguments --from-az-cloud-show --from-metadata is required" in capsys.readouterr().err


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


def test_the_snapshot_is_not_written_through_a_symlink(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / "cloud-snapshot.json").symlink_to(victim)
    argv = ["env", "--from-az-cloud-show", str(DATA / "az-cloud-show-ussec.json"), "--snapshot"]
    assert main([*argv, "cloud-snapshot.json"]) == 2
    assert victim.read_text(encoding="utf-8") == "precious\n"
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--snapshot 'cloud-snapshot.json' is a symbolic link" in err


def test_the_snapshot_is_written_to_a_new_file_and_replaces_an_old_one(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["env", "--from-az-cloud-show", str(DATA / "az-cloud-show-ussec.json"), "--snapshot"]
    (tmp_path / "cloud-snapshot.json").write_text("old\n", encoding="utf-8")
    assert main([*argv, "cloud-snapshot.json"]) == 0
    assert json.loads((tmp_path / "cloud-snapshot.json").read_text(encoding="utf-8"))["name"] == "USSec"
    assert f"AZURE_CLOUD_METADATA_URL={tmp_path / 'cloud-snapshot.json'}" in capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cloud-snapshot.json"]  # no temporary left


METADATA = str(DATA / "az-cloud-show-ussec.json")
