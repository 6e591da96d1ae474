"""The review of the trust rule (issue 15's follow-up): each finding, as the attack that worked.

Each test is an attack from a security review of the rule (its findings F1 to F13) and failed
before its fix; the set-ups that must keep working are in tests/test_trust.py, whose helpers these
tests share.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import (
    ATTACKER_HOST,
    CANARY_SECRET,
    DATA,
    assert_nothing_sent,
    assert_refused_by_the_rule,
    dotenv,
)

import azenvcloud
from azenvcloud import ConfigurationError, get_resource_client, get_settings
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


def test_a_relative_snapshot_path_is_refused(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The repository ships cloud.json; the environment names it relatively.
    (tmp_path / "cloud.json").write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "cloud.json")
    with pytest.raises(ConfigurationError, match="relative path") as caught:
        get_settings()
    assert caught.value.variables == ("AZURE_CLOUD_METADATA_URL",)


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


def test_a_built_in_audience_with_a_customer_vm_host_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", "attacker.eastus.cloudapp.azure.com")
    with pytest.raises(ConfigurationError, match="is an audience of AzureCloud"):
        get_settings()


def test_a_public_audience_on_another_clouds_host_is_the_mixed_cloud_error(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_BLOB_SUFFIX", "blob.core.usgovcloudapi.net")
    with pytest.raises(ConfigurationError):
        get_settings()


def test_instance_discovery_is_not_turned_on_by_the_implicit_env_file(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path
) -> None:
    env_file = dotenv(tmp_path / ".env", AZURE_DISABLE_INSTANCE_DISCOVERY="false")
    with (
        azenvcloud_fake_cloud.route_hosts("login.microsoftonline.com"),
        pytest.raises(ConfigurationError) as caught,
    ):
        get_resource_client()
    assert_refused_by_the_rule(caught.value, "AZURE_DISABLE_INSTANCE_DISCOVERY", env_file)
    assert azenvcloud_fake_cloud.requests == []


def test_an_implicit_env_file_symlinked_to_a_secret_shows_none_of_it(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "mounted-secret"
    secret_file.write_text("Xy7Qsecretpart~rest-of-the-secret\n", encoding="utf-8")
    (tmp_path / ".env").symlink_to(secret_file)  # committed in the repository
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert "Xy7Q" not in str(caught.value)


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


@pytest.mark.parametrize("location", ["AZURE_CLOUD_METADATA_URL", "ARM_CLOUD_METADATA_URL"])
@pytest.mark.parametrize("document", ["metadata_azure_stack_adfs", "metadata_2015"])
def test_a_resource_manager_from_the_implicit_env_file_never_stands_in_for_one_the_metadata_lacks(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str,
    location: str,
) -> None:
    fake = azenvcloud_fake_cloud
    fake.serve_metadata({"2022-09-01": getattr(fake, document)})  # no resourceManager in it
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    if document == "metadata_azure_stack_adfs":
        azenvcloud_env.delenv("AZURE_TENANT_ID")  # ADFS: tenant adfs
    azenvcloud_env.setenv(location, fake.url)  # the stamp, named in the environment
    env_file = dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{ATTACKER_HOST}")
    with fake.route_hosts(ATTACKER_HOST), pytest.raises(ConfigurationError) as caught:
        list(get_resource_client().resource_groups.list())
    assert_refused_by_the_rule(caught.value, "AZURE_RESOURCE_MANAGER", env_file)
    assert_nothing_sent(fake)


@pytest.mark.parametrize("name", ["AzureCloud", "dod"])
def test_a_built_in_name_from_the_implicit_env_file_must_agree_with_the_metadata(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    for variable in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(variable)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", azenvcloud_fake_cloud.url)
    dotenv(tmp_path / ".env", AZURE_CLOUD=name)
    with pytest.raises(ConfigurationError):
        get_settings()


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


@pytest.mark.parametrize("document", ["metadata_azure_stack_adfs", "metadata_2015"])
def test_the_stamps_own_resource_manager_from_the_implicit_env_file_is_still_accepted(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, document: str
) -> None:
    fake = azenvcloud_fake_cloud  # the metadata lacks resourceManager: the location's is the stamp's
    fake.serve_metadata({"2022-09-01": getattr(fake, document)})
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", fake.url)
    dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=fake.url)
    assert get_settings().resource_manager == fake.url


def test_a_relative_file_url_snapshot_is_refused_and_an_absolute_path_works(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "cloud.json").write_text((DATA / "az-cloud-show-ussec.json").read_text(), encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "./cloud.json")
    with pytest.raises(ConfigurationError, match="give an absolute path"):
        get_settings()
    azenvcloud.reset()
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(tmp_path / "cloud.json"))
    assert get_settings().cloud_name == "USSec"


def test_instance_discovery_from_the_implicit_env_file_may_repeat_the_derived_value(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv(tmp_path / ".env", AZURE_CLOUD="china", AZURE_DISABLE_INSTANCE_DISCOVERY="false")
    assert get_settings().disable_instance_discovery is False


def test_an_implicit_env_file_linked_outside_the_working_directory_is_refused_unread(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret_file = tmp_path_factory.mktemp("run-secrets") / "azure_client_secret"
    secret_file.write_text("Xy7Qsecretpart~rest-of-the-secret\n", encoding="utf-8")
    (tmp_path / ".env").symlink_to(secret_file)
    with pytest.raises(
        ConfigurationError, match="symbolic link to a file outside the working directory"
    ) as caught:
        get_settings()
    assert "Xy7Q" not in str(caught.value)
    assert caught.value.variables == ("AZENVCLOUD_ENV_FILE",)


def test_an_implicit_env_file_linked_inside_the_working_directory_is_read(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv(tmp_path / "env.china", AZURE_CLOUD="china")
    (tmp_path / ".env").symlink_to(tmp_path / "env.china")
    assert get_settings().cloud_name == "AzureChinaCloud"


def test_a_parse_error_names_the_variable_only_before_its_equals_sign(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("AZURE_CLOUD='china\n", encoding="utf-8")  # an unclosed quote
    with pytest.raises(ConfigurationError, match="the line setting AZURE_CLOUD that cannot be parsed"):
        get_settings()


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


def test_a_resource_manager_from_the_implicit_env_file_never_completes_a_snapshot_that_lacks_one(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    snapshot = tmp_path / "stamp" / "cloud.json"  # a 2015-01-01 document: no resourceManager
    snapshot.parent.mkdir()
    snapshot.write_text(json.dumps(fake.metadata_2015(fake.url)), encoding="utf-8")
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    env_file = dotenv(tmp_path / ".env", AZURE_RESOURCE_MANAGER=f"https://{ATTACKER_HOST}")
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert_refused_by_the_rule(caught.value, "AZURE_RESOURCE_MANAGER", env_file)
    assert_nothing_sent(fake)
