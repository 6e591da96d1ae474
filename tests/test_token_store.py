"""The token store (AZENVCLOUD_TOKEN_CACHE): a warm start makes one request, processes that start
together make one token request, forked workers keep their parent's tokens, and a token never
crosses clouds, identities, claims or CAE, nor comes from a developer tool."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import get_credential, get_resource_client
from azenvcloud._cli import main
from azenvcloud._identity_inputs import IdentityInputs
from azenvcloud._token_files import MARGIN, token_folder
from azenvcloud._token_store import TokenStore
from azenvcloud.testing import FakeCloud

Forked = Callable[[Callable[[], object]], object]


def start() -> list[str]:
    """A process start: fresh objects (tokens in memory forgotten), the first ARM call."""
    azenvcloud.reset()
    return [group.name for group in get_resource_client().resource_groups.list()]


def kinds(fake: FakeCloud, since: int = 0) -> list[str]:
    return [request.kind for request in fake.requests[since:]]


def entries() -> list[Path]:
    return sorted(token_folder(os.environ["AZENVCLOUD_CACHE_DIR"]).glob("*.json"))


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "token store" in record.getMessage()
    ]


@pytest.fixture
def stored(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    return azenvcloud_fake_cloud


# --- a warm start ----------------------------------------------------------------------------


def test_a_warm_start_makes_one_request_the_arm_call(stored: FakeCloud) -> None:
    assert start() == ["rg-alpha", "rg-beta"]
    assert kinds(stored) == ["openid", "token", "arm"]
    seen = len(stored.requests)
    assert start() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]


def test_without_the_store_a_start_asks_for_a_token_again(azenvcloud_fake_cloud: FakeCloud) -> None:
    start()
    seen = len(azenvcloud_fake_cloud.requests)
    start()
    assert kinds(azenvcloud_fake_cloud, seen) == ["token", "arm"]
    assert entries() == []


def test_an_entry_is_the_users_alone(stored: FakeCloud) -> None:
    start()
    (entry,) = entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert entry.parent == Path(os.environ["AZENVCLOUD_CACHE_DIR"]) / "tokens"
    assert json.loads(entry.read_text())["credential"] == "ClientSecretCredential"


def test_async_credentials_use_the_store_too(stored: FakeCloud) -> None:
    import asyncio

    from azenvcloud import aio

    start()
    seen = len(stored.requests)

    async def list_groups() -> list[str]:
        client = aio.get_resource_client()
        names = [group.name async for group in client.resource_groups.list()]
        await aio.close()
        return names

    azenvcloud.reset()
    assert asyncio.run(list_groups()) == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]


# --- processes together --------------------------------------------------------------------


def test_racing_processes_make_one_token_request(stored: FakeCloud) -> None:
    stored.latency("/token", 1.0)  # the first request is under way while the others start
    azenvcloud.reset()
    children = []
    for _ in range(8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads running
            child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                code = 0 if start() == ["rg-alpha", "rg-beta"] else 1
            finally:
                os._exit(code)
        children.append(child)
    codes = [os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) for child in children]
    assert codes == [0] * 8
    assert len(stored.requests_of("token")) == 1
    assert len(stored.requests_of("arm")) == 8


def test_forked_workers_keep_their_parents_token(azenvcloud_fake_cloud: FakeCloud, forked: Forked) -> None:
    """The store is off: the parent's token is kept in memory across fork()."""
    parent = get_resource_client()
    assert [group.name for group in parent.resource_groups.list()] == ["rg-alpha", "rg-beta"]

    def worker() -> object:
        client = get_resource_client()
        return [client is not parent, [group.name for group in client.resource_groups.list()]]

    for _ in range(8):
        assert forked(worker) == [True, ["rg-alpha", "rg-beta"]]
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
    assert len(azenvcloud_fake_cloud.requests_of("arm")) == 9
    assert entries() == []


# --- what a token is for ---------------------------------------------------------------------


def test_a_request_with_claims_is_never_answered_from_the_store(stored: FakeCloud) -> None:
    scope = get_resource_client() and azenvcloud.get_settings().credential_scopes[0]
    credential = get_credential()
    credential.get_token_info(scope)
    seen = len(stored.requests_of("token"))
    claims = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'
    credential.get_token_info(scope, options={"claims": claims})
    credential.get_token(scope, claims=claims)
    assert len(stored.requests_of("token")) == seen + 2
    # A claims challenge's token is not kept, and the token the resource rejected is forgotten.
    assert entries() == []


def test_cae_and_non_cae_tokens_are_kept_apart(stored: FakeCloud) -> None:
    scope = azenvcloud.get_settings().credential_scopes[0]
    get_credential().get_token_info(scope)
    azenvcloud.reset()
    get_credential().get_token_info(scope, options={"enable_cae": True})
    assert len(stored.requests_of("token")) == 2
    azenvcloud.reset()
    get_credential().get_token_info(scope, options={"enable_cae": True})
    get_credential().get_token_info(scope)
    assert len(stored.requests_of("token")) == 2
    assert len(entries()) == 2


