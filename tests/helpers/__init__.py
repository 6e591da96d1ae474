"""What several test files share: the test data folder, running async code, the attacker's hosts
and the canary secret of the trust tests, an Azure Stack Hub stamp's metadata, and the loopback
fences of the processes tests start. Fixtures are in ``tests/conftest.py``; no test file imports
another."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

import azenvcloud
from azenvcloud import ConfigurationError, aio, get_resource_client
from azenvcloud._token_files import token_folder
from azenvcloud.testing import FakeCloud

T = TypeVar("T")

Forked = Callable[[Callable[[], object]], object]
"""The ``forked`` fixture: ``forked(work)`` runs ``work`` in a forked child (``tests/conftest.py``)."""


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main`` in a fresh event loop, closing this loop's azenvcloud objects at the end."""

    async def wrapped() -> T:
        try:
            return await main()
        finally:
            await aio.close()

    return asyncio.run(wrapped())


async def group_names() -> list[str]:
    return [group.name async for group in aio.get_resource_client().resource_groups.list()]


DATA = Path(__file__).parent.parent / "data"

HANDWRITTEN_SDK_CLIENT = DATA / "handwritten_sdk_client.py"
"""A program that never imports azenvcloud: plain azure-identity and SDK code, as a user writes it."""

CANARY_SECRET = "canary-secret-77e1-never-shown"

ATTACKER_HOST = "evil.vault.fake.azenvcloud.test"


def dotenv(path: Path, **values: str) -> Path:
    """Write ``path`` (``./.env`` in the isolated working directory unless named otherwise)."""
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()), encoding="utf-8")
    return path


def assert_refused_by_the_rule(error: ConfigurationError, variable: str, env_file: Path) -> None:
    """The one line the rule promises: variable, the file's absolute path, two fixes that work."""
    message = str(error)
    assert error.variables[0] == variable
    assert f"{variable}=" in message
    assert str(env_file.resolve()) in message
    assert f"AZENVCLOUD_ENV_FILE={env_file.resolve()}" in message
    assert f"set {variable} in the environment" in message


def assert_nothing_sent(fake: FakeCloud) -> None:
    assert fake.requests_of("token") == []
    assert [request.host for request in fake.requests if request.bearer] == []


def list_graph_users() -> None:
    async def users() -> None:
        try:
            await aio.get_graph_client().users.get()
        finally:
            await aio.close()

    asyncio.run(users())


STAMP_ARM = "https://management.local.azurestack.external"

STAMP_AUDIENCE = "https://management.contoso.onmicrosoft.com/81ad7f2c-0000-4000-8000-000000000000"


def stamp_metadata(**changes: Any) -> dict[str, Any]:
    """An Azure Stack Hub stamp with Microsoft Entra ID: the public authority, its own Resource Manager."""
    document: dict[str, Any] = {
        "name": "AzureStackCloud",
        "resourceManager": f"{STAMP_ARM}/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": [STAMP_AUDIENCE],
            "identityProvider": "AAD",
        },
        "suffixes": {
            "keyVaultDns": "vault.local.azurestack.external",
            "storage": "local.azurestack.external",
        },
    }
    document.update(changes)
    return document


GUARDED_CHECK = (
    "import sys\n"
    "from azenvcloud.testing import refuse_non_loopback_dns\n"
    "from azenvcloud._cli import main\n"
    "with refuse_non_loopback_dns():\n"
    "    sys.exit(main(['check', '--online']))\n"
)

LOOPBACK_FENCE = """
import ipaddress, socket

def _loopback(host):
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False

_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"docs examples: loopback only, not {host}")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        raise ConnectionRefusedError(f"docs examples: loopback only, not {address[0]}")
def connect(self, address):
    _check(self, address)
    return _connect(self, address)
def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)
socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
"""


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the token store -----------------------------------------------------------------------------


def restart() -> list[str]:
    """A process start: fresh objects (tokens in memory forgotten), the first ARM call."""
    azenvcloud.reset()
    return [group.name for group in get_resource_client().resource_groups.list()]


def tokens_dir() -> Path:
    """The token store's folder under this test's ``AZENVCLOUD_CACHE_DIR``."""
    return token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])


def entries() -> list[Path]:
    """The token store's entries on disk."""
    return sorted(tokens_dir().glob("*.json"))


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The token store's warnings logged so far."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "token store" in record.getMessage()
    ]


def tokens_line(out: str) -> str:
    """The ``tokens:`` line of ``show`` or ``check``."""
    return next(line for line in out.splitlines() if line.startswith("tokens:"))


def fake_az(tmp_path: Path, azenvcloud_env: pytest.MonkeyPatch, token: str, delay: float = 0) -> None:
    """An ``az`` on PATH that answers ``token`` after ``delay`` seconds."""
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    answer = json.dumps(
        {"accessToken": token, "expiresOn": "", "expires_on": int(time.time()) + 3600, "tokenType": "Bearer"}
    )
    az.write_text(f"#!/bin/sh\nsleep {delay}\necho '{answer}'\n")
    az.chmod(0o700)
    azenvcloud_env.setenv("PATH", f"{az.parent}{os.pathsep}{os.environ['PATH']}")
