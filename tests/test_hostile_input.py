"""Hostile input stays input: azure-identity's variables copied from a .env file are checked like
every other value, and a URL's user-info is redacted however it is spelled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError
from azenvcloud._cli import main
from azenvcloud._errors import quote_value, redact_url

# -- identity variables from .env -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "char"),
    [
        pytest.param("AZURE_CLIENT_ID=abc\x00def", "\\x00", id="nul"),
        pytest.param('AZURE_CLIENT_ID="abc\\adef"', "\\x07", id="escape-sequence-decoded"),
        pytest.param("AZURE_CLIENT_ID=abc\x1b[31mdef", "\\x1b", id="escape-character"),
        pytest.param('AZURE_TENANT_ID="contoso\\ncom"', "\\n", id="line-break-decoded"),
        pytest.param("AZURE_USERNAME=a\u200bb", "\\u200b", id="zero-width-space"),
    ],
)
def test_a_control_character_in_a_dotenv_identity_variable_is_a_configuration_error(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str, char: str
) -> None:
    Path(".env").write_text(f"AZURE_CLOUD=china\n{line}\n", encoding="utf-8")
    name = line.split("=", 1)[0]
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == (name,)
    assert char in str(caught.value)
    assert name not in os.environ  # nothing exported
    azenvcloud.reset()
    assert main(["check"]) == 2  # one line, no traceback
    err = capsys.readouterr().err
    assert err.startswith(f"azenvcloud: configuration error: {name} (from the .env file ")
    assert err.count("\n") == 1
    assert "\x00" not in err
    assert "\x1b" not in err


def test_a_secret_with_a_control_character_is_named_but_never_shown(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(".env").write_text(
        "AZURE_CLOUD=china\nAZURE_TENANT_ID=contoso.onmicrosoft.com\nAZURE_CLIENT_ID=app\n"
        'AZURE_CLIENT_SECRET="hunter2\\thunter3"\n',
        encoding="utf-8",
    )
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "AZURE_CLIENT_SECRET" in err
    assert "hunter" not in err


@pytest.mark.parametrize(
    "quoted",
    [pytest.param("'abc\\x1bdef'", id="single-quoted"), pytest.param('"abc\\x1bdef"', id="double-quoted")],
)
def test_a_backslash_sequence_dotenv_does_not_decode_is_exported_as_written(
    azenvcloud_env: pytest.MonkeyPatch, quoted: str
) -> None:
    # python-dotenv decodes \n, \t and the like in double quotes only; \x1b stays four characters.
    Path(".env").write_text(f"AZURE_CLOUD=china\nAZURE_CLIENT_ID={quoted}\n", encoding="utf-8")
    azenvcloud.get_credential()
    assert os.environ["AZURE_CLIENT_ID"] == "abc\\x1bdef"


# -- user-info in URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        pytest.param("https://user:s3cret@host.example/x", "https://", id="two-slashes"),
        pytest.param("user:s3cret@host.example", "host.example", id="bare"),
        pytest.param("https:/user:s3cret@host.example", "https:/", id="one-slash"),
        pytest.param("https:\\\\user:s3cret@host.example", "https:\\\\", id="backslashes"),
        pytest.param("https:\\user:s3cret@host.example", "https:\\", id="one-backslash"),
        pytest.param("https://user:s3/cret@host.example/x", "host.example/x", id="slash-in-password"),
        pytest.param("https://user:s3#cret@host.example/x", "host.example/x", id="hash-in-password"),
        pytest.param("https://user:s3?cret@host.example", "host.example", id="question-mark-in-password"),
        pytest.param("https://user:s3cret@host.example:8443/x?api-version=1", ":8443/x", id="port-and-query"),
        pytest.param("X=user:s3cret@host.example:8080 failed", "X=", id="bare-after-equals"),
        pytest.param("ProxyError('http://user:s3cret@proxy:3128')", "ProxyError('http://", id="in-a-message"),
        pytest.param("https://user%3As3cret@host.example", "https://", id="percent-encoded-colon"),
    ],
)
def test_user_info_is_redacted_in_every_spelling(text: str, kept: str) -> None:
    for shown in (redact_url(text), quote_value(text)):
        assert "s3" not in shown
        assert "cret" not in shown
        assert "user" not in shown
        assert "<redacted>@" in shown
        assert kept in shown


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("https://management.azure.com/?api-version=2022-09-01", id="plain-url"),
        pytest.param("write to someone@contoso.com", id="an-address"),
        pytest.param("https://host.example:443/path", id="a-port"),
        pytest.param("https://<redacted>@host.example", id="already-redacted"),
    ],
)
def test_text_without_user_info_is_left_alone(text: str) -> None:
    assert redact_url(text) == text
