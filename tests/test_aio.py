"""``azenvcloud.aio``: the same rules as the sync getters, on azure.identity.aio and aiohttp,
with objects cached per running event loop. Every test runs the real async chain against the
loopback fake cloud."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers import group_names, run

import azenvcloud
from azenvcloud import aio
from azenvcloud.testing import BUILTIN_HOSTS, FakeCloud


def test_async_clients_list_resource_groups_and_subscriptions(azenvcloud_fake_cloud: FakeCloud) -> None:
    scope = "https://management.fake.azenvcloud.test//.default"  # audience ends in "/": kept (CLI)
    azenvcloud_fake_cloud.accept_scopes(scope)

    async def main() -> tuple[list[str], list[str]]:
        groups = await group_names()
        subscriptions = [s.subscription_id async for s in aio.get_subscription_client().subscriptions.list()]
        return groups, subscriptions

    groups, subscriptions = run(main)
    assert groups == ["rg-alpha", "rg-beta"]
    assert subscriptions == list(azenvcloud_fake_cloud.subscriptions)
    assert [r.kind for r in azenvcloud_fake_cloud.requests] == ["token", "arm", "arm"]
    assert {r.scope for r in azenvcloud_fake_cloud.requests} == {scope}
    assert {r.host for r in azenvcloud_fake_cloud.requests} == {"127.0.0.1"}


def test_async_builtin_cloud_uses_its_authority_arm_and_scope(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD", "usgov")
    scope = "https://management.core.usgovcloudapi.net/.default"
    azenvcloud_fake_cloud.accept_scopes(scope)
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert run(group_names) == ["rg-alpha", "rg-beta"]
    assert [(r.kind, r.host, r.scope) for r in azenvcloud_fake_cloud.requests] == [
        ("token", "login.microsoftonline.us", scope),
        ("arm", "management.usgovcloudapi.net", scope),
    ]


def test_async_workload_identity_in_china_asks_the_china_authority(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text("fake-federated-service-account-token", encoding="utf-8")
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE", "AZURE_CLIENT_SECRET"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    azenvcloud_env.setenv("AZURE_CLOUD", "china")
    azenvcloud_fake_cloud.accept_scopes("https://management.chinacloudapi.cn/.default")
    with azenvcloud_fake_cloud.route_hosts(*BUILTIN_HOSTS):
        assert run(group_names) == ["rg-alpha", "rg-beta"]
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    assert token.host == "login.chinacloudapi.cn"
    assert token.form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_async_clients_follow_the_api_profile_and_get_a_cloud_setting(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.core import AzureClouds
    from azure.mgmt.resource.resources.aio import ResourceManagementClient

    azenvcloud_env.setenv("AZURE_API_PROFILE", "2019-03-01-hybrid")

    async def main() -> Any:
        await group_names()
        pinned = aio.get_client(ResourceManagementClient, api_version="2021-04-01")
        _ = [group async for group in pinned.resource_groups.list()]
        return aio.get_resource_client()._config.cloud_setting

    assert run(main) == AzureClouds.AZURE_PUBLIC_CLOUD  # a custom cloud talks like the public one
    assert [r.query["api-version"] for r in azenvcloud_fake_cloud.requests_of("arm")] == [
        "2018-05-01",
        "2021-04-01",
    ]


def test_objects_are_cached_within_a_loop_and_never_shared_across_loops(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    async def objects() -> tuple[Any, ...]:
        first = (aio.get_credential(), aio.get_resource_client(), aio.get_subscription_client())
        again = (aio.get_credential(), aio.get_resource_client(), aio.get_subscription_client())
        assert all(a is b for a, b in zip(first, again, strict=True))
        return first

    one, two = run(objects), run(objects)
    assert all(a is not b for a, b in zip(one, two, strict=True))


def test_threads_with_their_own_loops_get_their_own_objects(azenvcloud_fake_cloud: FakeCloud) -> None:
    seen: list[int] = []

    async def build() -> None:
        credential = aio.get_credential()
        assert aio.get_resource_client() is aio.get_resource_client()
        seen.append(id(credential))
        await group_names()

    threads = [threading.Thread(target=run, args=(build,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(set(seen)) == 4
    assert len(azenvcloud_fake_cloud.requests_of("arm")) == 4


def test_close_closes_and_forgets_this_loops_objects(azenvcloud_fake_cloud: FakeCloud) -> None:
    async def main() -> None:
        client = aio.get_resource_client()
        await group_names()
        await aio.close()
        assert aio.get_resource_client() is not client
        assert await group_names() == ["rg-alpha", "rg-beta"]

    run(main)


def test_reset_forgets_async_objects_built_from_old_settings(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    async def main() -> None:
        before, credential = aio.get_resource_client(), aio.get_credential()
        azenvcloud.reset()
        for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
            azenvcloud_env.delenv(name)
        azenvcloud.configure(cloud="china", token_prefetch=False)  # not the fake: contact nothing
        after = aio.get_resource_client()
        assert after is not before
        assert after._config.credential_scopes == ["https://management.chinacloudapi.cn/.default"]
        assert aio.get_credential() is not credential
        await before.close()  # forgotten, not closed: reset() cannot close them outside their loop
        await credential.close()

    run(main)


def test_without_a_running_loop_the_error_says_what_to_use(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match=r"running event loop.*azenvcloud\.get_resource_client\(\)"):
        aio.get_resource_client()


def test_configuration_errors_are_the_same_as_in_sync_code(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "atlantis")

    async def main() -> None:
        aio.get_resource_client()

    with pytest.raises(azenvcloud.ConfigurationError) as caught:
        run(main)
    assert caught.value.variables == ("AZURE_CLOUD",)


def test_a_missing_async_transport_names_the_extra(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    # aiohttp cannot be uninstalled for one test: hide it from the one lookup that asks for it.
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "aiohttp" else real(name, *a)
    )

    async def build() -> None:
        aio.get_credential()

    with pytest.raises(ImportError, match=r"pip install 'aiohttp>=3\.9' .*'/path/to/azenvcloud\[aio\]'"):
        asyncio.run(build())
