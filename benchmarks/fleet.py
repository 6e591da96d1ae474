"""The fleet's figures (issue 19): a warm start with the token store, processes that start
together, workers forked from a parent. Whole processes against the loopback fake cloud."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from rows import Row, row

from azenvcloud.testing import FakeCloud, isolated_environment

HERE = Path(__file__).parent
PROCESSES = 8


def _run(argv: list[str]) -> float:
    import time

    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{result.stderr}")
    return time.perf_counter() - started


def warm_start(fake: FakeCloud, rounds: int, *, latency_ms: int = 100) -> list[Row]:
    """With ``AZENVCLOUD_TOKEN_CACHE=unencrypted``, a start after the first: the requests it makes
    before its first ARM answer, and its time against the hand-written code at ``latency_ms``."""
    python = sys.executable
    ours = [python, str(HERE / "cold_azenvcloud.py")]
    theirs = [python, str(HERE / "cold_handwritten.py")]
    floor = [python, "-c", "pass"]
    with (
        tempfile.TemporaryDirectory(prefix="azenvcloud-bench-") as cache,
        isolated_environment(
            {**fake.environment(), "AZENVCLOUD_CACHE_DIR": cache, "AZENVCLOUD_TOKEN_CACHE": "unencrypted"}
        ),
    ):
        _run(ours)  # the first start on this machine: OpenID configuration and token stored
        before = len(fake.requests)
        _run(ours)
        made = [request.kind for request in fake.requests[before:]]
        fake.latency("/", latency_ms / 1000)
        try:
            ours_times, theirs_times, floor_times = [], [], []
            for _ in range(rounds):
                ours_times.append(_run(ours))
                theirs_times.append(_run(theirs))
                floor_times.append(_run(floor))
        finally:
            fake.latency("/", 0)
    ours_median, theirs_median = statistics.median(ours_times), statistics.median(theirs_times)
    floor_median = statistics.median(floor_times)
    ratio = ours_median / theirs_median
    return [
        row(
            "8a",
            "warm start with AZENVCLOUD_TOKEN_CACHE=unencrypted: requests before the first ARM answer",
            ", ".join(made),
            "hand-written: token, arm (openid on MSAL's first start)",
            None,
            "exactly 1 (arm)",
            made == ["arm"],
        ),
        row(
            "8b",
            f"warm start with the token store, {latency_ms} ms per response (whole process, median)",
            f"{ours_median * 1000:.0f} ms",
            f"{theirs_median * 1000:.0f} ms hand-written SDK (floor: {floor_median * 1000:.0f} ms for "
            f"python -c pass, so {(ours_median - floor_median) * 1000:.0f} ms vs "
            f"{(theirs_median - floor_median) * 1000:.0f} ms above it)",
            ratio,
            "<= 1.00x",
            ratio <= 1.0,
        ),
    ]


def together(fake: FakeCloud) -> Row:
    """``PROCESSES`` starts together, the store on and empty: token requests per scope."""
    code = [sys.executable, str(HERE / "cold_azenvcloud.py")]
    with (
        tempfile.TemporaryDirectory(prefix="azenvcloud-bench-") as cache,
        isolated_environment(
            {**fake.environment(), "AZENVCLOUD_CACHE_DIR": cache, "AZENVCLOUD_TOKEN_CACHE": "unencrypted"}
        ),
    ):
        fake.latency("/token", 0.2)  # the first request is under way while the others start
        try:
            before = len(fake.requests_of("token"))
            starts = [subprocess.Popen(code, stdout=subprocess.DEVNULL) for _ in range(PROCESSES)]
            failed = sum(start.wait(timeout=300) != 0 for start in starts)
            made = len(fake.requests_of("token")) - before
        finally:
            fake.latency("/token", 0)
    return row(
        "9",
        f"{PROCESSES} processes started together, token store on and empty: token requests (one scope)",
        f"{made} ({failed} failed)",
        f"{PROCESSES} without the store",
        None,
        "1",
        made == 1 and failed == 0,
    )


def forked(fake: FakeCloud) -> Row:
    """A parent that listed resource groups, then forks ``PROCESSES`` workers that list them."""
    with (
        tempfile.TemporaryDirectory(prefix="azenvcloud-bench-") as cache,
        isolated_environment({**fake.environment(), "AZENVCLOUD_CACHE_DIR": cache}),
    ):
        before = len(fake.requests_of("token"))
        result = subprocess.run([sys.executable, str(HERE / "forked_workers.py")], check=False, timeout=300)
        made = len(fake.requests_of("token")) - before
    return row(
        "10",
        f"parent + {PROCESSES} forked workers each listing resource groups, token store off: token requests",
        f"{made}{'' if result.returncode == 0 else ' (a worker failed)'}",
        f"{PROCESSES + 1} before (each worker asked)",
        None,
        "1",
        made == 1 and result.returncode == 0,
    )
