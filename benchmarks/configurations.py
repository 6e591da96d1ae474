"""Named configurations' figures (issue 33): what declaring them costs the default configuration,
a named configuration's cached getters, and four configurations' first calls started together.

    .venv/bin/python benchmarks/configurations.py [--rounds N] [--against TREE]

Side by side in one run, against the loopback fake cloud:

- 13a-13c: the default configuration's cold start and warm start (whole processes,
  ``cold_azenvcloud.py``) and its cached ``get_resource_client()``, with four named
  configurations declared (``AZENVCLOUD_CONFIGURATIONS=gov,china,pub,gov2`` and their variables)
  against the same tree with none declared, alternating round by round. ``--against TREE`` (a
  folder holding another checkout's ``azenvcloud/`` package, e.g. ``git archive`` of main) adds
  that tree, none declared, as a third side (put first on ``PYTHONPATH``).
- 14: ``azenvcloud.configuration("gov").get_resource_client()`` cached, per call, and the locks it
  takes (every lock of azenvcloud's modules and of the configuration replaced by a counting one).
- 15: four configurations (US Government twice, China, public), each answer of the fake 100 ms
  late, their first ``resource_groups.list()`` started together in four threads, against one
  configuration's alone; token prefetch on (the default).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from rows import Row, row

import azenvcloud
from azenvcloud.testing import FakeCloud, isolated_environment

HERE = Path(__file__).parent
CLOUDS = {"gov": "usgov", "china": "china", "pub": "public", "gov2": "usgov"}
LATENCY = 0.100  # seconds before each answer of the fake, for 13b and 15


# -- 13. the default configuration, with and without named ones declared ------------------------


def _run(argv: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """A whole process's wall time, and its ``resolve settings`` phase (cold_azenvcloud.py's)."""
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300, env=environment)
    if result.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{result.stderr}")
    elapsed = time.perf_counter() - started
    return elapsed, float(json.loads(result.stdout.splitlines()[0])["resolve settings"])


def _sides(fake: FakeCloud, cache: str, against: str | None, **extra: str) -> dict[str, dict[str, str]]:
    """The environments of the sides: none declared, four declared, another tree's none declared."""
    with isolated_environment({**fake.environment(), "AZENVCLOUD_CACHE_DIR": cache, **extra}):
        none = dict(os.environ)
        with fake.as_clouds(CLOUDS):
            declared = dict(os.environ)
    sides = {"none declared": none, "4 declared": declared}
    if against:
        sides["--against tree, none declared"] = {**none, "PYTHONPATH": against}
    return sides


def default_starts(fake: FakeCloud, rounds: int, against: str | None) -> list[Row]:
    """13a (cold start, 0 ms per response) and 13b (warm start with the token store, 100 ms)."""
    script = [sys.executable, str(HERE / "cold_azenvcloud.py")]
    rows = []
    for number, label, extra, latency in (
        ("13a", "cold start to the first ARM response, 0 ms per response", {}, 0.0),
        (
            "13b",
            f"warm start with the token store, {LATENCY * 1000:.0f} ms per response",
            {"AZENVCLOUD_TOKEN_CACHE": "unencrypted"},
            LATENCY,
        ),
    ):
        with tempfile.TemporaryDirectory(prefix="azenvcloud-bench-") as cache:
            sides = _sides(fake, cache, against, **extra)
            for environment in sides.values():
                _run(script, environment)  # the first start fills the caches (and the token store)
            fake.latency("/", latency)
            try:
                times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
                order = list(sides)
                for turn in range(rounds):  # each side first in turn: no side always follows another
                    for side in order[turn % len(order) :] + order[: turn % len(order)]:
                        times[side].append(_run(script, sides[side]))
            finally:
                fake.latency("/", 0)
        medians = {side: statistics.median(wall for wall, _ in values) for side, values in times.items()}
        resolving = {side: statistics.median(r for _, r in values) * 1000 for side, values in times.items()}
        ratio = medians["4 declared"] / medians["none declared"]
        more = resolving["4 declared"] - resolving["none declared"]
        baseline = (
            f"{medians['none declared'] * 1000:.0f} ms none declared (resolving: "
            f"{resolving['4 declared']:.1f} vs {resolving['none declared']:.1f} ms)"
        )
        if against:
            other = medians["--against tree, none declared"]
            baseline += f"; {other * 1000:.0f} ms --against tree ({medians['4 declared'] / other:.2f}x)"
        rows.append(
            row(
                number,
                f"default configuration: {label} (whole process, median), 4 named configurations declared",
                f"{medians['4 declared'] * 1000:.0f} ms",
                baseline,
                ratio,
                "<= 1.10x (the noise of a whole process here); resolving <= +1 ms",
                ratio <= 1.10 and more <= 1.0,
            )
        )
    return rows


