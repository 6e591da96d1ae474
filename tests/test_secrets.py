"""Secrets never leave: not in command output, error messages, ``repr`` or DEBUG logs.

Distinctive canaries stand in for the client secret and the certificate password; the fake
cloud's tokens (``fake-token-...``) are the token canary. The whole suite also runs with DEBUG
logging captured and checked (``conftest.py``); here every command and public object is
exercised on purpose.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from helpers import DATA

import azenvcloud
from azenvcloud import aio
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

SECRET = "canary-secret-0d5e-never-shown"
PASSWORD = "canary-password-a91f-never-shown"
TOKEN_PREFIX = "fake-token-"


@pytest.fixture
def canaries(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET)
    azenvcloud_fake_cloud.client_secret = SECRET  # the fake accepts the canary, so tokens flow
    azenvcloud_env.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", PASSWORD)
    azenvcloud_env.setenv("AZURE_PASSWORD", PASSWORD)
    azenvcloud_env.setenv("AZURE_USERNAME", "someone@example.test")
    return azenvcloud_fake_cloud


def assert_clean(text: str) -> None:
    for canary in (SECRET, PASSWORD, TOKEN_PREFIX):
        assert canary not in text


COMMANDS = [
    ["show"],
    ["show", "--json"],
    ["clouds"],
    ["clouds", "--json"],
    ["check"],
    ["check", "--online"],
    ["env", "--from-az-cloud-show", str(DATA / "az-cloud-show-ussec.json")],
    ["demo"],
    ["--debug", "check", "--online"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_no_command_prints_a_secret_or_token(
    canaries: FakeCloud,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert_clean(captured.out + captured.err + caplog.text)
    if argv[-1] == "--online":
        assert canaries.requests_of("token")  # a token was really issued and used


def test_failing_commands_print_no_secret(
    canaries: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    canaries.fail("/token", 401, times=5, body={"error": "invalid_client", "error_description": "bad"})
    assert main(["check", "--online"]) == 3
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", SECRET)  # a secret pasted in the wrong place
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert_clean(captured.out + caplog.text)
    assert PASSWORD not in captured.err


def test_a_secret_in_a_malformed_dotenv_line_is_not_quoted(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(".env").write_text(f"AZURE_CLIENT_SECRET='{SECRET}\n", encoding="utf-8")
    assert main(["show"]) == 2
    err = capsys.readouterr().err
    assert "AZURE_CLIENT_SECRET" in err
    assert SECRET not in err


def test_repr_of_every_public_object_hides_secrets(canaries: FakeCloud) -> None:
    import asyncio

    settings = azenvcloud.get_settings()
    credential = azenvcloud.get_credential()
    objects: list[object] = [
        settings,
        settings.cloud,
        settings.endpoints,
        settings.suffixes,
        settings.sources,
        credential,
        *credential.credentials,
        azenvcloud.get_resource_client(),
        azenvcloud.get_subscription_client(),
        azenvcloud.ConfigurationError("x", variables=("AZURE_CLOUD",)),
        canaries,
    ]
    list(azenvcloud.get_resource_client().resource_groups.list())
    objects += canaries.requests
    token = credential.get_token(settings.credential_scopes[0])  # azure-core's AccessToken: not ours

    async def async_objects() -> list[object]:
        found: list[object] = [aio.get_credential(), aio.get_resource_client()]
        await aio.close()
        return found

    objects += asyncio.run(async_objects())
    for obj in objects:
        assert_clean(repr(obj))
        assert_clean(str(obj))
    assert token.token.startswith(TOKEN_PREFIX)  # the canary is what the fake really issues
