"""The token store after its security review (/work/notes/review19.md): a token is never served to
another identity, tenant guard, machine or secret; a malformed entry never raises nor hangs;
``cache clear`` deletes only the store's own files; never-stored requests take no lock, and a
lock wait is short; ``show`` tells the truth."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

import azenvcloud
from azenvcloud import _token_files, _token_store, get_credential, get_resource_client
from azenvcloud._cli import main
from azenvcloud._credentials import build_credential
from azenvcloud._identity_inputs import IdentityInputs
from azenvcloud._token_files import LOCK_WAIT, token_folder
from azenvcloud._token_store import TokenStore
from azenvcloud.testing import FakeCloud

Forked = Callable[[Callable[[], object]], object]
ARM_GROUPS = ["rg-alpha", "rg-beta"]


def start() -> list[str]:
    """A process start: fresh objects (tokens in memory forgotten), the first ARM call."""
    azenvcloud.reset()
    return [group.name for group in get_resource_client().resource_groups.list()]


def tokens_dir() -> Path:
    return token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])


def entries() -> list[Path]:
    return sorted(tokens_dir().glob("*.json"))


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "token store" in record.getMessage()
    ]


def tokens_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("tokens:"))


@pytest.fixture
def stored(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    return azenvcloud_fake_cloud


@pytest.fixture
def managed_identity(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    for name, value in azenvcloud_fake_cloud.managed_identity_environment().items():
        azenvcloud_env.setenv(name, value)
    return azenvcloud_fake_cloud


def fake_az(tmp_path: Path, azenvcloud_env: pytest.MonkeyPatch, token: str, delay: float = 0) -> None:
    """An ``az`` on PATH that answers ``token`` after ``delay`` seconds."""
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    answer = json.dumps(
        {"accessToken": token, "expiresOn": "", "expires_on": int(time.time()) + 3600, "tokenType": "Bearer"}
    )
    az.write_text(f"#!/bin/sh\nsleep {delay}\necho '{answer}'\n")
    az.chmod(0o700)
    azenvcloud_env.setenv("PATH", f"{az.parent}{os.pathsep}{os.environ['PATH']}")


# --- F1 / F1b: every option is part of the key ----------------------------------------------


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


# --- F4 / F9 / F7: a malformed entry never raises nor hangs ------------------------------------


def _rewrite(change: Callable[[str, dict[str, Any]], str]) -> None:
    (entry,) = entries()
    text = entry.read_text()
    entry.write_text(change(text, json.loads(text)))


def _replace_expiry(literal: str) -> Callable[[str, dict[str, Any]], str]:
    return lambda text, data: text.replace(f'"expires_on": {data["expires_on"]}', f'"expires_on": {literal}')


def _set(field: str, value: object) -> Callable[[str, dict[str, Any]], str]:
    return lambda text, data: json.dumps({**data, field: value})


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_replace_expiry("1e999"), id="expiry-1e999"),
        pytest.param(_replace_expiry("Infinity"), id="expiry-infinity"),
        pytest.param(_replace_expiry("-Infinity"), id="expiry-minus-infinity"),
        pytest.param(_replace_expiry("9" * 400), id="expiry-400-digits"),
        pytest.param(_replace_expiry("1e300"), id="expiry-float"),
        pytest.param(_set("expires_on", int(time.time()) + 10 * 365 * 86400), id="expiry-ten-years-ahead"),
        pytest.param(_set("refresh_on", int("9" * 400)), id="refresh-400-digits"),
        pytest.param(
            lambda text, data: text.replace('"refresh_on": null', '"refresh_on": Infinity'),
            id="refresh-infinity",
        ),
        pytest.param(_set("refresh_on", "soon"), id="refresh-a-string"),
        pytest.param(_set("expires_on", True), id="expiry-a-boolean"),
        pytest.param(_set("credential", "AzureCliCredential"), id="a-developer-tools-entry"),
        pytest.param(_set("token", ["not", "a", "string"]), id="token-not-a-string"),
    ],
)
def test_a_malformed_entry_is_ignored_with_one_warning(
    stored: FakeCloud, caplog: pytest.LogCaptureFixture, change: Callable[[str, dict[str, Any]], str]
) -> None:
    start()
    _rewrite(change)
    azenvcloud.reset()
    caplog.clear()
    scope = azenvcloud.get_settings().credential_scopes[0]
    assert get_credential().get_token(scope).token.startswith("fake-token-")
    assert get_credential().get_token(scope).token.startswith("fake-token-")
    assert len(stored.requests_of("token")) == 2  # asked again, once
    assert len(store_warnings(caplog)) == 1


def test_a_fifo_in_place_of_an_entry_never_blocks(stored: FakeCloud, forked: Forked) -> None:
    start()
    (entry,) = entries()
    entry.unlink()
    os.mkfifo(entry, 0o600)
    azenvcloud.reset()

    def child() -> object:
        get_credential().get_token(azenvcloud.get_settings().credential_scopes[0])
        return "answered"

    assert forked(child) == "answered"


# --- F2 / F3: `cache clear` deletes the store's own files, never through a symlink --------------


def test_cache_clear_never_follows_a_symlinked_tokens_folder(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("id_rsa", "notes.txt", "0123456789abcdef0123456789abcdef.json"):
        (victim / name).write_text("precious")
    cache = tmp_path / "azcache"
    cache.mkdir()
    (cache / "tokens").symlink_to(victim)
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(cache))
    assert main(["cache", "clear"]) == 0
    assert len(os.listdir(victim)) == 3
    assert "is a symbolic link (not followed)" in capsys.readouterr().out


def test_cache_clear_never_follows_a_symlinked_cache_folder(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "project"
    (victim / "tokens").mkdir(parents=True)
    (victim / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    (victim / "tokens" / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    (tmp_path / "azcache").symlink_to(victim)
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(tmp_path / "azcache"))
    assert main(["cache", "clear", "--metadata"]) == 0
    assert (victim / "0123456789abcdef0123456789abcdef.json").exists()
    assert (victim / "tokens" / "0123456789abcdef0123456789abcdef.json").exists()
    assert capsys.readouterr().out.count("is a symbolic link (not followed)") == 2


def test_cache_clear_deletes_only_the_stores_own_files(
    stored: FakeCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start()
    cache = Path(os.environ["AZENVCLOUD_CACHE_DIR"])
    (cache / "0123456789abcdef0123456789abcdef.lock").write_text("")  # a metadata entry's lock
    own = [*entries(), *tokens_dir().glob("*.lock"), *cache.glob("*.json"), *cache.glob("*.lock")]
    assert len(own) >= 4  # a token, its lock, the authority's OpenID configuration, a lock
    leftover = tokens_dir() / ".tmp-k2j4_x9a.json"  # a process killed between write and rename
    leftover.write_text("{}")
    theirs = [tokens_dir() / "github-pat.txt", cache / "package.json", cache / "tsconfig.json"]
    for path in theirs:
        path.write_text("{}")
    (tokens_dir() / "sub").mkdir()
    assert main(["cache", "clear", "--metadata"]) == 0
    out = capsys.readouterr().out
    assert not any(path.exists() for path in [*own, leftover])
    assert all(path.exists() for path in theirs)
    assert (tokens_dir() / "sub").is_dir()
    assert "deleted 1 token(s)" in out
    left = [line for line in out.splitlines() if line.startswith("left alone in")]
    assert len(left) == 2
    assert "'github-pat.txt'" in left[0]
    assert "'sub'" in left[0]
    assert "'package.json'" in left[1]
    assert ".lock" not in out


def test_cache_clear_with_a_sub_folder_never_tracebacks(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "tokens" / "sub").mkdir(parents=True)
    (cache / "tokens" / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    env = {**os.environ, "AZENVCLOUD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "azenvcloud", "cache", "clear"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "deleted 1 token(s)" in done.stdout
    assert (cache / "tokens" / "sub").is_dir()


# --- F5 / F6 / F10: the machine and the secret are part of the key; shared file systems ----------


def test_a_copied_folder_serves_nothing_on_another_machine(
    stored: FakeCloud, managed_identity: FakeCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    start()
    other = tmp_path / "other-machine-cache"
    shutil.copytree(os.environ["AZENVCLOUD_CACHE_DIR"], other)  # cp -a, an image layer, a snapshot
    monkeypatch.setenv("AZENVCLOUD_CACHE_DIR", str(other))
    monkeypatch.setattr(socket, "gethostname", lambda: "another-vm")
    seen = len(stored.requests_of("token"))
    start()
    assert len(stored.requests_of("token")) == seen + 1  # the other machine asked its own


def test_the_same_machine_still_shares_its_tokens(stored: FakeCloud, managed_identity: FakeCloud) -> None:
    start()
    start()
    assert len(stored.requests_of("token")) == 1


def test_a_wrong_secret_is_never_hidden_by_a_stored_token(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    start()
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", "not-the-secret-any-more")
    with pytest.raises(ClientAuthenticationError):
        start()  # asked with the wrong secret, and told so at once


def test_no_secret_is_written_into_an_entry(stored: FakeCloud) -> None:
    start()
    (entry,) = entries()
    assert os.environ["AZURE_CLIENT_SECRET"] not in entry.read_text()


def test_a_replaced_certificate_is_another_key(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    certificate = tmp_path / "client.pem"
    certificate.write_text("one")
    azenvcloud_env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(certificate))
    before = _key({})
    certificate.write_text("two")  # rotated at the same path
    assert _key({}) != before


@pytest.mark.parametrize(
    "kind",
    [
        "fuse.sshfs",
        "fuse.blobfuse2",
        "fuse.rclone",
        "fuse.glusterfs",
        "ceph",
        "lustre",
        "gpfs",
        "virtiofs",
        "davfs",
        "cifs",
        "smb3",
        "9p",
        "afs",
        "nfs4",
    ],
)
def test_a_shared_file_system_turns_the_store_off(
    stored: FakeCloud, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    monkeypatch.setattr(_token_files, "_file_system", lambda folder: kind)
    start()
    assert entries() == []
    assert any(kind in message for message in store_warnings(caplog))


def test_the_file_system_type_keeps_its_fuse_subtype(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mounts = f"server:/export {tmp_path} fuse.blobfuse2 rw 0 0\n"
    real = Path.read_text
    monkeypatch.setattr(
        Path,
        "read_text",
        lambda self, *a, **k: mounts if str(self) == "/proc/self/mounts" else real(self, *a, **k),
    )
    assert _token_files._file_system(tmp_path) == "fuse.blobfuse2"


# --- F11 / F8: no lock for what is never stored; a short wait ----------------------------------


def _holder(lock: Path, seconds: str) -> subprocess.Popen[bytes]:
    """Another process that holds ``lock`` (for ``seconds``, or until killed) and writes nothing."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,os,signal,sys,time;d=os.open(sys.argv[1],os.O_RDWR|os.O_CREAT,0o600);"
            "fcntl.flock(d,fcntl.LOCK_EX);print('held',flush=True);"
            "time.sleep(float(sys.argv[2])) if sys.argv[2] else signal.pause()",
            str(lock),
            seconds,
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == b"held"
    return holder


