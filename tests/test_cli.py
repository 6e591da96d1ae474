"""The ``azenvcloud`` command line: show, clouds, check, env and demo, with their exit statuses."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA

import azenvcloud
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


# -- every command -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["show"], ["clouds"], ["check"], ["env"], ["demo"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: azenvcloud {' '.join(command)}".rstrip())
    assert "--help" in out


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


# -- clouds ----------------------------------------------------------------------------------


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


# -- check -----------------------------------------------------------------------------------


def test_check_offline_builds_everything_and_contacts_nobody(
    azenvcloud_fake_cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "configuration: ok, cloud Custom" in out
    assert "first credential  EnvironmentCredential" in out
    assert azenvcloud_fake_cloud.requests == []


def test_check_online_gets_a_token_and_lists_subscriptions(
    azenvcloud_fake_cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    scope = f"{azenvcloud_fake_cloud.audience}/.default"  # its audience ends in "/": kept, as the CLI does
    azenvcloud_fake_cloud.accept_scopes(scope)
    assert main(["check", "--online"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"token +ok in \d+\.\d{{3}} s from EnvironmentCredential for {re.escape(scope)}", out)
    assert re.search(r"subscriptions +1 listed in \d+\.\d{3} s", out)
    assert f"{azenvcloud_fake_cloud.subscriptions[0]}  Fake subscription 1" in out
    assert [r.kind for r in azenvcloud_fake_cloud.requests] == ["openid", "token", "arm"]


def test_check_online_notes_a_subscription_the_identity_cannot_see(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    azenvcloud_env.setenv("AZURE_SUBSCRIPTION_ID", other)
    assert main(["check", "--online"]) == 0
    assert f"note: AZURE_SUBSCRIPTION_ID {other} is not among them" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "status", "step"),
    [("/token", 401, "getting a token"), ("/subscriptions", 403, "listing subscriptions")],
)
def test_check_online_failure_exits_3_with_one_line(
    azenvcloud_fake_cloud: FakeCloud,
    capsys: pytest.CaptureFixture[str],
    path: str,
    status: int,
    step: str,
) -> None:
    azenvcloud_fake_cloud.fail(path, status, times=10)
    assert main(["check", "--online"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"azenvcloud: {step} failed: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_check_online_against_a_closed_port_exits_3(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", f"https://127.0.0.1:{closed}")
    assert main(["check", "--online"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("azenvcloud: getting a token failed: ")
    assert err.count("\n") == 1
    # The host and the reason, never the HTTP library's classes (issue 27).
    assert f"127.0.0.1:{closed}: Failed to establish a new connection" in err
    assert "HTTPSConnection" not in err
    assert " object at 0x" not in err


def test_check_with_a_broken_configuration_exits_2(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "NoSuchCredential")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("azenvcloud: configuration error: azure-identity refused AZURE_TOKEN_CREDENTIALS=")
    assert err.count("\n") == 1


# -- env -------------------------------------------------------------------------------------


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


# -- demo ------------------------------------------------------------------------------------


def test_demo_runs_the_whole_chain_as_china_and_restores_the_environment(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "bleu")  # the user's own configuration must not leak in
    (Path.cwd() / ".env").write_text("AZURE_SUBSCRIPTION_ID=not-a-guid\n", encoding="utf-8")
    before = dict(os.environ)
    assert main(["demo", "--cloud", "china"]) == 0
    out = capsys.readouterr().out
    assert "a fake AzureChinaCloud, its real host names resolved to https://127.0.0.1:" in out
    assert "rg-alpha" in out
    assert "Fake subscription 1" in out
    assert "POST https://login.chinacloudapi.cn/" in out
    assert "a token for https://management.chinacloudapi.cn/.default" in out
    assert "GET https://management.chinacloudapi.cn/subscriptions/" in out
    assert "fake-token-" not in out  # tokens are never printed
    assert dict(os.environ) == before


def test_demo_of_an_unknown_cloud_exits_2(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cloud", "atlantis"]) == 2
    assert "--cloud='atlantis' is not usable" in capsys.readouterr().err  # the flag typed


def test_authentication_failure_is_one_line_on_stderr_in_a_real_process(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    """azure-identity logs a multi-line warning when the chain fails; the command hides it."""
    azenvcloud_fake_cloud.fail("/token", 401, times=5, body={"error": "invalid_client"})
    env = {"PATH": os.environ.get("PATH", ""), **azenvcloud_fake_cloud.environment()}
    result = subprocess.run(
        [sys.executable, "-m", "azenvcloud", "check", "--online"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.startswith("azenvcloud: getting a token failed: ")
    assert result.stderr.count("\n") == 1
