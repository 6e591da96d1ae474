"""What every command of ``azenvcloud`` shares: exit statuses (2 for a configuration that does not
resolve, 3 for a cloud that does not answer, 64 for a usage error), one line on stderr for an
error and a traceback only with ``--debug`` (before or after the command), JSON on errors too,
``--version`` and ``--help``. Each command's own behaviour is in ``test_cli_<command>.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from azenvcloud import ConfigurationError
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


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


# -- clouds ----------------------------------------------------------------------------------


# -- check -----------------------------------------------------------------------------------


# -- env -------------------------------------------------------------------------------------


# -- demo ------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("command", ["show", "check"])
def test_json_commands_print_json_on_errors_too(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "mars")
    assert main([command, "--json"]) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["kind"] == "configuration error"
    assert error["variables"] == ["AZURE_CLOUD"]
    assert error["message"].startswith("AZURE_CLOUD='mars'")
    assert captured.err.count("\n") == 1


def test_a_wrong_client_secret_is_exit_3_with_the_identity_platforms_words(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "not-the-secret")
    assert main(["check", "--online"]) == 3
    assert "AADSTS7000215: Invalid client secret provided." in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--debug", "check"], ["check", "--debug"]], ids=["before", "after"])
def test_debug_works_before_or_after_the_command(azenvcloud_env: pytest.MonkeyPatch, argv: list[str]) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "mars")
    with pytest.raises(ConfigurationError):
        main(argv)


def test_a_usage_error_has_its_own_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--no-such-option"])
    assert exited.value.code == 64
    assert "usage error" in capsys.readouterr().err
