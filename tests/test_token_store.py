"""The token store (AZENVCLOUD_TOKEN_CACHE): a warm start makes one request, processes that start
together make one token request, forked workers keep their parent's tokens, and a token is never
served to another cloud, identity, tenant guard, machine, secret or set of options, nor for claims
or across CAE, nor comes from a developer tool; no secret is written; ``show`` and ``check`` say
where tokens are kept and which credentials may use them."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError
from helpers import Forked, entries, fake_az, restart, tokens_line

import azenvcloud
from azenvcloud import _token_files, _token_store, get_credential, get_resource_client
from azenvcloud._cli import main
from azenvcloud._credentials import build_credential
from azenvcloud._identity_inputs import IdentityInputs
from azenvcloud._token_files import token_folder
from azenvcloud._token_store import TokenStore
from azenvcloud.testing import FakeCloud


def kinds(fake: FakeCloud, since: int = 0) -> list[str]:
    return [request.kind for request in fake.requests[since:]]


# --- a warm start ----------------------------------------------------------------------------


def test_a_warm_start_makes_one_request_the_arm_call(stored: FakeCloud) -> None:
    assert restart() == ["rg-alpha", "rg-beta"]
    assert kinds(stored) == ["openid", "token", "arm"]
    seen = len(stored.requests)
    assert restart() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]


def test_without_the_store_a_start_asks_for_a_token_again(azenvcloud_fake_cloud: FakeCloud) -> None:
    restart()
    seen = len(azenvcloud_fake_cloud.requests)
    restart()
    assert kinds(azenvcloud_fake_cloud, seen) == ["token", "arm"]
    assert entries() == []


def test_an_entry_is_the_users_alone(stored: FakeCloud) -> None:
    restart()
    (entry,) = entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert entry.parent == Path(os.environ["AZENVCLOUD_CACHE_DIR"]) / "tokens"
    assert json.loads(entry.read_text())["credential"] == "ClientSecretCredential"


def test_async_credentials_use_the_store_too(stored: FakeCloud) -> None:
    import asyncio

    from azenvcloud import aio

    restart()
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
                code = 0 if restart() == ["rg-alpha", "rg-beta"] else 1
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
    restart()
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "00000000-0000-4000-8000-00000000beef")
    restart()
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
    restart()
    # The same fake under another name (the authority localhost instead of 127.0.0.1) is another cloud.
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER"):
        azenvcloud_env.setenv(name, os.environ[name].replace("127.0.0.1", "localhost"))
    restart()
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


# --- lifecycle -----------------------------------------------------------------------------------


def test_configure_forgets_the_tokens_in_memory(azenvcloud_fake_cloud: FakeCloud) -> None:
    get_resource_client().resource_groups.list().next()
    azenvcloud.configure()
    get_resource_client().resource_groups.list().next()
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2


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


def test_a_managed_identitys_token_is_stored(stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> None:
    for name, value in stored.managed_identity_environment().items():
        azenvcloud_env.setenv(name, value)
    assert restart() == ["rg-alpha", "rg-beta"]
    (entry,) = entries()
    assert json.loads(entry.read_text())["credential"] == "ManagedIdentityCredential"
    seen = len(stored.requests)
    assert restart() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]
    assert [request.path for request in stored.requests_of("token")] == ["/msi/token"]


def test_a_workload_identitys_token_is_stored(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assertion = tmp_path / "federated-token"
    assertion.write_text("a-federated-assertion")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(assertion))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    assert restart() == ["rg-alpha", "rg-beta"]
    (entry,) = entries()
    assert json.loads(entry.read_text())["credential"] == "WorkloadIdentityCredential"
    seen = len(stored.requests)
    assert restart() == ["rg-alpha", "rg-beta"]
    assert kinds(stored, seen) == ["arm"]


ARM_GROUPS = ["rg-alpha", "rg-beta"]


@pytest.mark.usefixtures("managed_identity")
def test_identity_config_chooses_whose_token_it_is(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.delenv("AZURE_CLIENT_ID")  # identity_config chooses the identity instead
    settings = azenvcloud.get_settings()
    scope = settings.credential_scopes[0]
    one = build_credential(settings, identity_config={"object_id": "11111111-1111-1111-1111-111111111111"})
    two = build_credential(settings, identity_config={"object_id": "22222222-2222-2222-2222-222222222222"})
    one.get_token(scope)
    two.get_token(scope)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2  # each identity asked for its own


def test_additionally_allowed_tenants_still_guards_a_restricted_credential(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    settings = azenvcloud.get_settings()
    scope = settings.credential_scopes[0]
    restricted = build_credential(settings)
    permissive = build_credential(settings, additionally_allowed_tenants=["*"])
    assert permissive.get_token(scope, tenant_id="tenant-a").token
    with pytest.raises(ClientAuthenticationError):
        restricted.get_token(scope, tenant_id="tenant-a")  # refused, the other's token held or not


class _Chain:
    credentials = ()


def _key(options: dict[str, Any]) -> str | None:
    store = TokenStore.for_credential(
        _Chain(),
        cloud="AzureCloud",
        authority="https://login.example",
        mode="off",
        cache_dir=None,
        options=options,
        inputs=IdentityInputs.from_environment(os.environ),
    )
    return store.key(("https://management.example/.default",), {})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param(
            {"identity_config": {"object_id": "a"}}, {"identity_config": {"object_id": "b"}}, id="dict"
        ),
        pytest.param(
            {"additionally_allowed_tenants": []}, {"additionally_allowed_tenants": ["*"]}, id="list"
        ),
        pytest.param({"process_timeout": 10}, {"process_timeout": 20}, id="int"),
        pytest.param({}, {"identity_config": {}}, id="present-or-not"),
    ],
)
def test_every_option_is_part_of_the_key(one: dict[str, Any], other: dict[str, Any]) -> None:
    assert _key(one) is not None
    assert _key(one) != _key(other)


def test_the_key_of_options_does_not_depend_on_their_order() -> None:
    assert _key({"identity_config": {"a": 1, "b": 2}, "x": True}) == _key(
        {"x": True, "identity_config": {"b": 2, "a": 1}}
    )


def test_a_credential_with_an_option_that_cannot_be_written_keeps_nothing() -> None:
    assert _key({"identity_config": {"object_id": object()}}) is None
    assert _key({"process_timeout": float("nan")}) is None
    assert _key({"transport": object()}) is not None  # how requests travel: never whose token


def test_a_copied_folder_serves_nothing_on_another_machine(
    stored: FakeCloud, managed_identity: FakeCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    restart()
    other = tmp_path / "other-machine-cache"
    shutil.copytree(os.environ["AZENVCLOUD_CACHE_DIR"], other)  # cp -a, an image layer, a snapshot
    monkeypatch.setenv("AZENVCLOUD_CACHE_DIR", str(other))
    monkeypatch.setattr(socket, "gethostname", lambda: "another-vm")
    seen = len(stored.requests_of("token"))
    restart()
    assert len(stored.requests_of("token")) == seen + 1  # the other machine asked its own


def test_the_same_machine_still_shares_its_tokens(stored: FakeCloud, managed_identity: FakeCloud) -> None:
    restart()
    restart()
    assert len(stored.requests_of("token")) == 1


def test_a_wrong_secret_is_never_hidden_by_a_stored_token(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    restart()
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "not-the-secret-any-more")
    with pytest.raises(ClientAuthenticationError):
        restart()  # asked with the wrong secret, and told so at once


def test_no_secret_is_written_into_an_entry(stored: FakeCloud) -> None:
    restart()
    (entry,) = entries()
    assert os.environ["AZURE_CLIENT_SECRET"] not in entry.read_text()


def test_a_replaced_certificate_is_another_key(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    certificate = tmp_path / "client.pem"
    certificate.write_text("one")
    azenvcloud_env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(certificate))
    before = _key({})
    certificate.write_text("two")  # rotated at the same path
    assert _key({}) != before


def test_a_developer_tools_token_is_never_stored_as_another_members(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from azure.identity import DefaultAzureCredential

    fake = azenvcloud_fake_cloud
    fake_az(tmp_path, azenvcloud_env, "cli-access-token-of-the-developer", delay=1)
    for name, value in fake.managed_identity_environment().items():
        azenvcloud_env.setenv(name, value)
    azenvcloud_env.delenv("AZURE_TOKEN_CREDENTIALS")
    azenvcloud_env.delenv("AZURE_CLIENT_ID")
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    settings = azenvcloud.get_settings()
    credential = build_credential(
        settings,
        exclude_environment_credential=True,
        exclude_workload_identity_credential=True,
        exclude_shared_token_cache_credential=True,
        exclude_visual_studio_code_credential=True,
        exclude_developer_cli_credential=True,
        exclude_powershell_credential=True,
        exclude_broker_credential=True,
    )  # chain: ManagedIdentityCredential, AzureCliCredential
    fake.latency("/msi/token", 1.0)
    fake.fail(
        "/msi/token",
        400,
        times=1,
        body={"error": "invalid_resource", "error_description": "no such resource"},
    )
    storage = "https://storage.azure.com/.default"  # scope A: managed identity fails, az answers
    arm = settings.credential_scopes[0]  # scope B: managed identity answers, a moment later
    real = DefaultAzureCredential.get_token

    def preempted(self: Any, *scopes: str, **kwargs: Any) -> Any:
        result = real(self, *scopes, **kwargs)
        if scopes == (storage,):
            time.sleep(0.5)  # the thread loses the GIL after the chain answered
        return result

    monkeypatch.setattr(DefaultAzureCredential, "get_token", preempted)
    results: dict[str, str] = {}
    one = threading.Thread(target=lambda: results.setdefault("a", credential.get_token(storage).token))
    two = threading.Thread(target=lambda: results.setdefault("b", credential.get_token(arm).token))
    one.start()
    time.sleep(0.2)
    two.start()
    one.join()
    two.join()
    assert results["a"] == "cli-access-token-of-the-developer"
    kept = [json.loads(path.read_text()) for path in entries()]
    assert [entry["credential"] for entry in kept] == ["ManagedIdentityCredential"]
    assert all(entry["token"] != results["a"] for entry in kept)


def test_a_claims_challenge_forgets_the_rejected_token(stored: FakeCloud) -> None:
    restart()
    assert len(entries()) == 1
    scope = azenvcloud.get_settings().credential_scopes[0]
    get_credential().get_token_info(scope, options={"claims": '{"access_token":{"nbf":{"essential":true}}}'})
    assert entries() == []
    restart()
    assert len(stored.requests_of("token")) == 3  # the next start asks: the rejected one is gone


def test_memory_drops_unusable_tokens_when_it_grows(stored: FakeCloud) -> None:
    expired = _token_files.StoredToken("t", int(time.time()) - 10, None, "Bearer", "ClientSecretCredential")
    azenvcloud.reset()
    for number in range(_token_store._MEMORY_LIMIT):
        _token_store._memory[f"old-{number}"] = expired
    get_resource_client().resource_groups.list().next()
    assert len(_token_store._memory) == 1


@pytest.mark.parametrize(
    ("lifetime", "refreshed_after"),
    [
        pytest.param(86400, 43200, id="a-day-long-managed-identity-token-at-half-life"),
        pytest.param(3600, None, id="an-hour-long-token-until-the-margin"),
    ],
)
def test_a_token_without_refresh_on_is_refreshed_as_msal_would(
    lifetime: int, refreshed_after: int | None
) -> None:
    from azure.core.credentials import AccessToken

    now = int(time.time())
    kept = _token_store._as_token(AccessToken("t", now + lifetime), "ManagedIdentityCredential")
    assert kept is not None
    if refreshed_after is None:
        assert kept.refresh_on is None
    else:
        assert kept.refresh_on is not None
        assert abs(kept.refresh_on - (now + refreshed_after)) <= 2


@pytest.mark.filterwarnings(
    "ignore:Environment is configured to use username and password:DeprecationWarning"
)
def test_show_never_lists_environment_credential_for_a_user_name_and_password(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    azenvcloud_env.setenv("AZURE_USERNAME", "user@example.test")
    azenvcloud_env.setenv("AZURE_PASSWORD", "pw")
    assert main(["show"]) == 0
    assert "EnvironmentCredential" not in tokens_line(capsys.readouterr().out).split("used by:")[1]


def test_show_still_lists_environment_credential_for_a_secret(
    stored: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show"]) == 0
    line = tokens_line(capsys.readouterr().out)
    assert "used by: EnvironmentCredential" in line
    assert "readable by you alone" in line
