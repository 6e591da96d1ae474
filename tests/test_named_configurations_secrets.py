"""A named configuration's secrets never appear in a message, whichever configuration's message it
is: ``GOV_AZURE_CLIENT_SECRET`` and ``GOV_AZURE_CLIENT_CERTIFICATE_PASSWORD`` (from the environment
or a ``.env`` file) are redacted as ``AZURE_CLIENT_SECRET`` is, even in a process that never built
``gov``'s settings (the default's resolution, ``azenvcloud show``), and even inside another
variable's value (as a tool that expanded ``${GOV_AZURE_CLIENT_SECRET}`` would leave it)."""

from __future__ import annotations

from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError
from azenvcloud._cli import main

SECRET = "Zq8xW3vK9mP2rT7yL4nB6cD1"  # random-looking: words would redact other tests' output
FRAGMENT = SECRET[3:11].lower()  # no run of 8 of its characters is shown either


def assert_hidden(text: str) -> None:
    assert SECRET.lower() not in text.lower()
    assert FRAGMENT not in text.lower()


@pytest.mark.parametrize("variable", ["GOV_AZURE_CLIENT_SECRET", "GOV_AZURE_CLIENT_CERTIFICATE_PASSWORD"])
def test_a_named_secret_from_the_environment_is_not_in_the_default_configurations_error(
    azenvcloud_env: pytest.MonkeyPatch, variable: str
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv(variable, SECRET)
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", f"https://{SECRET.lower()}.attacker.example:99999")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert "AZURE_AUTHORITY_HOST=" in str(caught.value)  # the message quotes the value, redacted
    assert_hidden(str(caught.value))


def test_a_named_secret_from_the_dotenv_file_is_not_in_the_default_configurations_error(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "AZENVCLOUD_CONFIGURATIONS=gov\n"
        f"GOV_AZURE_CLIENT_SECRET={SECRET}\n"
        f"AZURE_AUTHORITY_HOST=https://{SECRET.lower()}.attacker.example\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    assert "AZURE_AUTHORITY_HOST=" in str(caught.value)
    assert_hidden(str(caught.value))


def test_a_named_secret_is_not_in_what_show_writes(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv("GOV_AZURE_CLIENT_SECRET", SECRET)
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", f"https://{SECRET.lower()}.attacker.example:99999")
    main(["show"])
    captured = capsys.readouterr()
    assert "AZURE_AUTHORITY_HOST" in captured.out + captured.err
    assert_hidden(captured.out + captured.err)
