"""The .env file is input, not code, and no silent fall back: a file asked for must be there,
values are literal, it is read once, what it exported is taken back, and it cannot send a
secret from elsewhere to a host of its choosing; an implicit ``./.env`` linked outside the working
directory is refused unread, and a parse error shows none of the line past the variable's name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import (
    dotenv,
)

import azenvcloud
from azenvcloud import ConfigurationError, Settings, configure, get_resource_client, get_settings, reset
from azenvcloud._cli import main
from azenvcloud.testing import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, FakeCloud

SECRET = "canary-secret-5c1a-never-sent"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- 3. no silent fallback ------------------------------------------------------------------


def missing_file(tmp_path: Path) -> Path:
    return tmp_path / "nope" / ".env"


def a_folder(tmp_path: Path) -> Path:
    return tmp_path


def a_fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo.env")
    return tmp_path / "fifo.env"


def a_file_as_folder(tmp_path: Path) -> Path:
    write(tmp_path / "file", "")
    return tmp_path / "file" / ".env"


UNUSABLE = [
    pytest.param(missing_file, "names no readable file", id="missing"),
    pytest.param(a_folder, "is a folder", id="folder"),
    pytest.param(a_fifo, "is not a regular file", id="fifo"),
    pytest.param(a_file_as_folder, "names no readable file", id="not-a-folder"),
]


@pytest.mark.parametrize(("make", "problem"), UNUSABLE)
def test_an_env_file_named_in_code_must_be_a_readable_file(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, make: object, problem: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    for build in (lambda: Settings(_env_file=path), lambda: configure(_env_file=path)):
        with pytest.raises(ConfigurationError) as caught:
            build()
        assert str(path) in str(caught.value)
        assert problem in str(caught.value)
        assert caught.value.variables == ("AZENVCLOUD_ENV_FILE",)


@pytest.mark.parametrize(("make", "problem"), UNUSABLE)
def test_check_with_an_unusable_env_file_exits_2_naming_the_path(
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: object,
    problem: str,
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert main(["check", "--env-file", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(path) in captured.err
    assert problem in captured.err
    assert captured.err.count("\n") == 1


def test_env_file_none_reads_no_env_file(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / ".env", "AZURE_CLOUD=china\n")  # the working directory's
    assert Settings().cloud_name == "AzureChinaCloud"
    assert Settings(_env_file=False).cloud_name == "AzureCloud"
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    settings = Settings()
    assert settings.cloud_name == "AzureCloud"
    assert settings.env_file is None


def test_no_env_file_option_reads_none(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", "AZURE_CLOUD=china\n")
    assert main(["check", "--no-env-file"]) == 0
    assert capsys.readouterr().out.startswith("configuration: ok, cloud AzureCloud")


def test_cache_settings_in_the_env_file_are_read_with_their_source(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    cache = tmp_path / "from-dotenv-cache"
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZENVCLOUD_CACHE_DIR"):
        azenvcloud_env.delenv(name)
    # Named explicitly: only a named file may set the cache (./.env found implicitly may not).
    named = write(tmp_path / "cache.env", f"AZENVCLOUD_METADATA_TTL=0\nAZENVCLOUD_CACHE_DIR={cache}\n")
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(named))
    settings = Settings()
    assert settings.metadata_ttl == 0
    assert settings.metadata_cache_dir == str(cache)
    assert settings.source_of("metadata_ttl").kind == "dotenv"
    Settings()
    assert len(fake.requests_of("metadata")) == 2  # TTL 0 from .env: no cache, a fetch each time

    write(named, f"AZENVCLOUD_CACHE_DIR={cache}\n")
    Settings()
    assert len(list(cache.glob("*.json"))) == 1  # the cache folder from the named .env


@pytest.mark.parametrize("name", ["AZENVCLOUD_ENV_FILE", "ARM_CLOUD_METADATA_URL"])
def test_environment_only_variables_in_an_env_file_are_refused(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    write(tmp_path / ".env", f"{name}=/somewhere\n")
    with pytest.raises(ConfigurationError, match="only the process environment can set") as caught:
        Settings()
    assert caught.value.variables == (name,)


def test_configure_replaces_the_clients_built_before(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        china = get_resource_client()
        assert china._config.credential_scopes == ["https://management.chinacloudapi.cn/.default"]
        configure(cloud="usgov", token_prefetch=False)  # usgov is not the fake: contact nothing
        assert get_settings().cloud_name == "AzureUSGovernment"
        usgov = get_resource_client()
        assert usgov is not china
        assert usgov._config.base_url == "https://management.usgovcloudapi.net"
        assert usgov._config.credential_scopes == get_settings().credential_scopes


def test_reset_forgets_configure_arguments_as_documented(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    configure(cloud="usgov")
    assert get_settings().cloud_name == "AzureUSGovernment"
    reset()
    assert get_settings().cloud_name == "AzureChinaCloud"
    assert "configure" in (azenvcloud.reset.__doc__ or "")


def test_an_api_profile_a_client_ignores_is_refused_naming_the_sdk(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    configure(api_profile="2020-09-01-hybrid")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_client(ComputeManagementClient)
    message = str(caught.value)
    assert "api-version 2020-06-01" in message
    assert "azure-mgmt-compute 39." in message
    assert caught.value.variables == ("AZURE_API_PROFILE",)
    # A client that honours api_version is built as before.
    assert get_resource_client()._config.api_version == "2019-10-01"


# -- 4. no secret leaves through a .env file --------------------------------------------------


def test_env_file_values_are_literal_not_interpolated(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET)
    write(tmp_path / ".env", "AZURE_AUDIENCE=${AZURE_CLIENT_SECRET}\n")
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert SECRET not in str(caught.value)
    assert "${AZURE_CLIENT_SECRET}" in str(caught.value)


def test_a_metadata_url_in_env_file_cannot_carry_a_secret_out(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET)
    # Named explicitly (./.env found implicitly may not set a metadata URL at all): still literal.
    named = write(
        tmp_path / "cloud.env", f"AZURE_CLOUD_METADATA_URL={fake.url}/leak/${{AZURE_CLIENT_SECRET}}\n"
    )
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(named))
    with pytest.raises(ConfigurationError):
        main(["--debug", "show"])
    assert fake.requests, "the metadata URL was asked, literally"
    for request in fake.requests:
        assert SECRET not in request.path
        assert SECRET not in str(request.query)


def test_the_env_file_is_read_once_per_resolution(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azenvcloud import _env_file
    from azenvcloud import _settings as settings

    write(tmp_path / ".env", "AZURE_CLOUD=china\nAZURE_CLIENT_ID=00000000-0000-4000-8000-000000000001\n")
    reads: list[Path] = []
    real = _env_file.read_env_file

    def counting(path: Path, *, implicit: bool = False) -> _env_file.EnvFile:
        reads.append(path)
        return real(path, implicit=implicit)

    monkeypatch.setattr(settings, "read_env_file", counting)
    azenvcloud.get_credential()  # resolves the settings and exports identity variables
    assert len(reads) == 1
    assert os.environ["AZURE_CLIENT_ID"] == "00000000-0000-4000-8000-000000000001"


def test_reset_takes_back_what_the_env_file_exported(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        azenvcloud_env.delenv(name)
    env_file = write(
        tmp_path / ".env",
        f"AZURE_TENANT_ID={DEFAULT_TENANT_ID}\nAZURE_CLIENT_ID={DEFAULT_CLIENT_ID}\n"
        f"AZURE_CLIENT_SECRET={azenvcloud_fake_cloud.client_secret}\n",
    )
    list(get_resource_client().resource_groups.list())
    assert os.environ["AZURE_TENANT_ID"] == DEFAULT_TENANT_ID
    write(env_file, "AZURE_TENANT_ID=11111111-0000-4000-8000-000000000002\n")  # the developer edits .env
    reset()
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        assert name not in os.environ
    azenvcloud.get_credential()
    assert os.environ["AZURE_TENANT_ID"] == "11111111-0000-4000-8000-000000000002"


def test_configure_with_another_env_file_takes_back_the_old_exports(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.env", "AZURE_CLIENT_ID=00000000-0000-4000-8000-00000000000a\n")
    second = write(tmp_path / "second.env", "AZURE_CLOUD=china\n")
    configure(_env_file=first)
    azenvcloud.get_credential()
    assert os.environ["AZURE_CLIENT_ID"] == "00000000-0000-4000-8000-00000000000a"
    configure(_env_file=second)
    assert "AZURE_CLIENT_ID" not in os.environ
    azenvcloud.get_credential()
    assert "AZURE_CLIENT_ID" not in os.environ


def test_an_authority_from_env_file_cannot_receive_the_environments_secret(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    azenvcloud_env.delenv("AZURE_AUTHORITY_HOST")
    write(tmp_path / ".env", f"AZURE_AUTHORITY_HOST={fake.url}\n")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == ("AZURE_AUTHORITY_HOST",)
    assert fake.requests_of("token") == []
    # With the secret in the same ./.env it is still refused: the file was not named, and the
    # authority is no built-in cloud's (whatever the credential: `az login` too).
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    write(tmp_path / ".env", f"AZURE_AUTHORITY_HOST={fake.url}\nAZURE_CLIENT_SECRET={fake.client_secret}\n")
    reset()
    with pytest.raises(ConfigurationError, match="AZENVCLOUD_ENV_FILE="):
        azenvcloud.get_credential()
    # Named, it is the developer's own pairing: allowed.
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(tmp_path / ".env"))
    reset()
    assert [group.name for group in get_resource_client().resource_groups.list()] == ["rg-alpha", "rg-beta"]


def test_show_names_each_identity_variables_source_and_warns_when_they_mix(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", DEFAULT_CLIENT_ID)  # a deployment's workload identity
    azenvcloud_env.setenv("AZURE_TENANT_ID", DEFAULT_TENANT_ID)
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    env_file = write(tmp_path / ".env", f"AZURE_CLIENT_SECRET={SECRET}\n")  # a developer's leftover
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    rows = {
        line.split()[0]: " ".join(line.split()[1:])
        for line in out.splitlines()
        if line.startswith("  AZURE_")
    }
    assert rows["AZURE_CLIENT_ID"] == f"{DEFAULT_CLIENT_ID} <- environment"
    assert rows["AZURE_CLIENT_SECRET"] == f"(set, value hidden) <- .env file {env_file}"
    assert "warning: the azure-identity variables come from more than one place" in out
    assert SECRET not in out


# -- redaction and control characters --------------------------------------------------------


def test_a_metadata_urls_query_is_redacted_everywhere(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.delenv(name)
    url = f"{fake.url}/metadata/endpoints?api-version=2022-09-01&sig=SAS-SIGNATURE-3f9a"
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", url)
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "sig=<redacted>" in out
    caches = list((tmp_path / "azenvcloud-cache").glob("*.json"))
    assert len(caches) == 1
    fake.fail("/metadata/endpoints", 404, times=10)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", url + "&other=1")
    reset()
    assert main(["show"]) == 3
    err = capsys.readouterr().err
    for text in (out, err, caches[0].read_text(encoding="utf-8"), caplog.text):
        assert "SAS-SIGNATURE-3f9a" not in text


def test_a_password_in_user_info_is_never_echoed(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://admin:S3cretPass@management.example")
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert "S3cretPass" not in str(caught.value)
    assert "https://<redacted>@management.example" in str(caught.value)


@pytest.mark.parametrize(
    "variable",
    [
        "AZURE_CLOUD",
        "AZURE_AUTHORITY_HOST",
        "AZURE_RESOURCE_MANAGER",
        "AZURE_AUDIENCE",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_DISABLE_INSTANCE_DISCOVERY",
        "AZURE_CLOUD_METADATA_URL",
        "AZURE_API_PROFILE",
        "AZENVCLOUD_METADATA_TTL",
        "AZENVCLOUD_CACHE_DIR",
    ],
)
@pytest.mark.parametrize(
    "char", ["\x1b", "\n", "\x00", "\u200b"], ids=["escape", "newline", "nul", "zero-width"]
)
def test_a_control_character_in_any_value_is_refused_naming_the_variable(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, variable: str, char: str
) -> None:
    azenvcloud_env.delenv(variable, raising=False)
    if char == "\x00":  # the environment cannot hold NUL: a .env file can
        write(tmp_path / ".env", f'{variable}="usgov{char}x"\n')
    else:
        azenvcloud_env.setenv(variable, f"usgov{char}x")
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    assert caught.value.variables[0] == variable


def test_an_implicit_env_file_symlinked_to_a_secret_shows_none_of_it(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "mounted-secret"
    secret_file.write_text("Xy7Qsecretpart~rest-of-the-secret\n", encoding="utf-8")
    (tmp_path / ".env").symlink_to(secret_file)  # committed in the repository
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert "Xy7Q" not in str(caught.value)


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
