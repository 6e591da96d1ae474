"""``azenvcloud tenant TENANT_ID``: which cloud a tenant belongs to, from its public OpenID
configuration, asked of the public authority first and of the others only while it is not found
there; only ever against the fake cloud, acting as each cloud's authority on loopback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

sys.path.insert(0, str(Path(__file__).parent))
from helpers.docs_examples import ROOT, blocks_of, console_commands, matches, normalise

AUTHORITIES = (
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.sovcloud-identity.fr",
    "login.sovcloud-identity.de",
    "login.sovcloud-identity.sg",
)
US_GOV_TENANT = "72f988bf-0000-4000-8000-00000000fa4e"
CHINA_TENANT = "11111111-0000-4000-8000-000000000001"


@pytest.fixture
def authorities(azenvcloud_fake_cloud: FakeCloud) -> FakeCloud:
    """The fake as every cloud's authority: a US Government tenant, and a China one."""
    fake = azenvcloud_fake_cloud
    fake.add_tenant(US_GOV_TENANT, cloud="usgov", region_scope="USGov")
    fake.add_tenant(CHINA_TENANT, cloud="china")
    with fake.route_hosts(*AUTHORITIES):
        yield fake


def _asked(fake: FakeCloud) -> list[str]:
    return [
        request.host
        for request in fake.requests
        if request.path.endswith("/.well-known/openid-configuration")
    ]


def test_the_public_authority_is_asked_first_and_the_others_only_until_the_tenant_is_found(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", US_GOV_TENANT]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"tenant {US_GOV_TENANT}: AzureUSGovernment"
    assert "select it with AZURE_CLOUD=AzureUSGovernment" in out
    assert _asked(authorities) == ["login.microsoftonline.com", "login.microsoftonline.us"]
    assert all(f"/{US_GOV_TENANT}/v2.0/" in request.path for request in authorities.requests)


def test_the_json_names_the_cloud_instance_and_region_scope(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", CHINA_TENANT, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cloud_name"] == "AzureChinaCloud"
    assert document["authority_host"] == "https://login.chinacloudapi.cn"
    assert document["cloud_instance_name"] == "chinacloudapi.cn"
    assert [item["answer"] for item in document["asked"]] == ["not found", "not found", "found"]


def test_the_list_can_be_restricted_and_a_tenant_found_nowhere_exits_2(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", US_GOV_TENANT, "--cloud", "bleu", "--cloud", "china"]) == 2
    assert _asked(authorities) == [
        "login.chinacloudapi.cn",
        "login.sovcloud-identity.fr",
    ]  # in the fixed order
    assert "found at none of the authorities asked" in capsys.readouterr().out


def test_an_authority_that_keeps_failing_is_unreachable_and_exits_3(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    authorities.fail("/.well-known/openid-configuration", 503, times=4, headers={"Retry-After": "0"})
    assert main(["tenant", US_GOV_TENANT, "--cloud", "public"]) == 3
    assert "https://login.microsoftonline.com  unreachable (it answered HTTP 503)" in capsys.readouterr().out


@pytest.mark.parametrize("tenant", ["../../etc", "a b", "tenant?x=1"])
def test_a_malformed_tenant_is_refused_before_any_request(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str], tenant: str
) -> None:
    assert main(["tenant", tenant]) == 2
    assert "TENANT_ID" in capsys.readouterr().err
    assert authorities.requests == []


def test_an_unknown_cloud_option_exits_2(authorities: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tenant", US_GOV_TENANT, "--cloud", "custom"]) == 2
    assert "--cloud 'custom'" in capsys.readouterr().err


def test_its_help_says_it_sends_the_tenant_id_to_the_authorities(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tenant", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "This sends the tenant ID" in help_text
    assert "the public one first" in help_text
    assert "login.microsoftonline.com" in help_text


def test_the_example_of_the_command_line_reference_is_what_it_prints(
    authorities: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = [
        b for b in blocks_of(ROOT / "docs/reference/cli.md") if b.first_line.startswith("$ azenvcloud tenant")
    ]
    (command,) = console_commands(block.text)
    assert main(command.command.split()[1:]) == 0
    printed = capsys.readouterr().out
    assert matches(command.expected, printed), normalise(printed)
