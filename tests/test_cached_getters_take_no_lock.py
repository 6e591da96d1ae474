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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import azenvcloud
from azenvcloud.testing import FakeCloud


def _benchmarks_counted_locks() -> Callable[..., Any]:
    """``counted_locks`` of benchmarks/configurations.py, the one figure 14 counts with."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        from configurations import counted_locks
    finally:
        sys.path.pop(0)
    return counted_locks  # type: ignore[no-any-return]


@contextmanager
def counted_locks(*owners: object) -> Iterator[Callable[[], int]]:
    """Every lock of azenvcloud's loaded modules and of ``owners`` counted; yields the total so far."""
    with _benchmarks_counted_locks()(*owners) as counters:
        assert len(counters) > 3, "no locks found to count"
        yield lambda: sum(counter.taken for counter in counters)


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