def per_call(function: Callable[[], object], number: int = 500_000, repeat: int = 7) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def default_hot_path(fake: FakeCloud) -> Row:
    """13c: the default's cached ``get_resource_client()``, 4 declared against none, alternating."""
    times: dict[str, list[float]] = {"none declared": [], "4 declared": []}
    with isolated_environment(fake.environment()):
        for _ in range(3):
            for side, measured in times.items():
                azenvcloud.reset()
                with fake.as_clouds(CLOUDS) if side == "4 declared" else nullcontext():
                    azenvcloud.get_resource_client()
                    measured.append(per_call(azenvcloud.get_resource_client))
        azenvcloud.reset()
    ours, theirs = min(times["4 declared"]), min(times["none declared"])
    return row(
        "13c",
        "default configuration: cached get_resource_client() per call, 4 named configurations declared",
        f"{ours * 1e9:.0f} ns",
        f"{theirs * 1e9:.0f} ns none declared",
        ours / theirs,
        "<= 1.10x (noise)",
        ours / theirs <= 1.10,
    )


# -- 14. a named configuration's cached getters ------------------------------------------------


class CountingLock:
    """A lock that counts how often the thread that made it takes it (``with`` or ``acquire``):
    another thread's (a background token request's) are not the measured call's."""

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


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


@contextmanager
def counted_locks(*owners: Any) -> Iterator[list[CountingLock]]:
    """Every lock held as an attribute of azenvcloud's loaded modules and of ``owners`` replaced
    by a :class:`CountingLock` while the context is open; yields them."""
    holders = [module for name, module in list(sys.modules.items()) if name.startswith("azenvcloud")]
    replaced: list[tuple[Any, str, Any]] = []
    counters: list[CountingLock] = []
    for holder in [*holders, *owners]:
        for attribute, value in list(vars(holder).items()):
            if isinstance(value, _LOCK_TYPES):
                counter = CountingLock(value)
                setattr(holder, attribute, counter)
                replaced.append((holder, attribute, value))
                counters.append(counter)
    try:
        yield counters
    finally:
        for holder, attribute, value in replaced:
            setattr(holder, attribute, value)


def named_hot_path(fake: FakeCloud) -> Row:
    """14: ``configuration("gov").get_resource_client()`` once built, per call, and its locks."""
    with isolated_environment(fake.environment()), fake.as_clouds(CLOUDS):
        gov = azenvcloud.configuration("gov")
        built = gov.get_resource_client()
        list(built.resource_groups.list())  # its token prefetched and used: nothing left running
        table = {("resources", None): built}
        key = ("resources", None)
        configuration = azenvcloud.configuration
        with counted_locks(gov) as counters:
            both = per_call(lambda: configuration("gov").get_resource_client())
            method = per_call(gov.get_resource_client)
            theirs = per_call(lambda: table.get(key))
            taken = sum(counter.taken for counter in counters)
    return row(
        14,
        f'cached configuration("gov").get_resource_client() per call ({method * 1e9:.0f} ns for '
        f"gov.get_resource_client() alone); locks taken: {taken} of {len(counters)} counted",
        f"{both * 1e9:.0f} ns",
        f"{theirs * 1e9:.0f} ns dict lookup in a lambda",
        both / theirs,
        "< 1 µs, no lock",
        both < 1e-6 and taken == 0,
    )


