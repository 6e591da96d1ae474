"""pytest fixtures over :mod:`azenvcloud.testing`, registered through the ``pytest11`` entry point.

Nothing here is autouse and nothing heavy is imported until a fixture is used: this module loads
in every pytest run of every project that installs azenvcloud.

- ``azenvcloud_env``: an isolated configuration: every ``AZURE_*`` and azure-identity variable
  cleared, the working directory an empty temporary folder (no stray ``.env``), the metadata
  cache in that folder, azenvcloud's caches reset before and after. Yields the ``MonkeyPatch``
  to set variables with.
- ``azenvcloud_fake_cloud_server``: one fake cloud for the session (its certificate also covers
  every built-in cloud's hosts, for ``route_hosts`` and ``as_cloud``).
- ``azenvcloud_fake_cloud``: that server, reset, with ``azenvcloud_env`` pointed at it; while the
  test runs, a host under a built-in cloud's domain that nothing routes fails at once
  (``azenvcloud.testing.UnroutedHostError``). A test gives a Key Vault its secrets in one call:
  ``azenvcloud_fake_cloud.set_secrets("kv1", {"api-key": "..."})``, and an App Configuration
  store its key-values: ``azenvcloud_fake_cloud.set_store("cfg1", {"color": "blue"})``.
- ``azenvcloud_fake_clouds``: ``azenvcloud_fake_cloud`` acting as several clouds, one per
  configuration, in one call: ``azenvcloud_fake_clouds(default="china", gov="usgov")``
  (``FakeCloud.as_clouds`` until the test ends).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testing import FakeCloud, FakeConfiguration


def _reset_azenvcloud() -> None:
    from . import reset
    from ._single_flight import wait_for_prefetches

    reset()
    # A token prefetch of the test before must not reach the (shared) fake during this one.
    wait_for_prefetches(timeout=30)


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    from .testing import is_isolated_variable

    for name in list(os.environ):
        if is_isolated_variable(name):
            monkeypatch.delenv(name)


def _put(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def azenvcloud_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> Iterator[pytest.MonkeyPatch]:
    """An isolated environment for azenvcloud; set variables on the yielded ``MonkeyPatch``.

    Token prefetch is off (``AZENVCLOUD_TOKEN_PREFETCH=false``): a client built in a test of the
    wiring contacts nobody. ``azenvcloud_fake_cloud``, where everything is local, turns it on.
    """
    from .testing import is_isolated_variable

    before = {name: value for name, value in os.environ.items() if is_isolated_variable(name)}
    _clear(monkeypatch)
    monkeypatch.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
    monkeypatch.chdir(tmp_path)
    # Metadata fetched in a test is cached only for that test.
    monkeypatch.setenv("AZENVCLOUD_CACHE_DIR", os.path.join(tmp_path, "azenvcloud-cache"))
    _reset_azenvcloud()
    yield monkeypatch
    _reset_azenvcloud()
    # The variables as they were before the test, whatever it did: those set behind monkeypatch's
    # back (azure-identity's, exported from a .env file, or written by the test) are removed, not
    # delenv'd (monkeypatch would record the value written and put it back when it undoes), and
    # the environment's own are put back even when the test called monkeypatch.undo() itself.
    for name in [name for name in os.environ if is_isolated_variable(name)]:
        del os.environ[name]
    os.environ.update(before)


@pytest.fixture(scope="session")
def azenvcloud_fake_cloud_server() -> Iterator[FakeCloud]:
    """One running fake cloud for the whole session."""
    from .testing import FakeCloud

    cloud = FakeCloud().start()  # no fence here: the fixture below fences while a test uses it
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def azenvcloud_fake_cloud(
    azenvcloud_env: pytest.MonkeyPatch, azenvcloud_fake_cloud_server: FakeCloud
) -> Iterator[FakeCloud]:
    """The session's fake cloud, reset, with the environment configured to use it."""
    azenvcloud_fake_cloud_server.reset()
    for name, value in azenvcloud_fake_cloud_server.environment().items():
        if name != "AZENVCLOUD_CACHE_DIR":  # the test's own (azenvcloud_env), not the session's
            azenvcloud_env.setenv(name, value)
    azenvcloud_env.delenv("AZENVCLOUD_TOKEN_PREFETCH")  # everything it could contact is local
    with azenvcloud_fake_cloud_server.fence_unrouted():
        yield azenvcloud_fake_cloud_server
    azenvcloud_fake_cloud_server.reset()


@pytest.fixture
def azenvcloud_fake_clouds(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> Iterator[Callable[..., dict[str, FakeConfiguration]]]:
    """``azenvcloud_fake_cloud`` acting as several clouds, one per configuration, in one call:
    ``azenvcloud_fake_clouds(default="china", gov="usgov")`` returns each configuration by name
    (:class:`~azenvcloud.testing.FakeConfiguration`), with the environment set for each (``GOV_``
    variables, ``AZENVCLOUD_CONFIGURATIONS``) until the test ends; see ``FakeCloud.as_clouds``.

    The variables are set through ``azenvcloud_env`` too, so a test may change one of them with
    ``monkeypatch`` (``delenv("GOV_AZURE_CLIENT_SECRET")``) and still leave nothing behind."""
    with ExitStack() as stack:

        def act(
            clouds: dict[str, str] | None = None, /, **by_configuration: str
        ) -> dict[str, FakeConfiguration]:
            before = dict(os.environ)
            acting = stack.enter_context(azenvcloud_fake_cloud.as_clouds(clouds, **by_configuration))
            # MonkeyPatch restores the value it saw first: have it see the one before acting.
            for name in sorted({*before, *os.environ}):
                now = os.environ.get(name)
                if now != before.get(name):
                    _put(name, before.get(name))
                    if now is None:
                        azenvcloud_env.delenv(name, raising=False)
                    else:
                        azenvcloud_env.setenv(name, now)
            return acting

        yield act
