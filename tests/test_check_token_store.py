"""``check --online`` says where the token came from when the token store answered: a warm start
asks no credential of the chain, so naming the chain itself (DefaultAzureCredential) misled."""

from __future__ import annotations

import json

import pytest

import azenvcloud
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


def test_check_online_names_the_token_store_when_it_answered(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    assert main(["check", "--online"]) == 0
    assert _answered(capsys.readouterr().out) == "EnvironmentCredential"
    azenvcloud.reset()  # the next process: nothing in memory, the token on disk
    assert main(["check", "--online"]) == 0
    assert _answered(capsys.readouterr().out) == "the token store (no token request)"
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def _answered(out: str) -> str:
    return out.split("  token", 1)[1].split(" for ", 1)[0].split(" from ", 1)[1]


def test_check_online_json_reports_the_credential_as_values_a_script_can_compare(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    assert main(["check", "--online", "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert (token["credential"], token["from_token_store"]) == ("EnvironmentCredential", False)
    azenvcloud.reset()  # the next process: nothing in memory, the token on disk
    assert main(["check", "--online", "--json"]) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    assert (token["credential"], token["from_token_store"]) == (None, True)
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1
