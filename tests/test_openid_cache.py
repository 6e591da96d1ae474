"""The authority's OpenID configuration comes from the metadata cache after the first start:
one round trip fewer per process start, and never a copy that would send tokens elsewhere."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import get_resource_client
from azenvcloud._openid_cache import _origin, _sends_tokens_to
from azenvcloud.testing import FakeCloud


def start() -> list[str]:
    """A process start: fresh objects, the first ARM call."""
    azenvcloud.reset()
    return [group.name for group in get_resource_client().resource_groups.list()]


def openid_entries() -> list[Path]:
    found = []
    for path in Path(os.environ["AZENVCLOUD_CACHE_DIR"]).glob("*.json"):
        if "openid-configuration" in json.loads(path.read_text(encoding="utf-8"))["url"]:
            found.append(path)
    return found


def test_the_next_start_asks_the_authority_only_for_the_token(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    assert start() == ["rg-alpha", "rg-beta"]
    assert [r.kind for r in fake.requests] == ["openid", "token", "arm"]
    fake.reset()
    assert start() == ["rg-alpha", "rg-beta"]
    assert [r.kind for r in fake.requests] == ["token", "arm"]
    (token,) = fake.requests_of("token")
    assert token.host == "127.0.0.1"


def test_a_named_configuration_too(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Callable[..., object]
) -> None:
    """``configuration("gov")``'s credential reads the copy its first start kept, as the default's."""
    fake = azenvcloud_fake_cloud
    azenvcloud_fake_clouds(gov="usgov")

    def gov_start() -> list[str]:
        azenvcloud.reset()
        return [
            group.name
            for group in azenvcloud.configuration("gov").get_resource_client().resource_groups.list()
        ]

    assert gov_start() == ["rg-alpha", "rg-beta"]
    assert [(r.kind, r.configuration) for r in fake.requests] == [
        ("openid", None), ("token", "gov"), ("arm", "gov")
    ]  # fmt: skip
    fake.reset()
    assert gov_start() == ["rg-alpha", "rg-beta"]
    assert [(r.kind, r.host) for r in fake.requests] == [
        ("token", "login.microsoftonline.us"), ("arm", "management.usgovcloudapi.net")
    ]  # fmt: skip


def test_an_azure_stack_hub_adfs_stamp_too(azure_stack_adfs: FakeCloud) -> None:
    fake = azure_stack_adfs
    start()
    fake.reset()
    fake.serve_metadata({"2022-09-01": fake.metadata_azure_stack_adfs})
    assert start() == ["rg-alpha", "rg-beta"]
    assert fake.requests_of("openid") == []
    assert [r.path for r in fake.requests_of("token")] == ["/adfs/oauth2/token"]


def test_with_the_metadata_cache_off_every_start_asks(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_METADATA_TTL", "0")
    start()
    start()
    assert len(azenvcloud_fake_cloud.requests_of("openid")) == 2
    assert openid_entries() == []


def test_a_stale_copy_is_asked_for_again(azenvcloud_fake_cloud: FakeCloud) -> None:
    start()
    (entry,) = openid_entries()
    document = json.loads(entry.read_text(encoding="utf-8"))
    document["fetched_at"] -= 86401  # a day and a second ago
    entry.write_text(json.dumps(document), encoding="utf-8")
    start()
    assert len(azenvcloud_fake_cloud.requests_of("openid")) == 2


def test_a_fifo_in_place_of_the_copy_never_blocks(
    azenvcloud_fake_cloud: FakeCloud, forked: Callable[[Callable[[], object]], object]
) -> None:
    start()
    (entry,) = openid_entries()
    entry.unlink()
    os.mkfifo(entry, 0o600)  # opened for reading, a FIFO waits for a writer: forever
    azenvcloud_fake_cloud.reset()
    assert forked(start) == ["rg-alpha", "rg-beta"]
    assert len(azenvcloud_fake_cloud.requests_of("openid")) == 1  # a miss: asked again


def test_a_copy_that_would_send_tokens_elsewhere_is_not_used(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    start()
    (entry,) = openid_entries()
    document = json.loads(entry.read_text(encoding="utf-8"))
    body = json.loads(document["body"])
    body["token_endpoint"] = "https://collector.example/token"
    document["body"] = json.dumps(body)
    entry.write_text(json.dumps(document), encoding="utf-8")
    fake.reset()
    assert start() == ["rg-alpha", "rg-beta"]
    assert [r.kind for r in fake.requests] == ["openid", "token", "arm"]  # asked the authority
    assert "collector.example" not in entry.read_text(encoding="utf-8")  # and kept its answer


def test_an_untrusted_cache_folder_is_not_used(azenvcloud_fake_cloud: FakeCloud) -> None:
    start()
    folder = Path(os.environ["AZENVCLOUD_CACHE_DIR"])
    folder.chmod(0o777)  # others could write what MSAL trusts: nothing from it is used
    try:
        start()
    finally:
        folder.chmod(0o700)
    assert len(azenvcloud_fake_cloud.requests_of("openid")) == 2


@pytest.mark.parametrize(
    ("endpoint", "sends_there"),
    [
        ("https://login.example/tenant/oauth2/v2.0/token", True),
        ("https://LOGIN.example:443/adfs/oauth2/token/", True),
        ("https://login.example.evil/tenant/oauth2/v2.0/token", False),
        ("https://evil.example/tenant/oauth2/v2.0/token", False),
        ("https://login.example:8443/tenant/oauth2/v2.0/token", False),
        ("http://login.example/tenant/oauth2/v2.0/token", False),
        ("https://user@login.example/tenant/oauth2/v2.0/token", False),
        ("https://login.example:99999/token", False),
        (None, False),
        (42, False),
    ],
)
def test_only_a_token_endpoint_on_the_authoritys_own_host_is_kept(
    endpoint: object, sends_there: bool
) -> None:
    authority = _origin("https://login.example")
    assert _sends_tokens_to(json.dumps({"token_endpoint": endpoint}), authority) is sends_there


@pytest.mark.parametrize("body", ["", "not json", "[]", "[[[[", json.dumps({"issuer": "x"})])
def test_a_body_that_is_no_openid_configuration_is_not_kept(body: str) -> None:
    assert not _sends_tokens_to(body, _origin("https://login.example"))
