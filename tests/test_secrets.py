"""Secrets never leave: not in command output, error messages, ``repr`` or DEBUG logs.

Distinctive canaries stand in for the client secret and the certificate password; the fake
cloud's tokens (``fake-token-...``) are the token canary. The whole suite also runs with DEBUG
logging captured and checked (``conftest.py``); here every command and public object is
exercised on purpose.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from helpers import (
    CANARY_SECRET,
    DATA,
    dotenv,
)

import azenvcloud
from azenvcloud import ConfigurationError, aio, get_settings
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


def test_a_secret_expanded_into_another_value_is_never_printed(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    # What Flask's CLI leaves after expanding ${AZURE_CLIENT_SECRET} in .env before we run.
    dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{CANARY_SECRET}.attacker.example/{'x' * 200}")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert CANARY_SECRET not in str(caught.value)
    assert "<redacted>" in str(caught.value)
    assert main(["show"]) == 2
    assert CANARY_SECRET not in capsys.readouterr().err


def test_a_secret_is_redacted_from_warnings_and_show_lines(
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    logging.getLogger("azenvcloud").warning("azenvcloud: cannot use %s", f"{tmp_path}/{CANARY_SECRET}/cache")
    assert CANARY_SECRET not in caplog.text
    snapshot = tmp_path / CANARY_SECRET / "cloud.json"
    snapshot.parent.mkdir()
    snapshot.write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    for argv in (["show"], ["show", "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "USSec" in out
        assert CANARY_SECRET not in out


def test_the_secret_variables_are_the_ones_provenance_marks_secret() -> None:
    from azenvcloud._provenance import IDENTITY_VARIABLES
    from azenvcloud._secret_values import SECRET_VARIABLES

    assert set(SECRET_VARIABLES) == {name for name, secret in IDENTITY_VARIABLES.items() if secret}


SECRET_MIXED_CASE = "CanarySecret77E1NeverShown"


def test_a_secret_lower_cased_into_a_host_is_never_printed(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET_MIXED_CASE)
    azenvcloud_env.setenv("AZURE_SERVICE_GRAPH_ENDPOINT", f"https://{SECRET_MIXED_CASE}.attacker.example")
    azenvcloud_env.setenv("AZURE_SERVICE_GRAPH_AUDIENCE", "https://graph.microsoft.com")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert SECRET_MIXED_CASE.lower() not in str(caught.value).lower()
    azenvcloud.reset()
    azenvcloud_env.delenv("AZURE_SERVICE_GRAPH_ENDPOINT")
    azenvcloud_env.delenv("AZURE_SERVICE_GRAPH_AUDIENCE")
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", f"{SECRET_MIXED_CASE}.attacker.example")
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_AUDIENCE", "https://attacker.example")
    assert main(["show"]) == 0
    out = capsys.readouterr()
    assert SECRET_MIXED_CASE.lower() not in (out.out + out.err).lower()


def test_a_secret_with_url_syntax_is_not_printed_in_part(azenvcloud_env: pytest.MonkeyPatch) -> None:
    password = "hunter2?token=abcdef"
    azenvcloud_env.setenv("AZURE_PASSWORD", password)
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", f"https://x.attacker.example/{password}")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("argv", [["check"], ["check", "--json"], ["show"]])
def test_no_command_prints_a_secret_inside_another_value(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.contoso.example")
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", f"https://arm.contoso.example/{CANARY_SECRET}")
    azenvcloud_env.setenv("AZURE_AUDIENCE", "https://arm.contoso.example/")
    assert main(argv) == 0
    out = capsys.readouterr()
    assert CANARY_SECRET not in out.out + out.err


def test_a_non_ascii_secret_is_redacted_from_json_output(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = "pässwört-77e1-never-shown"
    azenvcloud_env.setenv("AZURE_PASSWORD", password)
    snapshot = tmp_path / password / "cloud.json"
    snapshot.parent.mkdir()
    snapshot.write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    for argv in (["show", "--json"], ["check", "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "USSec" in out
        assert password not in json.dumps(json.loads(out), ensure_ascii=False)


def test_a_secret_in_an_error_of_the_json_output_is_redacted(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "CanarySecret77E1NeverShown")
    azenvcloud_env.setenv("AZURE_CLOUD", "AzureCloud")  # the mixed-cloud error quotes the lower-cased URL
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://CanarySecret77E1NeverShown.attacker.example")
    assert main(["check", "--json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["variables"][0] == "AZURE_RESOURCE_MANAGER"
    assert "canarysecret77e1nevershown" not in (captured.out + captured.err).lower()