def test_another_identity_asks_for_its_own_token(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    start()
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "00000000-0000-4000-8000-00000000beef")
    start()
    assert len(stored.requests_of("token")) == 2
    assert len(entries()) == 2


@pytest.mark.parametrize(
    ("changed", "value"),
    [
        pytest.param("cloud", "AzureChinaCloud", id="cloud"),
        pytest.param("authority", "https://login.chinacloudapi.cn", id="authority"),
    ],
)
def test_a_token_never_crosses_clouds(changed: str, value: str) -> None:
    class Chain:
        credentials = ()

    given = {"cloud": "AzureCloud", "authority": "https://login.microsoftonline.com"}
    inputs = IdentityInputs.from_environment({})
    one = TokenStore.for_credential(  # type: ignore[arg-type]
        Chain(), mode="off", cache_dir=None, options={}, inputs=inputs, **given
    )
    other = TokenStore.for_credential(  # type: ignore[arg-type]
        Chain(), mode="off", cache_dir=None, options={}, inputs=inputs, **{**given, changed: value}
    )
    scopes = ("https://management.azure.com/.default",)
    assert one.key(scopes, {}) != other.key(scopes, {})


def test_a_token_of_another_cloud_is_not_served(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    start()
    # The same fake under another name (the authority localhost instead of 127.0.0.1) is another cloud.
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.setenv(name, os.environ[name].replace("127.0.0.1", "localhost"))
    start()
    assert len(stored.requests_of("token")) == 2


def test_a_developer_tools_token_is_never_stored(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    expires = int(time.time()) + 3600
    answer = json.dumps(
        {"accessToken": "cli-access-token", "expiresOn": "", "expires_on": expires, "tokenType": "Bearer"}
    )
    az.write_text(f"#!/bin/sh\necho '{answer}'\n")
    az.chmod(0o700)
    azenvcloud_env.setenv("PATH", f"{az.parent}{os.pathsep}{os.environ['PATH']}")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    scope = azenvcloud.get_settings().credential_scopes[0]
    assert get_credential().get_token(scope).token == "cli-access-token"
    assert entries() == []
    az.write_text("#!/bin/sh\necho 'Please run az login' >&2\nexit 1\n")  # signed out meanwhile
    azenvcloud.reset()
    from azure.core.exceptions import ClientAuthenticationError

    with pytest.raises(ClientAuthenticationError):
        get_credential().get_token(scope)  # not served from memory either


# --- entries and folders that cannot be trusted -------------------------------------------------


def _spoil_corrupt(path: Path) -> None:
    path.write_text("{not json")


def _spoil_group_writable(path: Path) -> None:
    path.chmod(0o620)


def _spoil_foreign(path: Path) -> None:
    os.chown(path, os.getuid() + 4242, -1)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(_spoil_corrupt, id="corrupt"),
        pytest.param(_spoil_group_writable, id="group-writable"),
        pytest.param(
            _spoil_foreign,
            id="foreign-owned",
            marks=pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root"),
        ),
    ],
)
def test_an_entry_that_cannot_be_trusted_is_ignored_with_one_warning(
    stored: FakeCloud, caplog: pytest.LogCaptureFixture, spoil: Callable[[Path], None]
) -> None:
    start()
    (entry,) = entries()
    spoil(entry)
    caplog.clear()
    start()
    assert len(stored.requests_of("token")) == 2
    assert len(store_warnings(caplog)) == 1
    assert str(entry) in store_warnings(caplog)[0]


def test_a_planted_entry_for_another_key_is_not_served(stored: FakeCloud) -> None:
    start()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["key"] = "0" * 64
    entry.write_text(json.dumps(data))
    start()
    assert len(stored.requests_of("token")) == 2


def test_a_token_about_to_expire_is_not_served(stored: FakeCloud) -> None:
    start()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["expires_on"] = int(time.time()) + MARGIN - 10
    entry.write_text(json.dumps(data))
    start()
    assert len(stored.requests_of("token")) == 2


def test_a_token_past_its_refresh_time_is_not_served(stored: FakeCloud) -> None:
    start()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["refresh_on"] = int(time.time()) - 1
    entry.write_text(json.dumps(data))
    start()
    assert len(stored.requests_of("token")) == 2


