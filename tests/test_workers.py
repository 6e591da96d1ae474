"""Workers that are not forked (``spawn``, and ``forkserver``: Linux's default start method since
Python 3.14) inherit nothing in memory: each asks for its own token, unless the token store is on.
What docs/how-to/deploy.md says about workers, measured against the fake cloud with a parent
process and its workers as deployed (``tests/data/workers_app.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from azenvcloud.testing import FakeCloud

APP = Path(__file__).parent / "data" / "workers_app.py"
WORKERS = 4


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
@pytest.mark.parametrize(("store", "token_requests"), [("off", 1 + WORKERS), ("unencrypted", 1)])
def test_a_worker_that_is_not_forked_asks_for_its_own_token_unless_the_store_is_on(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    method: str,
    store: str,
    token_requests: int,
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", store)
    result = subprocess.run(
        [sys.executable, str(APP), method, str(WORKERS)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [["rg-alpha", "rg-beta"]] * (1 + WORKERS)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == token_requests
