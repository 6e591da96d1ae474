"""A 4 MiB implicit ``./.env`` (issue 24): resolution against python-dotenv's own parse of the
same file, run side by side, and the cost of the typo check alone.

    .venv/bin/python benchmarks/env_file.py [--rounds N]

Two files of 131,072 lines of 32 bytes (4 MiB, the largest .env azenvcloud reads): one of names
a letter or two from ``AZURE_SERVICE_KEYVAULT_SUFFIX`` (each a slip the typo check would report;
they once made resolution take two minutes), one of names of no tool (``MYAPP_...``). Both sides
run in this process, alternating round by round; medians.

Then the typo check alone with 8 named configurations declared, on the same near misses each under
one of 8 prefixes in turn (``GOV_AZURE_SERVICE_KEYVAULX_SUFFIX``), against the check with none
declared on the same names unprefixed, alternating round by round: a prefix is cut off before the
lookup, so its cost must not grow with the number of configurations.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rows import Row, row

from azenvcloud import _typos
from azenvcloud._settings import Settings
from azenvcloud.testing import isolated_environment

LINES = 131_072  # of 32 bytes: 4 MiB
NEAR = "AZURE_SERVICE_KEYVAULT_SUFFIX"
EIGHT = ("gov", "backup", "china", "bleu", "delos", "tenant1", "tenant2", "tenant3")


def near_miss_names(count: int) -> list[str]:
    """``count`` different names one or two letters from AZURE_SERVICE_KEYVAULT_SUFFIX, in a fixed
    order, never in the service's name (that would name an unknown service: refused, not a
    warning). tests/test_typos.py checks what the check says of them."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
    positions = [i for i in range(1, len(NEAR)) if not 14 <= i < 22]
    names: dict[str, None] = {}
    for first, second in itertools.combinations(positions, 2):
        for one, two in itertools.product(letters, repeat=2):
            name = f"{NEAR[:first]}{one}{NEAR[first + 1 : second]}{two}{NEAR[second + 1 :]}"
            if name != NEAR:
                names.setdefault(name, None)
            if len(names) == count:
                return list(names)
    raise AssertionError(f"fewer than {count} near misses")


def near_misses() -> str:
    """The near misses' file."""
    return "".join(f"{name}=x\n" for name in near_miss_names(LINES))


def unrelated() -> str:
    """Names of no tool, as long as the near misses."""
    return "".join(f"MYAPP_SETTING_NUMBER_{index:08d}=x\n" for index in range(LINES))


def timed(function: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def implicit_env_file(rounds: int) -> list[Row]:
    """Figures 11a-11d: resolution of a 4 MiB implicit ./.env against python-dotenv's parse of it,
    and the typo check alone (its index built anew each time: the first resolution of a process)."""
    logging.getLogger("azenvcloud").addHandler(logging.NullHandler())  # its warnings: not on stderr
    with tempfile.TemporaryDirectory(prefix="azenvcloud-bench-") as folder:
        return [
            *one_file(Path(folder), "near misses", near_misses(), ("11a", "11c"), rounds),
            *one_file(Path(folder), "unrelated names", unrelated(), ("11b", "11d"), rounds),
        ]


def one_file(folder: Path, kind: str, text: str, numbers: tuple[str, str], rounds: int) -> list[Row]:
    from dotenv import dotenv_values

    project = folder / kind.replace(" ", "-")
    project.mkdir()
    env_file = project / ".env"
    env_file.write_text(text, encoding="utf-8")
    assert env_file.stat().st_size == 4 * 1024 * 1024
    here = os.getcwd()
    os.chdir(project)
    ours, theirs, checks = [], [], []
    try:
        with isolated_environment({"AZENVCLOUD_CACHE_DIR": str(folder / "cache")}):
            warnings = Settings().warnings
            values = dotenv_values(env_file, interpolate=False)

            def check() -> None:
                _typos._index.cache_clear()  # as in a process's first resolution
                _typos.find_typos(os.environ, values, str(env_file), "AzureCloud")

            for _ in range(rounds):
                theirs.append(timed(lambda: dotenv_values(env_file, interpolate=False)))
                ours.append(timed(Settings))
                checks.append(timed(check))
    finally:
        os.chdir(here)
    mine, baseline, checked = (statistics.median(runs) for runs in (ours, theirs, checks))
    return [
        row(
            numbers[0],
            f"resolution with a 4 MiB implicit ./.env of {LINES:,} {kind}, median",
            f"{mine * 1000:.0f} ms",
            f"{baseline * 1000:.0f} ms python-dotenv's dotenv_values (no interpolation)",
            mine / baseline,
            "<= 1.20x",
            mine / baseline <= 1.2,
        ),
        row(
            numbers[1],
            "the typo check alone on that file, median; the warning lines it gives",
            f"{checked * 1000:.1f} ms; {len(warnings)} lines",
            f"{baseline * 1000:.0f} ms python-dotenv's parse",
            checked / baseline,
            "<= 50 ms; <= 5 + 1 lines",
            checked <= 0.050 and len(warnings) <= _typos.LISTED + 1,
        ),
    ]


def eight_configurations(rounds: int) -> list[Row]:
    """Figure 11e: the typo check alone, 8 configurations declared and 131,072 prefixed near
    misses, against none declared and the same near misses unprefixed (each index built anew)."""
    names = near_miss_names(LINES)
    plain = dict.fromkeys(names, "x")
    prefixed = {f"{EIGHT[index % 8].upper()}_{name}": "x" for index, name in enumerate(names)}
    lines: dict[str, int] = {}

    def check(values: dict[str, str], configurations: tuple[str, ...]) -> Callable[[], object]:
        def run() -> None:
            _typos._index.cache_clear()  # as in a process's first resolution
            _typos._named_index.cache_clear()
            found = _typos.find_typos({}, values, "/app/.env", "AzureCloud", configurations=configurations)
            lines[str(len(configurations))] = len(found)

        return run

    ours, baseline = [], []
    with isolated_environment({}):
        for _ in range(rounds):
            baseline.append(timed(check(plain, ())))
            ours.append(timed(check(prefixed, EIGHT)))
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    return [
        row(
            "11e",
            f"the typo check alone, 8 configurations declared, {LINES:,} prefixed near misses, median; lines",
            f"{mine * 1000:.1f} ms; {lines['8']} lines",
            f"{theirs * 1000:.1f} ms none declared, the same names unprefixed; {lines['0']} lines",
            mine / theirs,
            "<= 1.50x; <= 50 ms; <= 5 + 1 lines",
            mine / theirs <= 1.5 and mine <= 0.050 and lines["8"] <= _typos.LISTED + 1,
        )
    ]


def main() -> int:
    import argparse

    from run import print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs per side and file (default 5)")
    rounds = parser.parse_args().rounds
    rows = [*implicit_env_file(rounds), *eight_configurations(max(rounds, 7))]
    print_table(rows)
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
