"""The public API is the documented one: every name a user may import is in ``__all__`` and in the
reference (``docs/reference/api.md``; ``docs/reference/testing.md`` for the fake cloud), every other
module and name is private (``_``), and each path of the release before still works, warning with
its new path, as ``docs/reference/upgrading.md`` lists.

A public name added without its docs fails here (as httpx's ``tests/test_exported_members.py``).
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

import azenvcloud
from azenvcloud._migration import MOVED_MODULES, MOVED_NAMES, REMOVED_IN

PACKAGE = Path(azenvcloud.__file__).parent
DOCS = PACKAGE.parent / "docs" / "reference"
RELEASE_BEFORE = json.loads(
    (Path(__file__).parent / "data" / "public_names_0.1.json").read_text(encoding="utf-8")
)

# The public modules, and the reference page that documents each one's ``__all__``.
PUBLIC = {
    "azenvcloud": DOCS / "api.md",
    "azenvcloud.aio": DOCS / "api.md",
    "azenvcloud.telemetry": DOCS / "api.md",
    "azenvcloud.testing": DOCS / "testing.md",
}
ENTRY_POINTS = {"azenvcloud.__main__", "azenvcloud.pytest_plugin"}  # run or loaded, not imported from


def _module_name(path: Path) -> str:
    parts = ("azenvcloud", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_public(module: str) -> bool:
    return not any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def documented(page: Path, module: str) -> list[str]:
    """The names of ``module`` that ``page`` documents (``::: module.name``)."""
    pattern = re.compile(rf"^::: {re.escape(module)}\.(\w+)$", re.MULTILINE)
    return sorted(pattern.findall(page.read_text(encoding="utf-8")))


def test_the_public_modules_are_the_documented_ones_and_the_deprecated_paths() -> None:
    public = {module for module in MODULES if _is_public(module)}
    deprecated = {module for module in MOVED_MODULES if module in MODULES}
    assert sorted(public - deprecated) == sorted({*PUBLIC, *ENTRY_POINTS})
    assert deprecated == {module for module in MOVED_MODULES if module.count(".") == 1}


@pytest.mark.parametrize("module", sorted(m for m in MOVED_MODULES if m.count(".") == 1))
def test_a_deprecated_module_holds_its_redirect_and_nothing_else(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    assert ast.get_docstring(tree) is not None
    body = tree.body[1:]
    shapes = [type(node).__name__ for node in body]
    assert shapes in (
        ["ImportFrom", "FunctionDef"],
        ["ImportFrom", "Expr", "FunctionDef"],  # a package: alias_submodules() for its modules
    )
    function = body[-1]
    assert isinstance(function, ast.FunctionDef)
    assert function.name == "__getattr__"
    assert ast.unparse(function.body[0]) == "return moved_name(__name__, name)"


@pytest.mark.parametrize(("module", "page"), [pytest.param(m, p, id=m) for m, p in PUBLIC.items()])
def test_all_is_exactly_what_the_reference_documents(module: str, page: Path) -> None:
    assert sorted(importlib.import_module(module).__all__) == documented(page, module)


def _defined_names(path: Path) -> list[str]:
    """The names a module defines at its top level (functions, classes, assignments; not imports)."""
    found: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
        elif isinstance(node, ast.Assign):
            found.extend(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(node.target.id)
    return found


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_other_name_of_a_public_module_is_private(module: str) -> None:
    exported = set(importlib.import_module(module).__all__)
    undocumented = [
        name for name in _defined_names(MODULES[module]) if name not in exported and not name.startswith("_")
    ]
    assert undocumented == []


def test_the_pytest_plugin_defines_its_documented_fixtures_only() -> None:
    table = (DOCS / "testing.md").read_text(encoding="utf-8")
    fixtures = sorted(re.findall(r"^\| `(azenvcloud_\w+)` \|", table, re.MULTILINE))
    public = sorted(
        name for name in _defined_names(MODULES["azenvcloud.pytest_plugin"]) if not name.startswith("_")
    )
    assert public == fixtures


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_resolves_and_is_listed(module: str) -> None:
    imported = importlib.import_module(module)
    for name in imported.__all__:
        assert hasattr(imported, name)
        assert name in dir(imported)


def test_nothing_public_of_the_release_before_is_gone() -> None:
    for module in PUBLIC:
        before = RELEASE_BEFORE.get(module, [])  # azenvcloud.telemetry is new
        assert set(before) <= set(importlib.import_module(module).__all__), module


def test_every_public_name_of_the_release_before_has_a_new_path() -> None:
    for module, names in RELEASE_BEFORE.items():
        if module in PUBLIC or module in ENTRY_POINTS:
            continue
        assert module in MOVED_MODULES
        if module.count(".") >= 2 and module.rpartition(".")[0] in MOVED_MODULES:
            continue  # a submodule of a moved package: the new module itself, aliased whole
        assert sorted(f"{module}.{name}" for name in names) == sorted(
            name for name in MOVED_NAMES if name.rpartition(".")[0] == module
        )


def _new(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("old", "new"), sorted(MOVED_NAMES.items()))
def test_an_old_name_still_works_and_warns_naming_its_new_path(old: str, new: str) -> None:
    module, _, name = old.rpartition(".")
    with pytest.warns(DeprecationWarning, match=re.escape(new)) as caught:
        value = getattr(importlib.import_module(module), name)
    assert value is _new(new)
    assert f"azenvcloud {REMOVED_IN}" in str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the line that used the old path


@pytest.mark.parametrize(
    ("old", "new"), sorted((m, n) for m, n in MOVED_MODULES.items() if m.count(".") >= 2)
)
def test_an_old_submodule_still_imports_as_its_new_module_and_warns(
    old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=re.escape(new)):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__spec__ is not None
    assert module.__spec__.name == new  # its own spec: its relative imports still resolve as its own


def test_an_old_submodule_named_as_an_attribute_warns_once_and_is_the_new_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "azenvcloud.dataplane.storage", raising=False)
    package = importlib.import_module("azenvcloud.dataplane")
    monkeypatch.delitem(package.__dict__, "storage", raising=False)
    with pytest.warns(DeprecationWarning, match=r"azenvcloud\._dataplane\.storage") as caught:
        module = package.storage
    assert module is importlib.import_module("azenvcloud._dataplane.storage")
    assert len(caught) == 1


@pytest.mark.parametrize(
    "name", ["credentials", "profiles", "provenance", "resolution", "services", "settings"]
)
def test_the_package_attributes_of_the_release_before_are_the_deprecated_modules(name: str) -> None:
    module = getattr(azenvcloud, name)
    assert isinstance(module, ModuleType)
    assert module is sys.modules[f"azenvcloud.{name}"]


def test_an_unknown_name_of_an_old_module_is_an_attribute_error_naming_its_new_module() -> None:
    old = importlib.import_module("azenvcloud.settings")
    with pytest.raises(AttributeError, match=r"azenvcloud\._settings holds what it held"):
        old.get_setings  # noqa: B018 - the access is the test


def test_the_new_paths_warn_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in azenvcloud.__all__:
            getattr(azenvcloud, name)
        importlib.import_module("azenvcloud._cli")


UPGRADING = DOCS / "upgrading.md"


def test_the_upgrading_page_lists_every_old_path_and_says_who_sees_the_warning() -> None:
    text = UPGRADING.read_text(encoding="utf-8")
    section = text[text.index("## Import paths that moved") :]
    rows = {line.split(" | ")[0]: line for line in section.splitlines() if line.startswith("| `")}
    for module in MOVED_MODULES:
        row = next((line for line in rows.values() if f"`{module}`" in line.split(" | ")[0]), None)
        assert row is not None, f"{module} is not in the table"
        names = [name.rpartition(".")[2] for name in MOVED_NAMES if name.rpartition(".")[0] == module]
        assert [name for name in names if f"`{name}`" not in row] == [], module
    assert "`filterwarnings = error`" in section
    assert f"until azenvcloud {REMOVED_IN}" in section


def test_the_filter_the_upgrading_page_offers_silences_the_warning() -> None:
    """Applied as pytest applies a ``filterwarnings`` line (message and module: regular expressions
    matched at the start), over ``error``: the old path works and raises nothing."""
    text = UPGRADING.read_text(encoding="utf-8")
    found = re.search(r'add `"(ignore:[^"`]*)"` to `filterwarnings`', text)
    assert found is not None
    action, message, category, module, *_ = [*found.group(1).split(":"), "", "", ""]
    assert (action, category) == ("ignore", "DeprecationWarning")
    old = importlib.import_module("azenvcloud.settings")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message, DeprecationWarning, module)
        assert old.get_settings is azenvcloud.get_settings  # the warning is this module's line's


def test_public_api_is_curated() -> None:
    import azenvcloud

    # ruff's order (RUF022): constants, then classes, then functions, each alphabetical
    assert azenvcloud.__all__ == sorted(
        azenvcloud.__all__, key=lambda name: (not name.isupper(), not name[0].isupper(), name)
    )
    for name in (
        "get_settings",
        "get_credential",
        "get_resource_client",
        "get_subscription_client",
        "get_client",
        "reset",
        "ConfigurationError",
        "configure",
        "Settings",
        "Cloud",
        "MetadataUnavailableError",
        "Service",
        "service_url",
        "service_scope",
    ):
        assert name in azenvcloud.__all__
        assert getattr(azenvcloud, name).__doc__
