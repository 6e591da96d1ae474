"""``check`` covers what a start-up probe needs: ``--strict`` makes every warning exit 2, the
``.env`` file looked at is named (``show`` too), the token store and its folder are reported, and
``--env-file`` errors speak the command line's words; every ``--json`` key is documented."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

CLI_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"


# -- check --strict ------------------------------------------------------------------------------


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


# -- the .env file looked at -------------------------------------------------------------------


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


# -- the token store and its folder --------------------------------------------------------------


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


# -- every --json key is documented ----------------------------------------------------------------

# Containers whose keys are names (settings, variables, services, clouds), not fixed keys.
_NAMED_KEYS = {"values", "identity_variables", "services", "variables", "variants"}


def _keys(document: Any, below: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(document, list):
        for item in document:
            found |= _keys(item, below)
    elif isinstance(document, dict):
        for key, value in document.items():
            if below not in _NAMED_KEYS:
                found.add(key)
            # A variant (dod) holds services by name, as "services" does.
            found |= _keys(
                value, key if below not in _NAMED_KEYS else "services" if below == "variants" else ""
            )
    return found


def test_every_key_of_every_json_document_is_documented(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.fake.azenvcloud.test")  # a *_source key
    documents = []
    for command in (
        ["show", "--json"],
        ["check", "--json"],
        ["check", "--online", "--json"],
        ["clouds", "--json"],
    ):
        assert main(command) == 0
        documents.append(json.loads(capsys.readouterr().out))
    snapshot = Path("cloud.json")
    snapshot.write_text(
        json.dumps(azenvcloud_fake_cloud.metadata_2022(azenvcloud_fake_cloud.url)), encoding="utf-8"
    )
    assert main(["env", "--from-metadata", str(snapshot), "--json"]) == 0
    documents.append(json.loads(capsys.readouterr().out))
    azenvcloud_env.setenv("AZURE_CLUOD", "x")
    azenvcloud.reset()  # the next process
    assert main(["check", "--strict", "--json"]) == 2
    documents.append(json.loads(capsys.readouterr().out))
    with azenvcloud_fake_cloud.route_hosts("login.microsoftonline.com"):
        assert main(["tenant", azenvcloud_fake_cloud.tenant_id, "--cloud", "public", "--json"]) == 0
    documents.append(json.loads(capsys.readouterr().out))
    page = CLI_REFERENCE.read_text(encoding="utf-8").split("## `--json` output", 1)[1].split("\n## ", 1)[0]
    undocumented = sorted(key for key in set().union(*map(_keys, documents)) if f'"{key}"' not in page)
    assert undocumented == []