def test_a_read_only_folder_turns_the_store_off_with_one_warning(
    stored: FakeCloud, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from azenvcloud import _token_files

    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    access = os.access
    # What the kernel answers for a read-only file system (root included), which a test cannot mount.
    monkeypatch.setattr(
        _token_files.os, "access", lambda path, mode: False if Path(path) == folder else access(path, mode)
    )
    assert start() == ["rg-alpha", "rg-beta"]
    assert [group.name for group in get_resource_client().resource_groups.list()] == ["rg-alpha", "rg-beta"]
    warnings = store_warnings(caplog)
    assert len(warnings) == 1
    assert "read-only" in warnings[0]
    assert entries() == []


def test_a_folder_that_cannot_be_made_turns_the_store_off_with_one_warning(
    stored: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    assert start() == ["rg-alpha", "rg-beta"]
    azenvcloud.get_credential().get_token_info(azenvcloud.get_settings().credential_scopes[0])
    assert len(store_warnings(caplog)) == 1


def test_a_folder_open_to_others_is_not_used(stored: FakeCloud, caplog: pytest.LogCaptureFixture) -> None:
    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    folder.mkdir(mode=0o700, parents=True)
    folder.chmod(0o750)
    start()
    assert entries() == []
    assert len(store_warnings(caplog)) == 1


def test_a_network_file_system_turns_the_store_off(
    stored: FakeCloud, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from azenvcloud import _token_files

    monkeypatch.setattr(_token_files, "_file_system", lambda folder: "nfs4")
    start()
    assert entries() == []
    assert "network file system (nfs4)" in store_warnings(caplog)[0]


def test_the_file_system_of_a_folder_is_read_from_the_mounts(tmp_path: Path) -> None:
    from azenvcloud._token_files import _file_system

    kind = _file_system(tmp_path)
    assert kind is None or (kind and " " not in kind)


# --- lifecycle -----------------------------------------------------------------------------------


def test_configure_forgets_the_tokens_in_memory(azenvcloud_fake_cloud: FakeCloud) -> None:
    get_resource_client().resource_groups.list().next()
    azenvcloud.configure()
    get_resource_client().resource_groups.list().next()
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2


def test_cache_clear_purges_the_disk(stored: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    start()
    assert len(entries()) == 1
    assert main(["cache", "clear"]) == 0
    assert "deleted 1 token(s)" in capsys.readouterr().out
    assert entries() == []
    start()
    assert len(stored.requests_of("token")) == 2


def test_show_says_where_tokens_are_kept(stored: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    assert f"tokens: kept unencrypted in {folder}" in out
    assert "used by: EnvironmentCredential" in out
    assert main(["show", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["token_store"]
    assert report["mode"] == "unencrypted"
    assert report["folder"] == str(folder)


# --- the setting ---------------------------------------------------------------------------------


def test_the_setting_never_comes_from_an_implicit_env_file(azenvcloud_env: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("AZENVCLOUD_TOKEN_CACHE=unencrypted\n")
    with pytest.raises(
        azenvcloud.ConfigurationError, match="AZENVCLOUD_TOKEN_CACHE='unencrypted' comes from"
    ):
        azenvcloud.get_settings()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("encrypted", "an encrypted token store is not offered", id="encrypted"),
        pytest.param("yes", "it is no token store mode", id="unknown"),
    ],
)
def test_an_unknown_mode_is_refused(azenvcloud_env: pytest.MonkeyPatch, value: str, message: str) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", value)
    with pytest.raises(azenvcloud.ConfigurationError, match=message) as caught:
        azenvcloud.get_settings()
    assert caught.value.variables == ("AZENVCLOUD_TOKEN_CACHE",)
    assert "Accepted: off (the default) or unencrypted" in str(caught.value)


def test_cache_clear_with_metadata_purges_the_metadata_too(
    stored: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    start()
    folder = Path(os.environ["AZENVCLOUD_CACHE_DIR"])
    assert list(folder.glob("*.json"))  # the authority's OpenID configuration
    assert main(["cache", "clear", "--metadata"]) == 0
    assert "metadata document(s)" in capsys.readouterr().out
    assert list(folder.glob("*.json")) == []
    assert entries() == []


def test_a_managed_identitys_token_is_stored(stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> None:
    for name, value in stored.managed_identity_environment().items():
        azenvcloud_env.setenv(name, value)
    assert start() == ["rg-alpha", "rg-beta"]
    (entry,) = entries()
    assert json.loads(entry.read_text())["credential"] == "ManagedIdentityCredential"
    seen = len(stored.requests)
    assert start() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]
    assert [request.path for request in stored.requests_of("token")] == ["/msi/token"]


def test_a_workload_identitys_token_is_stored(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assertion = tmp_path / "federated-token"
    assertion.write_text("a-federated-assertion")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(assertion))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    assert start() == ["rg-alpha", "rg-beta"]
    (entry,) = entries()
    assert json.loads(entry.read_text())["credential"] == "WorkloadIdentityCredential"
    seen = len(stored.requests)
    assert start() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]