# -- 15. four configurations' first calls, started together ------------------------------------


def _first_calls(names: list[str], *, together: bool = True) -> float:
    """Seconds until every configuration of ``names`` listed its resource groups, each built anew."""
    azenvcloud.reset()
    for name in names:
        azenvcloud.configuration(name).get_settings()  # resolved before the clock: no network
    start = threading.Barrier(len(names) + 1)
    failures: list[BaseException] = []

    def first(name: str) -> None:
        start.wait()
        try:
            groups = list(azenvcloud.configuration(name).get_resource_client().resource_groups.list())
            assert groups, f"{name} listed no resource groups"
        except BaseException as exc:  # reported below: a figure of a failed call means nothing
            failures.append(exc)

    if not together:
        started = time.perf_counter()
        for name in names:
            list(azenvcloud.configuration(name).get_resource_client().resource_groups.list())
        return time.perf_counter() - started
    threads = [threading.Thread(target=first, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(120)
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return elapsed


def four_together(fake: FakeCloud, rounds: int) -> Row:
    """15: four configurations' first ARM calls in four threads against one configuration's."""
    names = list(CLOUDS)
    with isolated_environment(fake.environment()), fake.as_clouds(CLOUDS):
        _first_calls(names)  # the SDK imported, the OpenID configurations cached
        fake.latency("/", LATENCY)
        try:
            one, four, in_a_row = [], [], []
            for _ in range(rounds):
                one.append(_first_calls(names[:1]))
                before = len(fake.requests)
                four.append(_first_calls(names))
                made = sorted(
                    (request.kind, request.configuration or "") for request in fake.requests[before:]
                )
                in_a_row.append(_first_calls(names, together=False))
        finally:
            fake.latency("/", 0)
            azenvcloud.reset()
    one_median, four_median = statistics.median(one), statistics.median(four)
    ratio = four_median / one_median
    kinds = {kind: sum(1 for k, _ in made if k == kind) for kind, _ in made}
    each = all(sum(1 for kind, by in made if by == name and kind == "token") == 1 for name in names)
    return row(
        15,
        f"first resource_groups.list() of 4 configurations (2 US Government, China, public) started "
        f"together in 4 threads, {LATENCY * 1000:.0f} ms per response, prefetch on (median); requests: "
        f"{kinds}; one after another in one thread: {statistics.median(in_a_row) * 1000:.0f} ms",
        f"{four_median * 1000:.0f} ms",
        f"{one_median * 1000:.0f} ms one configuration's",
        ratio,
        "<= 1.50x",
        ratio <= 1.5 and each,
    )


def configurations(fake: FakeCloud, rounds: int, against: str | None = None) -> list[Row]:
    """Every figure of named configurations; leaves azenvcloud reset."""
    return [
        *default_starts(fake, rounds, against),
        default_hot_path(fake),
        named_hot_path(fake),
        four_together(fake, max(5, rounds // 2)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="process starts per side (default 11)")
    parser.add_argument("--against", metavar="TREE", help="a folder with another azenvcloud/ to compare")
    arguments = parser.parse_args()
    with FakeCloud() as fake:
        fake.accept_scopes(f"{fake.audience}.default", f"{fake.audience}/.default")  # both forms in use
        results = configurations(fake, arguments.rounds, arguments.against)
    for result in results:
        ratio = "" if result["ratio"] is None else f" ({result['ratio']:.2f}x)"
        print(
            f"{result['number']} {result['measure']}: {result['azenvcloud']} vs {result['baseline']}{ratio}"
        )
        print(f"    target {result['target']}: {'met' if result['met'] else 'MISSED'}")
    return 0 if all(result["met"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
