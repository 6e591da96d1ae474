"""The cached credential and clients: one of each, thread-safe, resettable; arguments azenvcloud
owns refused, the subscription named, a failed build not cached; identity variables of a ``.env``
reaching azure-identity, the environment's winning."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import (
    ConfigurationError,
    get_client,
    get_credential,
    get_resource_client,
    get_subscription_client,
)
from azenvcloud.testing import FakeCloud


def test_getters_return_the_same_objects(azenvcloud_fake_cloud: FakeCloud) -> None:
    assert get_credential() is get_credential()
    assert get_resource_client() is get_resource_client()
    assert get_subscription_client() is get_subscription_client()


def test_clients_are_cached_per_class_subscription_and_arguments(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    other_subscription = "22222222-2222-2222-2222-222222222222"
    default = get_resource_client()
    assert get_resource_client(other_subscription) is not default
    assert get_resource_client(other_subscription) is get_resource_client(other_subscription)
    pinned = get_client(ResourceManagementClient, api_version="2019-10-01")
    assert pinned is get_client(ResourceManagementClient, api_version="2019-10-01")
    assert pinned is not get_client(ResourceManagementClient)


def test_clients_share_the_one_credential(azenvcloud_fake_cloud: FakeCloud) -> None:
    assert get_resource_client()._config.credential is get_credential()
    assert get_subscription_client()._config.credential is get_credential()


def test_clients_get_an_explicit_cloud_setting(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    from azure.core import AzureClouds

    with azenvcloud_fake_cloud.as_cloud("usgov"):
        assert get_subscription_client()._config.cloud_setting is AzureClouds.AZURE_US_GOVERNMENT


def test_racing_threads_build_exactly_one_credential_and_client(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azenvcloud import _clients as clients

    built: list[object] = []
    real_build = clients.build_credential

    def counting_build(*args: Any, **kwargs: Any) -> Any:
        built.append(real_build(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(clients, "build_credential", counting_build)
    start = threading.Barrier(64)
    results: list[object] = []

    def race() -> None:
        start.wait()
        results.append(get_resource_client())

    threads = [threading.Thread(target=race) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 64
    assert len({id(client) for client in results}) == 1
    assert len(built) == 1


def test_reset_closes_and_forgets_everything(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []
    client = get_resource_client()
    credential = get_credential()
    settings = azenvcloud.get_settings()
    monkeypatch.setattr(client, "close", lambda: closed.append("client"))
    monkeypatch.setattr(credential, "close", lambda: closed.append("credential"))
    azenvcloud.reset()
    assert closed == ["client", "credential"]
    assert get_resource_client() is not client
    assert get_credential() is not credential
    assert azenvcloud.get_settings() is not settings


def test_missing_subscription_names_the_variable(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="AZURE_SUBSCRIPTION_ID") as caught:
        get_resource_client()
    assert caught.value.variables == ("AZURE_SUBSCRIPTION_ID",)


def test_subscription_argument_must_be_a_guid(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="subscription_id='nope' is not usable"):
        get_resource_client("nope")


def test_client_without_subscription_refuses_one(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    with pytest.raises(TypeError, match="SubscriptionClient takes no subscription_id"):
        get_client(SubscriptionClient, "22222222-2222-2222-2222-222222222222")


@pytest.mark.parametrize("owned", ["base_url", "credential_scopes", "cloud_setting", "credential"])
def test_arguments_azenvcloud_owns_are_refused(azenvcloud_env: pytest.MonkeyPatch, owned: str) -> None:
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    with pytest.raises(TypeError, match=f"{owned} is set by azenvcloud"):
        get_client(SubscriptionClient, **{owned: "x"})


def test_unhashable_arguments_are_refused(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    with pytest.raises(TypeError, match="must be hashable"):
        get_client(SubscriptionClient, headers={"x": "y"})


def test_invalid_token_credentials_selection_is_a_configuration_error(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "NoSuchCredential")
    with pytest.raises(ConfigurationError, match="AZURE_TOKEN_CREDENTIALS='NoSuchCredential'") as caught:
        get_credential()
    assert caught.value.variables == ("AZURE_TOKEN_CREDENTIALS",)


def test_failed_build_is_not_cached(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "NoSuchCredential")
    with pytest.raises(ConfigurationError):
        get_credential()
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    assert get_credential() is get_credential()


def test_identity_variables_in_dotenv_reach_azure_identity(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = os.environ["AZURE_CLIENT_SECRET"]
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    (tmp_path / ".env").write_text(f"AZURE_CLIENT_SECRET={secret}\n", encoding="utf-8")
    assert [group.name for group in get_resource_client().resource_groups.list()] == ["rg-alpha", "rg-beta"]
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1


def test_environment_wins_over_dotenv_for_identity_variables(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("AZURE_CLIENT_ID=from-dotenv\n", encoding="utf-8")
    get_credential()
    assert os.environ["AZURE_CLIENT_ID"] != "from-dotenv"
