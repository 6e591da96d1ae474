"""One row of the benchmarks' report: a figure, its baseline, the ratio, the target, met or not."""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def row(
    number: int | str, name: str, ours: str, baseline: str, ratio: float | None, target: str, met: bool
) -> Row:
    return {
        "number": number,
        "measure": name,
        "azenvcloud": ours,
        "baseline": baseline,
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "met": met,
    }
