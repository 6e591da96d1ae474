"""``show`` names true sources: a value azenvcloud fills in itself is ``derived``, never a
``.env file`` that was not read, and a credential that is not needed is no fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud


def test_the_adfs_tenant_azenvcloud_fills_in_shows_as_derived(
    azure_stack_adfs: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    tenant = document["identity_variables"]["AZURE_TENANT_ID"]
    assert tenant["value"] == "adfs"
    assert tenant["source"].startswith("derived: an ADFS authority")
    assert document["warnings"] == []  # azenvcloud's own value is nobody's "second place"
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "AZURE_TENANT_ID" in out
    assert ".env file None" not in out


def test_a_workload_identity_pod_lists_no_missing_client_secret(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = tmp_path / "token"
    token.write_text("token-from-the-webhook", encoding="utf-8")
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn/")
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_TENANT_ID", "72f988bf-0000-4000-8000-00000000fa4e")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token))
    assert main(["show", "--json"]) == 0
    chain = {
        item["credential"]: item["status"] for item in json.loads(capsys.readouterr().out)["credential_chain"]
    }
    assert chain["WorkloadIdentityCredential"] == "ready: federated token file"
    assert "missing" not in chain["EnvironmentCredential"]
    assert (
        chain["EnvironmentCredential"]
        == "not set up (no AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)"
    )


def test_a_service_principal_half_set_up_still_says_what_it_lacks(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    azenvcloud_env.setenv("AZURE_TENANT_ID", "72f988bf-0000-4000-8000-00000000fa4e")
    assert main(["show"]) == 0
    lacks = "not set up (service principal with a client secret: AZURE_CLIENT_SECRET missing)"
    assert f"EnvironmentCredential        {lacks}" in (capsys.readouterr().out)
