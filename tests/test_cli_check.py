"""``azenvcloud check [--online] [--strict]``: what a start-up probe needs. Offline it builds
everything and contacts nobody; online it gets a token (saying where it came from: the token store,
or a credential of the chain) and lists subscriptions; ``--strict`` makes every warning exit 2; the
``.env`` file looked at and the token store are reported; exit 2 for a configuration that does not
resolve, 3 for a cloud that does not answer."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


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
    # The host and the reason, never the HTTP library's classes.
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


def test_a_warning_exits_0_without_strict_and_2_with_it(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLUOD", "usgov")
    assert main(["check"]) == 0
    assert "warning: AZURE_CLUOD in the environment is not read" in capsys.readouterr().out
    assert main(["check", "--strict"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(
        "configuration: not ok under --strict (there is 1 warning), cloud AzureCloud"
    )
    assert captured.err.splitlines() == [
        "azenvcloud: configuration error: --strict makes warnings configuration errors, and there is 1 "
        "warning; the first: AZURE_CLUOD in the environment is not read: did you mean AZURE_CLOUD? "
        "(azenvcloud reads variables by their exact names)"
    ]


def test_strict_json_is_one_object_the_report_with_its_error(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLUOD", "usgov")
    assert main(["check", "--strict", "--json"]) == 2
    document = json.loads(capsys.readouterr().out)  # one object: json.loads refuses two
    assert document["configuration"] == "warnings"
    assert document["cloud_name"] == "AzureCloud"
    assert document["error"]["kind"] == "configuration error"
    assert document["error"]["message"].startswith("--strict makes warnings configuration errors")


def test_strict_goes_online_only_without_warnings(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--strict", "--online"]) == 0
    assert "subscriptions  1 listed" in capsys.readouterr().out
    azenvcloud_env.setenv("AZURE_CLUOD", "usgov")
    azenvcloud.reset()  # the next process
    azenvcloud_fake_cloud.reset()
    assert main(["check", "--strict", "--online"]) == 2
    assert azenvcloud_fake_cloud.requests == []  # stopped before anything was contacted


def test_show_and_check_name_the_env_file_they_looked_for_when_there_is_none(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "project"  # the .env is in another folder than the one the command runs in
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("AZURE_CLOUD=china\n", encoding="utf-8")
    looked_for = str(tmp_path / ".env")
    assert main(["show"]) == 0
    assert f".env file: (none read: no {looked_for})" in capsys.readouterr().out
    assert main(["check"]) == 0
    assert re.search(
        rf"^  \.env file +\(none read: no {re.escape(looked_for)}\)$", capsys.readouterr().out, re.M
    )
    for command in (["show", "--json"], ["check", "--json"]):
        assert main(command) == 0
        document = json.loads(capsys.readouterr().out)
        assert (document["env_file"], document["env_file_looked_for"]) == (None, looked_for)


@pytest.mark.parametrize(
    ("how", "text"),
    [
        pytest.param("implicit", "(found in the working directory)", id="implicit"),
        pytest.param("variable", "(named by AZENVCLOUD_ENV_FILE)", id="named-by-variable"),
        pytest.param("option", "(named by --env-file)", id="named-by-option"),
    ],
)
def test_check_names_the_env_file_it_read_and_how_it_was_chosen(
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    text: str,
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AZURE_CLOUD=china\n", encoding="utf-8")
    arguments = ["check"]
    if how == "variable":
        azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(env_file))
    elif how == "option":
        arguments += ["--env-file", str(env_file)]
    assert main(arguments) == 0
    assert f".env file         {env_file} {text}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "variable", "text"),
    [
        pytest.param(["--no-env-file"], None, "(none read: --no-env-file)", id="option"),
        pytest.param([], "none", "(none read: AZENVCLOUD_ENV_FILE=none)", id="variable"),
    ],
)
def test_no_env_file_to_read_is_said_as_such(
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    variable: str | None,
    text: str,
) -> None:
    if variable:
        azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", variable)
    assert main(["show", *arguments]) == 0
    assert f".env file: {text}" in capsys.readouterr().out
    assert main(["check", "--json", *arguments]) == 0
    assert json.loads(capsys.readouterr().out)["env_file_looked_for"] is None


def test_a_missing_env_file_option_is_named_as_the_command_line_option(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--env-file", "cfgs/.env"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "azenvcloud: configuration error: --env-file 'cfgs/.env' names no readable file ("
    )
    assert "--no-env-file reads none" in error
    assert "_env_file=" not in error


def test_check_reports_the_token_store_off_and_on(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert (
        "  tokens            kept in memory only (a forked worker inherits them)" in capsys.readouterr().out
    )
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    azenvcloud.reset()  # the next process
    folder = Path(os.environ["AZENVCLOUD_CACHE_DIR"]) / "tokens"
    assert main(["check"]) == 0
    assert (
        f"  tokens            kept unencrypted in {folder} (readable by you alone)" in capsys.readouterr().out
    )
    assert main(["check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["token_store"]
    assert (report["mode"], report["folder"], report["refused"]) == ("unencrypted", str(folder), None)


def test_check_says_why_the_token_store_refuses_its_folder_and_strict_fails(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    folder = Path(os.environ["AZENVCLOUD_CACHE_DIR"]) / "tokens"
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o777)  # open to every user: the store will not keep tokens there
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert f"warning: the token store is on but refuses {folder} (it is not a folder of this user's" in out
    assert f"NOT kept on disk: the store refuses {folder}" in out
    assert main(["check", "--strict"]) == 2


@pytest.mark.parametrize("inside", [False, True], ids=["a-file", "inside-a-file"])
def test_a_cache_folder_that_is_a_file_is_a_configuration_error(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: bool
) -> None:
    file = tmp_path / "cache"
    file.write_text("not a folder", encoding="utf-8")
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(file / "sub" if inside else file))
    assert main(["check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"azenvcloud: configuration error: AZENVCLOUD_CACHE_DIR='{file}")
    assert "not a folder" in error


def test_check_online_names_the_token_store_when_it_answered(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    assert main(["check", "--online"]) == 0
    assert _answered(capsys.readouterr().out) == "EnvironmentCredential"
    azenvcloud.reset()  # the next process: nothing in memory, the token on disk
    assert main(["check", "--online"]) == 0
    assert _answered(capsys.readouterr().out) == "the token store (no token request)"
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def _answered(out: str) -> str:
    return out.split("  token", 1)[1].split(" for ", 1)[0].split(" from ", 1)[1]


def test_check_online_json_reports_the_credential_as_values_a_script_can_compare(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    assert main(["check", "--online", "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert (token["credential"], token["from_token_store"]) == ("EnvironmentCredential", False)
    azenvcloud.reset()  # the next process: nothing in memory, the token on disk
    assert main(["check", "--online", "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert (token["credential"], token["from_token_store"]) == (None, True)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_check_json_reports_the_configuration(
    azenvcloud_fake_cloud: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--json", "--online"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["configuration"] == "ok"
    assert report["resource_manager"] == azenvcloud_fake_cloud.url
    assert report["token"]["credential"] == "EnvironmentCredential"
    assert [item["subscription_id"] for item in report["subscriptions"]["listed"]] == list(
        azenvcloud_fake_cloud.subscriptions
    )
