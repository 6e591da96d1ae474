"""A cached getter takes no lock: once built, ``get_resource_client()`` (the default's) and
``azenvcloud.configuration("gov").get_resource_client()`` (``configuration("gov")`` itself
included) are dictionary lookups, so threads never wait on each other for a client they share.

Every lock held by azenvcloud's modules and by the configuration is replaced by one that counts
how often the calling thread takes it; the building call is counted too, so a counter that never
counts cannot make these tests pass. (Its cost, under 1 µs, is figure 14 of
``benchmarks/run.py``: no timing in tests.)
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import azenvcloud
from azenvcloud.testing import FakeCloud

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class CountingLock:
    """A lock that counts how often the thread that made it takes it."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._thread = threading.get_ident()
        self.taken = 0

    def _count(self) -> None:
        if threading.get_ident() == self._thread:
            self.taken += 1

    def __enter__(self) -> Any:
        self._count()
        return self._lock.__enter__()

    def __exit__(self, *exc: object) -> Any:
        return self._lock.__exit__(*exc)

    def acquire(self, *args: Any, **kwargs: Any) -> Any:
        self._count()
        return self._lock.acquire(*args, **kwargs)

    def release(self) -> None:
        self._lock.release()


@contextmanager
def counted_locks(*owners: object) -> Iterator[Callable[[], int]]:
    """Every lock of azenvcloud's loaded modules and of ``owners`` counted; yields the total so far."""
    holders = [module for name, module in list(sys.modules.items()) if name.startswith("azenvcloud")]
    replaced = []
    for holder in [*holders, *owners]:
        for attribute, value in list(vars(holder).items()):
            if isinstance(value, _LOCK_TYPES):
                setattr(holder, attribute, CountingLock(value))
                replaced.append((holder, attribute, value))
    assert len(replaced) > 3, "no locks found to count"
    try:
        yield lambda: sum(getattr(holder, attribute).taken for holder, attribute, _ in replaced)
    finally:
        for holder, attribute, value in replaced:
            setattr(holder, attribute, value)


def test_a_named_configurations_cached_client_takes_no_lock(
    azenvcloud_fake_clouds: Callable[..., object],
) -> None:
    azenvcloud_fake_clouds(gov="usgov")
    gov = azenvcloud.configuration("gov")
    gov.get_settings()
    with counted_locks(gov) as taken:
        built = azenvcloud.configuration("gov").get_resource_client()
        assert taken() > 0  # building takes the configuration's lock: the counter counts
        list(built.resource_groups.list())  # its token prefetched and used
        before = taken()
        for _ in range(100):
            assert azenvcloud.configuration("gov").get_resource_client() is built
            assert gov.get_resource_client() is built
        assert taken() == before


def test_the_defaults_cached_client_takes_no_lock_with_configurations_declared(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Callable[..., object]
) -> None:
    azenvcloud_fake_clouds(gov="usgov", china="china")
    azenvcloud.configuration("gov").get_resource_client()
    with counted_locks() as taken:
        built = azenvcloud.get_resource_client()
        assert taken() > 0
        list(built.resource_groups.list())
        before = taken()
        for _ in range(100):
            assert azenvcloud.get_resource_client() is built
        assert taken() == before
    assert azenvcloud_fake_cloud.requests_of("arm")[-1].configuration == "default"
