"""The token store's files never mislead and never stop a process: an entry that cannot be trusted
(corrupt, malformed, open to others, another user's, a FIFO, written for another key, about to
expire) is ignored with one warning; a folder that cannot be used (read-only, open to others, on a
network or cluster file system) turns the store off with one warning; a lock holder that stopped or
kept nothing costs a process at most one short wait."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import Forked, entries, fake_az, restart, store_warnings, tokens_dir, tokens_line

import azenvcloud
from azenvcloud import _token_files, _token_store, get_credential, get_resource_client
from azenvcloud._cli import main
from azenvcloud._token_files import LOCK_WAIT, MARGIN, token_folder
from azenvcloud._token_store import TokenStore
from azenvcloud.testing import FakeCloud


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
    restart()
    (entry,) = entries()
    spoil(entry)
    caplog.clear()
    restart()
    assert len(stored.requests_of("token")) == 2
    assert len(store_warnings(caplog)) == 1
    assert str(entry) in store_warnings(caplog)[0]


def test_a_planted_entry_for_another_key_is_not_served(stored: FakeCloud) -> None:
    restart()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["key"] = "0" * 64
    entry.write_text(json.dumps(data))
    restart()
    assert len(stored.requests_of("token")) == 2


def test_a_token_about_to_expire_is_not_served(stored: FakeCloud) -> None:
    restart()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["expires_on"] = int(time.time()) + MARGIN - 10
    entry.write_text(json.dumps(data))
    restart()
    assert len(stored.requests_of("token")) == 2


def test_a_token_past_its_refresh_time_is_not_served(stored: FakeCloud) -> None:
    restart()
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["refresh_on"] = int(time.time()) - 1
    entry.write_text(json.dumps(data))
    restart()
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
    assert restart() == ["rg-alpha", "rg-beta"]
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
    assert restart() == ["rg-alpha", "rg-beta"]
    azenvcloud.get_credential().get_token_info(azenvcloud.get_settings().credential_scopes[0])
    assert len(store_warnings(caplog)) == 1


def test_a_folder_open_to_others_is_not_used(stored: FakeCloud, caplog: pytest.LogCaptureFixture) -> None:
    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    folder.mkdir(mode=0o700, parents=True)
    folder.chmod(0o750)
    restart()
    assert entries() == []
    assert len(store_warnings(caplog)) == 1


def test_a_network_file_system_turns_the_store_off(
    stored: FakeCloud, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from azenvcloud import _token_files

    monkeypatch.setattr(_token_files, "_file_system", lambda folder: "nfs4")
    restart()
    assert entries() == []
    assert "network file system (nfs4)" in store_warnings(caplog)[0]


def test_the_file_system_of_a_folder_is_read_from_the_mounts(tmp_path: Path) -> None:
    from azenvcloud._token_files import _file_system

    kind = _file_system(tmp_path)
    assert kind is None or (kind and " " not in kind)


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
    restart()
    _rewrite(change)
    azenvcloud.reset()
    caplog.clear()
    scope = azenvcloud.get_settings().credential_scopes[0]
    assert get_credential().get_token(scope).token.startswith("fake-token-")
    assert get_credential().get_token(scope).token.startswith("fake-token-")
    assert len(stored.requests_of("token")) == 2  # asked again, once
    assert len(store_warnings(caplog)) == 1


def test_a_fifo_in_place_of_an_entry_never_blocks(stored: FakeCloud, forked: Forked) -> None:
    restart()
    (entry,) = entries()
    entry.unlink()
    os.mkfifo(entry, 0o600)
    azenvcloud.reset()

    def child() -> object:
        get_credential().get_token(azenvcloud.get_settings().credential_scopes[0])
        return "answered"

    assert forked(child) == "answered"


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
    restart()
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


def test_show_says_a_refused_folder_is_refused(stored: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tokens_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    restart()
    assert entries() == []
    assert main(["show"]) == 0
    line = tokens_line(capsys.readouterr().out)
    assert "readable by you alone" not in line
    assert "NOT kept on disk: the store refuses" in line
    assert main(["show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["token_store"]["refused"]
