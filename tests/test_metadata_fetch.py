"""The metadata fetch keeps its promises: one deadline for everything, a lock that never holds a
process past it (nor across fork), a cache that is trusted only when it is the user's own and
never crashes, snapshots that are regular files, redirects held to the rules of a configured URL,
and exit 3 for an endpoint that cannot be had."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import (
    ConfigurationError,
    MetadataUnavailableError,
    Settings,
    get_settings,
)
from azenvcloud import _metadata_source as source
from azenvcloud._cli import main
from azenvcloud._metadata_cache import Cache, reset_warnings
from azenvcloud.testing import FakeCloud

DEADLINE = 2.0  # seconds, for these tests (30 in use)
MARGIN = 1.5  # the deadline is kept to within this, on a loaded machine


@pytest.fixture
def only_metadata(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """The fake cloud described only by AZURE_CLOUD_METADATA_URL, with a short deadline."""
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", azenvcloud_fake_cloud.url)
    azenvcloud_env.setattr(source, "TOTAL_TIMEOUT", DEADLINE)
    azenvcloud_env.setattr(source, "RETRY_BACKOFF_FACTOR", 0.01)
    return azenvcloud_fake_cloud


def timed_failure() -> tuple[ConfigurationError, float]:
    started = time.monotonic()
    with pytest.raises(ConfigurationError) as caught:
        Settings()
    return caught.value, time.monotonic() - started


# -- one deadline ---------------------------------------------------------------------------


def test_a_retry_after_longer_than_the_time_left_gives_up_at_once(only_metadata: FakeCloud) -> None:
    only_metadata.fail("/metadata/endpoints", 503, times=10, headers={"Retry-After": "50"})
    error, seconds = timed_failure()
    assert seconds < DEADLINE
    assert "asked to wait 50 s" in str(error)
    assert isinstance(error, MetadataUnavailableError)


def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(only_metadata: FakeCloud) -> None:
    body = json.dumps(only_metadata.metadata_2022(only_metadata.url)).encode()
    only_metadata.fail("/metadata/endpoints", 200, body=body, trickle=0.05, times=10)  # ~25 s in all
    error, seconds = timed_failure()
    assert seconds < DEADLINE + MARGIN
    assert f"longer than {DEADLINE:g} s in all" in str(error)


def test_retries_and_api_versions_share_the_deadline(only_metadata: FakeCloud) -> None:
    only_metadata.fail("/metadata/endpoints", 503, times=100, delay=0.4)
    error, seconds = timed_failure()
    assert seconds < DEADLINE + MARGIN
    assert isinstance(error, MetadataUnavailableError)


# -- the lock -------------------------------------------------------------------------------


def hold_lock(cache: Cache, path: Path, release: threading.Event, held: threading.Event) -> None:
    with cache.locked(path, source.Deadline(60).left, wait=True):
        held.set()
        release.wait(30)


def lock_held_elsewhere(folder: Path, location: str) -> tuple[threading.Event, threading.Thread]:
    cache = Cache.open(str(folder))
    assert cache is not None
    release, held = threading.Event(), threading.Event()
    # flock locks belong to open file descriptions: another descriptor in this process contends.
    thread = threading.Thread(target=hold_lock, args=(cache, cache.path(location), release, held))
    thread.start()
    assert held.wait(10)
    return release, thread


def test_waiting_for_another_fetcher_ends_at_the_deadline(only_metadata: FakeCloud, tmp_path: Path) -> None:
    release, thread = lock_held_elsewhere(tmp_path / "azenvcloud-cache", only_metadata.url)
    try:
        error, seconds = timed_failure()
    finally:
        release.set()
        thread.join()
    assert seconds < DEADLINE + MARGIN
    assert "another process has been fetching it" in str(error)


def test_an_expired_copy_is_used_rather_than_waiting_behind_a_slow_fetcher(
    only_metadata: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    Settings()  # fetched and cached
    azenvcloud_env.setenv("AZENVCLOUD_METADATA_TTL", "1")
    time.sleep(1.1)  # the copy expires
    only_metadata.reset()
    release, thread = lock_held_elsewhere(tmp_path / "azenvcloud-cache", only_metadata.url)
    try:
        started = time.monotonic()
        assert Settings().cloud_name == "FakeCloud"
        assert time.monotonic() - started < DEADLINE / 2
    finally:
        release.set()
        thread.join()
    assert only_metadata.requests_of("metadata") == []


def test_a_lock_inherited_across_fork_never_blocks_the_child(tmp_path: Path) -> None:
    cache = Cache.open(str(tmp_path))
    assert cache is not None
    path = cache.path("https://arm.example")
    read, write = os.pipe()
    parent = os.fork()
    if parent == 0:  # a process that takes the lock, forks a worker, and dies holding it
        try:
            with cache.locked(path, source.Deadline(10).left, wait=True):
                worker = os.fork()
                if worker == 0:
                    time.sleep(0.5)  # the parent is gone by now, its lock not released
                    started = time.monotonic()
                    with cache.locked(path, source.Deadline(5).left, wait=True) as locked:
                        waited = time.monotonic() - started
                    os.write(write, json.dumps([locked, waited]).encode())
                    os._exit(0)
                os._exit(0)  # dies without unlocking
        finally:
            os._exit(1)
    os.waitpid(parent, 0)
    os.close(write)
    with os.fdopen(read) as answer:
        locked, waited = json.loads(answer.read() or "[false, 99]")
    assert locked
    assert waited < 1


# -- the cache ------------------------------------------------------------------------------


def test_an_unusable_cache_folder_is_a_miss_with_one_warning(
    only_metadata: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(not_a_folder / "cache"))
    reset_warnings()
    assert Settings().cloud_name == "FakeCloud"
    assert Settings().cloud_name == "FakeCloud"
    assert len(only_metadata.requests_of("metadata")) == 2  # no cache: a fetch each time
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "cache folder" in r.getMessage()]
    assert len(warnings) == 1


def test_a_cache_folder_others_can_write_is_not_trusted(
    only_metadata: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(shared))
    Settings()
    assert list(shared.iterdir()) == []


def test_cache_folders_are_created_for_the_user_alone(only_metadata: FakeCloud, tmp_path: Path) -> None:
    Settings()
    folder = tmp_path / "azenvcloud-cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (entry,) = folder.glob("*.json")
    assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0


def rewrite_entry(folder: Path, **changes: object) -> None:
    (entry,) = folder.glob("*.json")
    document = json.loads(entry.read_text(encoding="utf-8"))
    document.update(changes)
    entry.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    "fetched_at",
    [
        pytest.param(time.time() + 3600, id="future"),
        pytest.param("NaN", id="nan"),
        pytest.param("inf", id="inf"),
    ],
)
def test_an_entry_fetched_in_the_future_or_at_no_time_is_expired(
    only_metadata: FakeCloud, tmp_path: Path, fetched_at: object
) -> None:
    Settings()
    rewrite_entry(tmp_path / "azenvcloud-cache", fetched_at=fetched_at)
    only_metadata.reset()
    Settings()
    assert len(only_metadata.requests_of("metadata")) == 1


def test_an_entry_others_can_write_is_ignored(only_metadata: FakeCloud, tmp_path: Path) -> None:
    Settings()
    (entry,) = (tmp_path / "azenvcloud-cache").glob("*.json")
    entry.chmod(0o666)
    only_metadata.reset()
    Settings()
    assert len(only_metadata.requests_of("metadata")) == 1


def test_a_symlinked_lock_is_not_followed(only_metadata: FakeCloud, tmp_path: Path) -> None:
    folder = tmp_path / "azenvcloud-cache"
    folder.mkdir(mode=0o700)
    target = tmp_path / "victim"
    target.write_text("keep", encoding="utf-8")
    cache = Cache(folder)
    cache.path(only_metadata.url).with_suffix(".lock").symlink_to(target)
    assert Settings().cloud_name == "FakeCloud"  # the lock is skipped, with a warning
    assert target.read_text(encoding="utf-8") == "keep"


def test_a_deeply_nested_cache_entry_is_a_miss(only_metadata: FakeCloud, tmp_path: Path) -> None:
    Settings()
    (entry,) = (tmp_path / "azenvcloud-cache").glob("*.json")
    entry.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    only_metadata.reset()
    assert Settings().cloud_name == "FakeCloud"
    assert len(only_metadata.requests_of("metadata")) == 1


def test_a_fifo_in_place_of_a_cache_entry_is_a_miss_with_one_warning(
    only_metadata: FakeCloud, tmp_path: Path, forked: Callable[[Callable[[], object]], object]
) -> None:
    Settings()
    (entry,) = (tmp_path / "azenvcloud-cache").glob("*.json")
    entry.unlink()
    os.mkfifo(entry, 0o600)  # opened for reading, a FIFO waits for a writer: forever
    only_metadata.reset()

    def child() -> object:
        reset_warnings()
        warnings: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
        logging.getLogger("azenvcloud").addHandler(handler)
        return [Settings().cloud_name, Settings().cloud_name, warnings]

    assert forked(child) == [
        "FakeCloud",
        "FakeCloud",
        [f"azenvcloud: ignoring the metadata cache entry {entry}: it is not a regular file"],
    ]
    assert len(only_metadata.requests_of("metadata")) == 1  # a miss, fetched and written in its place
    assert stat.S_ISREG(entry.lstat().st_mode)


# -- snapshots ------------------------------------------------------------------------------


def test_deeply_nested_json_is_not_json(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "cloud.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(path))
    with pytest.raises(ConfigurationError, match="it is not JSON"):
        Settings()


def a_fifo(tmp_path: Path) -> str:
    os.mkfifo(tmp_path / "cloud.json")
    return str(tmp_path / "cloud.json")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        pytest.param(lambda tmp: "/dev/zero", "is not a regular file", id="dev-zero"),
        pytest.param(a_fifo, "is not a regular file", id="fifo"),
        pytest.param(str, "is not a regular file", id="folder"),
        pytest.param(
            lambda tmp: "file://evil.example/etc/cloud.json", "names a host", id="file-url-with-host"
        ),
    ],
)
def test_a_snapshot_must_be_a_local_regular_file(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, make: object, problem: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", make(tmp_path))  # type: ignore[operator]
    with pytest.raises(ConfigurationError, match=problem) as caught:
        Settings()
    assert not isinstance(caught.value, MetadataUnavailableError)  # a configuration mistake: exit 2


# -- redirects ------------------------------------------------------------------------------


def test_a_redirect_with_user_info_is_refused(only_metadata: FakeCloud) -> None:
    target = f"https://user:hunter2@127.0.0.1:{only_metadata.port}/metadata/endpoints?api-version=2022-09-01"
    only_metadata.fail("/metadata/endpoints", 302, headers={"Location": target}, times=3)
    error, _ = timed_failure()
    assert "user-info" in str(error)
    assert "hunter2" not in str(error)
    assert len(only_metadata.requests_of("metadata")) == 1  # the redirect was not followed


def test_a_relative_redirect_is_followed_and_named(only_metadata: FakeCloud, tmp_path: Path) -> None:
    only_metadata.fail(
        "/metadata/endpoints", 302, headers={"Location": "/metadata/endpoints?api-version=2022-09-01&moved=1"}
    )
    settings = Settings()
    final = f"{only_metadata.url}/metadata/endpoints?api-version=2022-09-01&moved=<redacted>"
    assert str(settings.source_of("authority_host")) == f"metadata from {final}"
    (entry,) = (tmp_path / "azenvcloud-cache").glob("*.json")
    assert json.loads(entry.read_text(encoding="utf-8"))["url"] == final


# -- exit statuses --------------------------------------------------------------------------


def test_an_unreachable_metadata_endpoint_exits_3(
    only_metadata: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", "https://127.0.0.1:9")  # nothing listens there
    with pytest.raises(MetadataUnavailableError) as caught:
        Settings()
    assert isinstance(caught.value, ConfigurationError)
    azenvcloud.reset()
    assert main(["check"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("azenvcloud: network or authentication failure: AZURE_CLOUD_METADATA_URL=")
    assert err.count("\n") == 1


def test_a_malformed_metadata_document_stays_exit_2(
    only_metadata: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    only_metadata.fail("/metadata/endpoints", 200, body=b"not json", times=10)
    assert main(["check"]) == 2
    assert "it is not JSON" in capsys.readouterr().err


def test_a_cache_entry_is_used_only_for_the_location_it_was_written_for(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from azenvcloud._metadata_cache import Cache

    fake = azenvcloud_fake_cloud
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    folder = tmp_path / "azenvcloud-cache"
    forged = {
        "url": "https://attacker.example/metadata/endpoints",
        "fetched_at": time.time(),
        "body": json.dumps(fake.metadata_2022("https://attacker.example")),
    }
    folder.mkdir(mode=0o700, exist_ok=True)
    Cache(folder).path(fake.url).write_text(json.dumps(forged), encoding="utf-8")  # a planted entry
    Cache(folder).path(fake.url).chmod(0o600)
    assert get_settings().authority_host == fake.url
    assert len(fake.requests_of("metadata")) == 1


def test_a_relative_cache_folder_is_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", ".azcache")
    with pytest.raises(ConfigurationError, match="relative path") as caught:
        get_settings()
    assert caught.value.variables == ("AZENVCLOUD_CACHE_DIR",)