def test_a_developer_tool_takes_no_lock(
    stored: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_az(tmp_path, azenvcloud_env, "cli-access-token")
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    azenvcloud.reset()
    assert (
        get_credential().get_token(azenvcloud.get_settings().credential_scopes[0]).token == "cli-access-token"
    )
    assert not tokens_dir().exists() or list(tokens_dir().iterdir()) == []


def test_a_stopped_lock_holder_costs_at_most_the_short_wait(stored: FakeCloud) -> None:
    assert LOCK_WAIT <= 10
    azenvcloud.reset()
    credential = get_credential()
    scope = azenvcloud.get_settings().credential_scopes[0]
    store: TokenStore = credential._azenvcloud_sharing.store
    assert store.folder is not None
    key = store.key((scope,), {})
    assert key is not None
    lock = _token_files.entry_path(store.folder, key).with_suffix(".lock")
    holder = _holder(lock, "")  # stopped: holds the lock until killed
    try:
        began = time.monotonic()
        credential.get_token(scope)
        assert time.monotonic() - began < LOCK_WAIT + 3
        _token_store._memory.clear()  # the token due again: this process no longer waits on the key
        began = time.monotonic()
        credential.get_token_info(scope)
        assert time.monotonic() - began < 2
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_after_a_holder_that_kept_nothing_the_request_is_made_without_the_lock(stored: FakeCloud) -> None:
    import fcntl

    azenvcloud.reset()
    credential = get_credential()
    scope = azenvcloud.get_settings().credential_scopes[0]
    store: TokenStore = credential._azenvcloud_sharing.store
    assert store.folder is not None
    key = store.key((scope,), {})
    assert key is not None
    lock = _token_files.entry_path(store.folder, key).with_suffix(".lock")
    stored.latency("/oauth2/v2.0/token", 1.5)
    holder = _holder(lock, "0.3")  # asks, keeps nothing (a developer tool answered it), ends
    free: list[bool] = []

    def probe() -> None:  # another process arriving while this one asks
        time.sleep(1.0)
        descriptor = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            free.append(True)
        except BlockingIOError:
            free.append(False)
        finally:
            os.close(descriptor)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        credential.get_token(scope)
    finally:
        prober.join()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert free == [True]  # nobody queues behind this request


# --- F14: the member that answered is known per request ----------------------------------------


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


# --- F12: `show` tells the truth ------------------------------------------------------------


def test_show_says_a_refused_folder_is_refused(stored: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tokens_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    start()
    assert entries() == []
    assert main(["show"]) == 0
    line = tokens_line(capsys.readouterr().out)
    assert "readable by you alone" not in line
    assert "NOT kept on disk: the store refuses" in line
    assert main(["show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["token_store"]["refused"]


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


# --- the review's minor notes ---------------------------------------------------------------


def test_a_claims_challenge_forgets_the_rejected_token(stored: FakeCloud) -> None:
    start()
    assert len(entries()) == 1
    scope = azenvcloud.get_settings().credential_scopes[0]
    get_credential().get_token_info(scope, options={"claims": '{"access_token":{"nbf":{"essential":true}}}'})
    assert entries() == []
    start()
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
