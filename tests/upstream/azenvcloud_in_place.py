"""A pytest plugin that runs azure-identity's own tests with azenvcloud's credential in place of
``azure.identity.DefaultAzureCredential`` and ``azure.identity.aio.DefaultAzureCredential``.

Loaded by ``tests/upstream/run.py`` (``-p azenvcloud_in_place``) before the test modules are
imported, so that their ``from azure.identity import DefaultAzureCredential`` gets azenvcloud's:
each construction resolves azenvcloud's settings from the environment as the test set it (no
``.env`` file) and builds the credential with the test's keyword arguments, as
``azenvcloud._credentials.build_credential`` does for ``get_credential()``.

The differences azenvcloud means to have are listed in ``differences.toml`` beside this file,
each with its reason: a test listed under ``[[difference]]`` must fail with the exception it
names (strict xfail: one that passes again, or fails otherwise, fails the run); one under
``[[not_run]]`` is deselected (it is not about DefaultAzureCredential and cannot run here). Any
other failure fails the run.

Name resolution of anything but loopback is refused for the whole run (pytest-socket, given
``--allow-hosts`` by run.py, refuses the connections).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

DIFFERENCES = Path(__file__).with_name("differences.toml")

_fence = contextlib.ExitStack()
_LISTED = pytest.StashKey[dict[str, dict[str, str]]]()


def _load_differences() -> dict[str, dict[str, str]]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    listed = tomllib.loads(DIFFERENCES.read_text(encoding="utf-8"))
    found: dict[str, dict[str, str]] = {}
    for kind in ("difference", "not_run"):
        for entry in listed.get(kind, []):
            if not entry.get("reason", "").strip():
                raise pytest.UsageError(f"{DIFFERENCES}: {entry['test']} has no reason")
            if kind == "difference" and "raises" not in entry:
                raise pytest.UsageError(f"{DIFFERENCES}: {entry['test']} names no exception it raises")
            found[entry["test"]] = {"kind": kind, **entry}
    return found


def _in_place() -> None:
    """azenvcloud's credential classes where azure-identity's were, for the tests to import."""
    import azure.identity
    import azure.identity.aio

    from azenvcloud._credentials import build_async_credential, build_credential
    from azenvcloud._default_credential import AsyncDefaultAzureCredential as AsyncCredential
    from azenvcloud._default_credential import DefaultAzureCredential as Credential
    from azenvcloud._settings import Settings

    class DefaultAzureCredential(Credential):  # type: ignore[misc]
        def __new__(cls, **kwargs: Any) -> Any:  # type: ignore[misc]
            return build_credential(Settings(_env_file=False), **kwargs)

    class AsyncDefaultAzureCredential(AsyncCredential):  # type: ignore[misc]
        def __new__(cls, **kwargs: Any) -> Any:  # type: ignore[misc]
            return build_async_credential(Settings(_env_file=False), **kwargs)

    # The tests patch the chain's members where azure-identity's DefaultAzureCredential looks
    # them up (`patch(DefaultAzureCredential.__module__ + ".EnvironmentCredential")`): the module
    # whose __init__ azenvcloud's credential runs.
    for shim, original in (
        (DefaultAzureCredential, azure.identity.DefaultAzureCredential),
        (AsyncDefaultAzureCredential, azure.identity.aio.DefaultAzureCredential),
    ):
        shim.__module__ = original.__module__
        shim.__name__ = shim.__qualname__ = "DefaultAzureCredential"
    azure.identity.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[misc]
    azure.identity.aio.DefaultAzureCredential = AsyncDefaultAzureCredential  # type: ignore[misc]


def pytest_configure(config: pytest.Config) -> None:
    from azenvcloud.testing import refuse_non_loopback_dns

    _fence.enter_context(refuse_non_loopback_dns())
    # The markers azure-identity's conftest.py (not loaded: it needs the SDK repository's tools) adds.
    config.addinivalue_line("markers", "manual: needs manual interaction")
    config.addinivalue_line("markers", "prints: prints important information to stdout")
    config.stash[_LISTED] = _load_differences()
    _in_place()


def pytest_unconfigure(config: pytest.Config) -> None:
    _fence.close()


def _exception(name: str) -> type[BaseException]:
    """The exception class a dotted name (or a builtin's name) names."""
    import builtins
    from importlib import import_module

    module, _, attribute = name.rpartition(".")
    found = getattr(import_module(module) if module else builtins, attribute)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise pytest.UsageError(f"{DIFFERENCES}: {name} is not an exception class")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    listed = config.stash[_LISTED]
    seen = set()
    kept, dropped = [], []
    for item in items:
        entry = listed.get(item.nodeid)
        if entry is None:
            kept.append(item)
            continue
        seen.add(item.nodeid)
        if entry["kind"] == "not_run":
            dropped.append(item)
            continue
        raises = _exception(entry["raises"])
        reason = f"azenvcloud: {entry['reason']}"
        item.add_marker(pytest.mark.xfail(strict=True, raises=raises, reason=reason))
        kept.append(item)
    stale = sorted(set(listed) - seen)
    if stale:  # a listed test azure-identity no longer has: the list must stay true
        raise pytest.UsageError(f"{DIFFERENCES} lists tests that were not collected: {stale}")
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
