"""``check --online`` says where the token came from when the token store answered: a warm start
asks no credential of the chain, so naming the chain itself (DefaultAzureCredential) misled."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import azenvcloud
from azenvcloud.cli import main
from azenvcloud.testing import FakeCloud


@pytest.mark.parametrize(
    ("options", "answered"),
    [
        pytest.param(
            ["--online"],
            lambda out: out.split("  token", 1)[1].split(" for ", 1)[0].split(" from ", 1)[1],
            id="text",
        ),
        pytest.param(["--online", "--json"], lambda out: json.loads(out)["token"]["credential"], id="json"),
    ],
)
def test_check_online_names_the_token_store_when_it_answered(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    answered: Callable[[str], str],
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    assert main(["check", *options]) == 0
    assert answered(capsys.readouterr().out) == "EnvironmentCredential"
    azenvcloud.reset()  # the next process: nothing in memory, the token on disk
    assert main(["check", *options]) == 0
    assert answered(capsys.readouterr().out) == "the token store (no token request)"
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
