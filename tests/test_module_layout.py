"""Modules by concept: every module of the package holds one concept, which its name says and its
docstring names, in 60 to 500 lines; a module under 60 lines is data (what counts is below),
``__main__.py``, ``_version.py`` or a deprecated path of the release before.

Data is a module that holds constants and nothing that runs (its top level: a docstring, imports,
``__all__`` and assignments: the built-in clouds and services), or an SDK family of ``_dataplane/``,
whose only public names are ``RECIPES`` and ``FAKE_ROUTES`` (its recipes and the fake's answers for
its service: rows of the registry, however short the family). Also here: no module imports a
private name of another (a name its module keeps to itself), and one fork hook for the package.

And tests by behaviour: each test file is named for the behaviour it checks (no number, nothing of
how it came to be) and says it in its docstring, imports no other test file (shared helpers are in
``tests/helpers/``), and nothing refers to the workspace around the repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud._migration import MOVED_MODULES

PACKAGE = Path(azenvcloud.__file__).parent
SHORTEST = 60
LONGEST = 500
# Names that say nothing of what a module holds (its stem, without the leading underscore).
VAGUE = frozenset(
    {"utils", "util", "helpers", "helper", "common", "misc", "base", "core", "lib", "tools", "stuff",
     "general", "other", "others", "values", "one_cloud", "internal", "shared", "impl"}
)  # fmt: skip


def _module_name(path: Path) -> str:
    parts = ("azenvcloud", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def is_data(path: Path) -> bool:
    """Constants only: a docstring, imports, ``__all__`` and assignments at the top level."""
    allowed = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Expr)
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(isinstance(node, allowed) for node in body) and all(
        isinstance(node.value, ast.Constant) for node in body if isinstance(node, ast.Expr)
    )


def exported(path: Path) -> set[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return {element.value for element in node.value.elts}  # type: ignore[attr-defined]
    return set()


def is_family(module: str, path: Path) -> bool:
    """An SDK family of ``_dataplane/`` whose public names are its recipes and fake routes."""
    return (
        module.startswith("azenvcloud._dataplane.")
        and not path.name.startswith("_")
        and "RECIPES" in exported(path)
        and exported(path) <= {"RECIPES", "FAKE_ROUTES"}
    )


def why_short_is_allowed(module: str, path: Path) -> str | None:
    if module in {"azenvcloud.__main__", "azenvcloud._version"}:
        return "entry point or version"
    if module in MOVED_MODULES:
        return "a deprecated path"
    if is_family(module, path):
        return "an SDK family's recipes and fake routes"
    if is_data(path):
        return "data"
    return None


def test_no_module_is_longer_than_500_lines() -> None:
    assert {module: lines_of(path) for module, path in MODULES.items() if lines_of(path) > LONGEST} == {}


def test_a_module_under_60_lines_is_data_an_entry_point_or_a_deprecated_path() -> None:
    short = {
        module: lines_of(path)
        for module, path in MODULES.items()
        if lines_of(path) < SHORTEST and why_short_is_allowed(module, path) is None
    }
    assert short == {}


@pytest.mark.parametrize(
    ("source", "data"),
    [
        pytest.param('"""Doc."""\n\nX = 1\n"""Its doc."""\n__all__ = ["X"]\n', True, id="constants"),
        pytest.param('"""Doc."""\n\ndef f() -> None:\n    pass\n', False, id="a-function"),
        pytest.param('"""Doc."""\n\nclass C:\n    pass\n', False, id="a-class"),
        pytest.param('"""Doc."""\n\nprint("runs")\n', False, id="a-call"),
    ],
)
def test_data_is_a_module_of_constants(source: str, data: bool, tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert is_data(probe) is data


def test_the_exceptions_are_those_the_rule_names() -> None:
    allowed = {
        module: why
        for module, path in MODULES.items()
        if lines_of(path) < SHORTEST and (why := why_short_is_allowed(module, path)) is not None
    }
    assert set(allowed.values()) <= {
        "entry point or version",
        "a deprecated path",
        "an SDK family's recipes and fake routes",
        "data",
    }
    assert "azenvcloud._dataplane.cosmos" in allowed  # a family of one recipe stays one module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_has_a_docstring_that_names_its_concept(module: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc, f"{module} has no docstring"
    first = doc.split("\n\n")[0]
    assert len(first.split()) >= 4, f"{module}: {first!r} names no concept"


def test_no_module_has_a_name_that_says_nothing() -> None:
    vague = [module for module in MODULES if any(part.lstrip("_") in VAGUE for part in module.split(".")[1:])]
    assert vague == []


def _private_imports(path: Path) -> list[str]:
    """``from .x import _name``: a name another module keeps to itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("azenvcloud")):
            base = path.parent
            for _ in range(max(node.level - 1, 0)):
                base = base.parent
            for part in (node.module or "").split(".") if node.level else ():
                base = base / part if part else base
            for alias in node.names:
                is_module = (base / f"{alias.name}.py").exists() or (base / alias.name).is_dir()
                if alias.name.startswith("_") and not alias.name.startswith("__") and not is_module:
                    found.append(f"from {'.' * node.level}{node.module or ''} import {alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    found = {module: names for module, path in MODULES.items() if (names := _private_imports(path))}
    assert found == {}


def test_one_fork_hook_for_the_package() -> None:
    registering = [
        module
        for module, path in MODULES.items()
        if re.search(r"\bregister_at_fork\(", path.read_text(encoding="utf-8"))
    ]
    assert registering == ["azenvcloud._fork"]


# -- tests by behaviour ------------------------------------------------------------------------------

TESTS = Path(__file__).parent
TEST_FILES = sorted(TESTS.glob("test_*.py"))
# Words that say how a test file came to be, or nothing at all, rather than the behaviour it checks.
HOW_IT_WAS_MADE = frozenset(
    {"review", "contract", "misc", "more", "extra", "anywhere", "new", "old",
     "fixes", "regression", "issue", "followup", "round", "part", "stuff", "various"}
)  # fmt: skip


def test_every_test_file_is_named_for_the_behaviour_it_checks() -> None:
    misnamed = [
        path.name
        for path in TEST_FILES
        if re.search(r"\d", path.stem) or set(path.stem.split("_")[1:]) & HOW_IT_WAS_MADE
    ]
    assert misnamed == []


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: path.name)
def test_every_test_file_says_what_behaviour_it_checks(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path.name} has no docstring"
    assert len(doc.split("\n\n")[0].split()) >= 6


def test_no_test_file_imports_another() -> None:
    """Shared helpers are in ``tests/helpers/`` (fixtures in ``conftest.py``), never in a test file."""
    found = {}
    for path in [*TEST_FILES, *sorted((TESTS / "helpers").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            local = [
                name
                for name in names
                if name.split(".")[0].startswith(("test_", "conftest", "docs_examples"))
            ]
            if local:
                found[path.name] = local
    assert found == {}


# The workspace around the repository (the team's notes and research): a reference to it means
# nothing to a reader of the repository.
OUTSIDE = re.compile(r"/work/|\.\./shared/|shared/research|notes/(?:issue|review)\w*\.md")


def test_nothing_refers_to_a_file_outside_the_repository() -> None:
    root = PACKAGE.parent
    texts = [
        *PACKAGE.rglob("*.py"),
        *TESTS.rglob("*.py"),
        *(root / "docs").rglob("*.md"),
        *(root / "benchmarks").rglob("*.py"),
        *root.glob("*.md"),
        root / "pyproject.toml",
        root / ".ci" / "run",
    ]
    this = Path(__file__).resolve()
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in texts
        if path.resolve() != this
        for match in OUTSIDE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
