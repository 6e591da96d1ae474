"""SECURITY.md's promises name the tests behind them, by path: every test file it names exists, and
every test it names (``tests/test_x.py::test_name``, and ``::test_name`` after it in one cell) is a
test function of that file. A test moved or renamed without SECURITY.md fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
SECURITY = (ROOT / "SECURITY.md").read_text(encoding="utf-8")


def named_tests(text: str) -> list[tuple[str, str]]:
    """``(file, test)`` for every test a table cell of ``text`` names."""
    named: list[tuple[str, str]] = []
    for cell in re.findall(r"\| (`tests/.*`) \|", text):
        module = ""
        for reference in re.findall(r"`([^`]+)`", cell):
            path, _, name = reference.partition("::")
            module = path or module
            if name:
                named.append((module, name))
    return named


def test_every_test_security_md_names_exists() -> None:
    named = named_tests(SECURITY)
    assert len(named) >= 20
    missing = [
        (module, name)
        for module, name in named
        if not re.search(
            rf"^(async )?def {re.escape(name)}\(", (ROOT / module).read_text(encoding="utf-8"), re.M
        )
    ]
    assert missing == []


def test_every_test_file_security_md_names_exists() -> None:
    files = set(re.findall(r"`(tests/[\w/]+\.py)", SECURITY))
    assert "tests/test_trust_rule.py" in files
    assert sorted(path for path in files if not (ROOT / path).is_file()) == []


def test_a_cell_names_its_tests_by_file_then_by_name() -> None:
    cell = "| a promise | `tests/test_a.py::test_one`, `::test_two`, `tests/test_b.py::test_three` |"
    assert named_tests(cell) == [
        ("tests/test_a.py", "test_one"),
        ("tests/test_a.py", "test_two"),
        ("tests/test_b.py", "test_three"),
    ]
