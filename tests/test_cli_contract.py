"""The command line's contract: errors for people (the variable actually at fault), JSON on
errors too, ``--debug`` anywhere, a usage error apart from a configuration error, and getters
that refuse the wrong kind of client."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError, aio
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

# -- 6. credential errors name the variable at fault -----------------------------------------


def certificate_environment(env: pytest.MonkeyPatch, path: str) -> None:
    env.delenv("AZURE_CLIENT_SECRET")
    env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", path)


@pytest.mark.parametrize("command", ["show", "check"])
def test_a_missing_certificate_names_its_variable(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    certificate_environment(azenvcloud_env, "/nope.pem")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("azenvcloud: configuration error: AZURE_CLIENT_CERTIFICATE_PATH='/nope.pem'")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_bad_certificate_is_blamed_on_its_path_not_on_token_credentials(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    garbage = tmp_path / "cert.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    certificate_environment(azenvcloud_env, str(garbage))
    azenvcloud_env.delenv("AZURE_TOKEN_CREDENTIALS")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == ("AZURE_CLIENT_CERTIFICATE_PATH",)
    assert "AZURE_TOKEN_CREDENTIALS" not in str(caught.value)


def test_a_malformed_tenant_is_blamed_on_the_tenant(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZURE_TENANT_ID", "bad tenant!")
    azenvcloud_env.delenv("AZURE_TOKEN_CREDENTIALS")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == ("AZURE_TENANT_ID",)
    assert str(caught.value).startswith("AZURE_TENANT_ID='bad tenant!' is not usable")


def test_show_says_what_a_half_set_up_credential_lacks(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "s")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "not set up (service principal with a client secret: AZURE_TENANT_ID missing)" in out


# -- 7. the command line's contract ----------------------------------------------------------


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


@pytest.mark.parametrize("name", ["AzureStackCloud", "AzureStack", "USSec", "USNat"])
def test_a_private_cloud_name_points_to_its_variables_not_to_a_builtin(
    azenvcloud_env: pytest.MonkeyPatch, name: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", name)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert "AZURE_RESOURCE_MANAGER" in message
    assert "AZURE_CLOUD_METADATA_URL" in message
    assert "did you mean" not in message


def test_the_sync_getter_refuses_an_async_client_class(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute.aio import ComputeManagementClient

    with pytest.raises(TypeError, match=r"azenvcloud\.aio\.get_client"):
        azenvcloud.get_client(ComputeManagementClient)


def test_the_async_getter_refuses_a_sync_client_class(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    async def build() -> None:
        aio.get_client(ComputeManagementClient)

    with pytest.raises(TypeError, match=r"azenvcloud\.get_client"):
        asyncio.run(build())


def test_a_missing_async_transport_names_the_extra(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    # aiohttp cannot be uninstalled for one test: hide it from the one lookup that asks for it.
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "aiohttp" else real(name, *a)
    )

    async def build() -> None:
        aio.get_credential()

    with pytest.raises(ImportError, match=r"pip install 'aiohttp>=3\.9' .*'/path/to/azenvcloud\[aio\]'"):
        asyncio.run(build())


def test_show_never_prints_a_control_character_from_an_identity_variable(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "\x1b[2J\x1b[31mclient")
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "'\\x1b[2J\\x1b[31mclient'" in out
