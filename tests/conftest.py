"""Suite-wide fences: pytest-socket (pyproject: --allow-hosts loopback) refuses connections to
anything but 127.0.0.1/::1; here, name resolution of anything but loopback is refused too, so
no DNS query for a Microsoft host can leave the machine either. Fixtures come from
azenvcloud's own pytest plugin (azenvcloud_env, azenvcloud_fake_cloud)."""

from __future__ import annotations

import json
import logging
import os
import select
import signal
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from azenvcloud.testing import FAKE_CLIENT_SECRET, FakeCloud, refuse_non_loopback_dns
from azenvcloud.testing._dns import ROUTES

pytest_plugins = ("pytester",)

DATA = Path(__file__).parent / "data"

settings.register_profile("default", max_examples=150, deadline=None)
settings.register_profile(
    "fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")


@pytest.fixture(autouse=True, scope="session")
def _no_dns_beyond_loopback() -> Iterator[None]:
    with refuse_non_loopback_dns():
        yield


@pytest.fixture
def azure_stack_adfs(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """The fake as an Azure Stack Hub stamp with ADFS: of the cloud's values only
    AZURE_RESOURCE_MANAGER is set; the rest, tenant ``adfs`` included, comes from its metadata."""
    fake = azenvcloud_fake_cloud
    fake.serve_metadata({"2022-09-01": fake.metadata_azure_stack_adfs})
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_TENANT_ID"):
        azenvcloud_env.delenv(name)
    return fake


@pytest.fixture
def forked() -> Callable[[Callable[[], object]], object]:
    """``forked(work)``: run ``work`` in a forked child and return what it returned (through JSON),
    or ``None`` when it raised or gave no answer within 30 s (the child is then killed: a child
    stuck waiting fails its test instead of hanging it)."""

    def run(work: Callable[[], object]) -> object:
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                os.write(write, json.dumps(work()).encode())
            finally:
                os._exit(0)
        os.close(write)
        ready, _, _ = select.select([read], [], [], 30)
        if not ready:
            os.kill(child, signal.SIGKILL)
        with os.fdopen(read) as answer:
            text = answer.read() if ready else ""
        os.waitpid(child, 0)
        return json.loads(text) if text else None

    return run


@pytest.fixture(autouse=True)
def _no_token_prefetch_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client built in a test (the default's or a named configuration's) may prefetch its token
    only from an authority on this machine (loopback, or a name routed to a fake cloud): a test
    that would start one from any other fails, even though the fences above would stop the
    request in its background thread."""
    from azenvcloud import _clients as clients
    from azenvcloud._parsers import host_of
    from azenvcloud._settings import get_settings

    prefetch = clients.prefetch_token

    def checked(scopes: Sequence[str], *credential: Any) -> None:
        settings = get_settings()
        if settings.token_prefetch and not ROUTES.is_local(host_of(settings.authority_host)):
            pytest.fail(f"a client would prefetch a token from {settings.authority_host}", pytrace=False)
        prefetch(scopes, *credential)

    monkeypatch.setattr(clients, "prefetch_token", checked)

    from azenvcloud._configuration import Configuration

    named_prefetch = Configuration.prefetch_token

    def checked_named(self: Configuration, scopes: Sequence[str], *credential: Any) -> None:
        settings = self.get_settings()
        if settings.token_prefetch and not ROUTES.is_local(host_of(settings.authority_host)):
            pytest.fail(
                f"configuration {self.name!r} would prefetch a token from {settings.authority_host}",
                pytrace=False,
            )
        named_prefetch(self, scopes, *credential)

    monkeypatch.setattr(Configuration, "prefetch_token", checked_named)


@pytest.fixture(autouse=True)
def _debug_logs_hold_no_secret(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test runs with DEBUG logging captured, azure-identity, MSAL and azure-core included;
    none may log the fake cloud's client secret, a secret it issued to a named configuration
    (``fake-secret-of-<name>-...``) or a token it issued."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = record.getMessage() + (caplog.handler.format(record) if record.exc_info else "")
        assert FAKE_CLIENT_SECRET not in text, f"secret logged by {record.name}"
        assert "fake-secret-of-" not in text, f"a named configuration's secret logged by {record.name}"
        assert "fake-token-" not in text, f"token logged by {record.name}"


@pytest.fixture(autouse=True, scope="session")
def _metadata_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Tests without azenvcloud_env (the property tests) must not write to the user's cache.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AZENVCLOUD_CACHE_DIR", str(tmp_path_factory.mktemp("metadata-cache")))
        yield


@pytest.fixture
def stored(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """The fake cloud, with the token store on disk (``AZENVCLOUD_TOKEN_CACHE=unencrypted``)."""
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    return azenvcloud_fake_cloud


@pytest.fixture
def managed_identity(azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch) -> FakeCloud:
    """The fake cloud as an App Service managed identity endpoint, the chain narrowed to it."""
    for name, value in azenvcloud_fake_cloud.managed_identity_environment().items():
        azenvcloud_env.setenv(name, value)
    return azenvcloud_fake_cloud
