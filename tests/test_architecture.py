"""The package's imports form layers that only point down: no module reaches, directly or
through others, back to itself.

Every import counts, at module level and inside functions (a lazy import that reaches back up
is a cycle too); only imports under ``if TYPE_CHECKING:`` are left aside, since they never run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import azenvcloud

PACKAGE = Path(azenvcloud.__file__).parent


def _module_name(path: Path) -> str:
    parts = ("azenvcloud", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under ``node``, in functions too, except those under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes(other)
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        yield from _import_nodes(child)


def _owner(name: str) -> str | None:
    """The package module ``name`` is, or lives in (``azenvcloud.x.y`` for a name ``y`` in it)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The package modules ``module`` imports (running code, not ``TYPE_CHECKING``)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from . import x`` imports the submodule x when there is one, else a name of ``base``.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
            ]
        found.update(owner for target in targets if (owner := _owner(target)) is not None)
    found.discard(module)
    return found


GRAPH: dict[str, set[str]] = {module: imports_of(module) for module in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), with one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_one_cycle(graph, set(group)) for group in groups]


def _one_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return sorted(group)


def test_every_module_of_the_package_is_read() -> None:
    assert {"azenvcloud", "azenvcloud._settings", "azenvcloud._dataplane._recipe"} <= set(MODULES)
    assert "azenvcloud._settings" in GRAPH["azenvcloud._clients"]
    assert "azenvcloud._dataplane" in GRAPH["azenvcloud._construction"]  # imported in a function


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("from . import _clouds\n", {"azenvcloud._clouds"}, id="from-dot-import-submodule"),
        pytest.param(
            "from ._errors import ConfigurationError\n", {"azenvcloud._errors"}, id="from-dot-module"
        ),
        pytest.param("import azenvcloud._settings\n", {"azenvcloud._settings"}, id="absolute"),
        pytest.param(
            "def f():\n    from ._settings import get_settings\n", {"azenvcloud._settings"}, id="in-function"
        ),
        pytest.param(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._settings import Settings\n",
            set(),
            id="type-checking-aside",
        ),
    ],
)
def test_imports_are_found_wherever_they_are(
    source: str, expected: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, "azenvcloud._probe", probe)
    assert imports_of("azenvcloud._probe") == expected


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        pytest.param({"a": {"b"}, "b": {"c"}, "c": set()}, [], id="a-chain"),
        pytest.param({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c", "a"]], id="a-ring"),
    ],
)
def test_cycles_are_found(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_no_module_imports_itself_back() -> None:
    found = cycles(GRAPH)
    assert not found, "import cycles (each a path back to its start):\n" + "\n".join(
        " -> ".join(cycle) for cycle in found
    )


MAP = PACKAGE.parent / "ARCHITECTURE.md"
_LAYER = re.compile(r"^### (\d+)\. ")
_ROW = re.compile(r"^\| `([\w/<>]+\.py)` \|")
FAMILY_ROW = "_dataplane/<family>.py"  # one row for every SDK family: a new family is no edit of the map


DEPRECATED_ROW = "<deprecated>.py"  # one row for the paths of the release before (_migration.MOVED_MODULES)


def _named_by(row: str) -> list[str]:
    """The modules a row names: itself, for :data:`FAMILY_ROW` every family module, and for
    :data:`DEPRECATED_ROW` every module left at a path of the release before."""
    if row == DEPRECATED_ROW:
        from azenvcloud._migration import MOVED_MODULES

        return sorted(module for module in MOVED_MODULES if module in MODULES)
    if row != FAMILY_ROW:
        return [_module_name(PACKAGE / row)]
    return [
        _module_name(path)
        for path in sorted((PACKAGE / "_dataplane").glob("*.py"))
        if not path.name.startswith("_")
    ]


def layers_of(text: str) -> dict[str, int]:
    """Each module the map names in a layer's table, and that layer's number (1 is the top)."""
    found: dict[str, int] = {}
    layer = None
    for line in text.splitlines():
        if line.startswith("## "):
            layer = None
        if heading := _LAYER.match(line):
            layer = int(heading.group(1))
        if layer is not None and (row := _ROW.match(line)):
            found.update(dict.fromkeys(_named_by(row.group(1)), layer))
    return found


LAYERS = layers_of(MAP.read_text(encoding="utf-8")) if MAP.exists() else {}


def test_the_map_names_every_module_in_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYERS)) == []
    assert sorted(set(LAYERS) - set(MODULES)) == []  # no module the package no longer has


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = [
        f"{module} (layer {LAYERS[module]}) imports {target} (layer {LAYERS[target]})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if module in LAYERS and target in LAYERS and LAYERS[target] < LAYERS[module]
    ]
    assert upward == []
