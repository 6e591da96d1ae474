"""In a forked child (a pre-fork server's worker): every lock azenvcloud owns is free, whatever thread
held it at fork time, and the child builds its own credential and clients instead of using its
parent's connections."""

from __future__ import annotations

import importlib
import os
import pkgutil
import threading
import warnings
from collections.abc import Callable
from typing import Any

import azenvcloud
from azenvcloud import (
    get_credential,
    get_resource_client,
)
from azenvcloud._single_flight import Flights
from azenvcloud.testing import FakeCloud

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def azenvclouds_module_locks() -> list[tuple[Any, str]]:
    """Every lock held in a module global of azenvcloud: (module, name)."""
    found = []
    for info in pkgutil.walk_packages(azenvcloud.__path__, "azenvcloud."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional SDK that is not installed
            continue
        for name, value in vars(module).items():
            if isinstance(value, _LOCK_TYPES) and getattr(module, "__name__", "") == info.name:
                found.append((module, name))
    return found


def test_the_lock_scan_finds_the_locks_we_know_of() -> None:
    named = {f"{module.__name__}.{name}" for module, name in azenvclouds_module_locks()}
    assert {
        "azenvcloud._clients._lock",
        "azenvcloud._settings._lock",
        "azenvcloud._credentials._exported_lock",
        "azenvcloud.aio._lock",
        "azenvcloud._user_files._held_lock_guard",
    } <= named


def test_every_lock_azenvcloud_owns_is_free_in_a_forked_child(
    forked: Callable[[Callable[[], object]], object],
) -> None:
    locks = azenvclouds_module_locks()
    flights = Flights()
    held, release = threading.Event(), threading.Event()

    def hold_them_all() -> None:
        for module, name in locks:
            getattr(module, name).acquire()
        flights._lock.acquire()
        held.set()
        release.wait(60)
        flights._lock.release()
        for module, name in reversed(locks):
            getattr(module, name).release()

    holder = threading.Thread(target=hold_them_all)
    holder.start()
    held.wait(10)
    try:

        def still_held() -> list[str]:
            taken = [
                f"{module.__name__}.{name}"
                for module, name in locks
                if not getattr(module, name).acquire(timeout=0.5)
            ]
            return taken + (["Flights._lock"] if not flights._lock.acquire(timeout=0.5) else [])

        assert forked(still_held) == []
    finally:
        release.set()
        holder.join(10)


def test_forked_child_builds_its_own_credential_and_clients(azenvcloud_fake_cloud: FakeCloud) -> None:
    parent_client = get_resource_client()
    parent_credential = get_credential()
    assert [group.name for group in parent_client.resource_groups.list()] == ["rg-alpha", "rg-beta"]
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads running
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        verdict = b"0"
        try:
            child_client = get_resource_client()
            fresh = child_client is not parent_client and get_credential() is not parent_credential
            works = [group.name for group in child_client.resource_groups.list()] == ["rg-alpha", "rg-beta"]
            verdict = b"1" if fresh and works else b"0"
        finally:
            os.write(write_end, verdict)
            os._exit(0)
    os.close(write_end)
    verdict = os.read(read_end, 1)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert verdict == b"1"
    assert get_resource_client() is parent_client
    # The child built its own credential but kept its parent's token (azenvcloud._token_store).
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
