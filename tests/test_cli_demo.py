"""``azenvcloud demo``: the whole chain (azure-identity, MSAL, azure-mgmt) working against the local
fake cloud acting as a built-in cloud or an Azure Stack Hub ADFS stamp, the environment restored
after, and a cloud it does not know blamed on the option."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import log_lines

from azenvcloud._cli import main


def test_demo_runs_the_whole_chain_as_china_and_restores_the_environment(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "bleu")  # the user's own configuration must not leak in
    (Path.cwd() / ".env").write_text("AZURE_SUBSCRIPTION_ID=not-a-guid\n", encoding="utf-8")
    before = dict(os.environ)
    assert main(["demo", "--cloud", "china"]) == 0
    out = capsys.readouterr().out
    assert "a fake AzureChinaCloud, its real host names resolved to https://127.0.0.1:" in out
    assert "rg-alpha" in out
    assert "Fake subscription 1" in out
    assert "POST https://login.chinacloudapi.cn/" in out
    assert "a token for https://management.chinacloudapi.cn/.default" in out
    assert "GET https://management.chinacloudapi.cn/subscriptions/" in out
    assert "fake-token-" not in out  # tokens are never printed
    assert dict(os.environ) == before


def test_demo_of_an_unknown_cloud_exits_2(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cloud", "atlantis"]) == 2
    assert "--cloud='atlantis' is not usable" in capsys.readouterr().err  # the flag typed


def test_demo_with_a_misspelt_cloud_blames_the_cloud_flag(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cloud", "chnia"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("azenvcloud: configuration error: --cloud='chnia' is not usable")
    assert "did you mean AzureChinaCloud?" in line
    assert "AZURE_CLOUD=" not in line


def test_demo_runs_the_chain_against_an_adfs_stamp_in_one_process(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from azenvcloud._cli import main

    assert main(["demo", "--azure-stack-adfs", "--log", str(tmp_path / "requests.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "a fake AzureStackCloud, an Azure Stack Hub stamp with ADFS on https://127.0.0.1:" in out
    assert "POST https://127.0.0.1/adfs/oauth2/token" in out
    kinds = [line["kind"] for line in log_lines(tmp_path / "requests.jsonl")]
    assert kinds == ["metadata", "openid", "token", "arm", "arm"]
