"""The fake cloud's Key Vault, as the real azure-keyvault-secrets client sees it: secrets a test
sets in one call, names compared without case, not found, disabled, and an identity without
Get or List, each answered as Key Vault answers it."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient

from azenvcloud import get_client
from azenvcloud.testing import FakeCloud


def _vault() -> str:
    # azure-keyvault keeps each vault's challenge for the process: a vault no test asked before.
    return f"kv-{uuid.uuid4().hex[:12]}"


def test_a_vault_set_in_one_call_answers_its_secrets_by_name_without_case(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"Db-Password": "s3cret", "api-key": "k"})
    with fake.as_cloud("usgov"):
        client = get_client(SecretClient, vault=vault)
        secret = client.get_secret("db-password")
        with pytest.raises(ResourceNotFoundError, match="SecretNotFound"):
            client.get_secret("missing")
    assert (secret.name, secret.value) == ("Db-Password", "s3cret")  # the name it was set with
    assert {request.host for request in fake.requests_of("keyvault")} == {f"{vault}.vault.usgovcloudapi.net"}


def test_a_disabled_secret_is_listed_as_disabled_and_refused_to_a_get(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"on": "1", "off": "2"}, disabled=["off"])
    with fake.as_cloud("china"):
        client = get_client(SecretClient, vault=vault)
        listed = {p.name: p.enabled for p in client.list_properties_of_secrets()}
        with pytest.raises(HttpResponseError) as refused:
            client.get_secret("off")
    assert listed == {"on": True, "off": False}
    assert refused.value.status_code == 403
    assert "Operation get is not allowed on a disabled secret" in str(refused.value)
    assert "SecretDisabled" in str(refused.value)


def test_an_identity_without_list_or_get_gets_a_403_naming_its_client_id(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"a": "1"}, permissions=["get"])
    with fake.as_cloud("bleu"):
        client = get_client(SecretClient, vault=vault)
        assert client.get_secret("a").value == "1"
        with pytest.raises(HttpResponseError) as refused:
            list(client.list_properties_of_secrets())
    assert refused.value.status_code == 403
    assert "does not have secrets list permission" in str(refused.value)
    assert "appid=0c0ffee0-0000-4000-8000-000000000001" in str(refused.value)
    fake.set_secrets(vault, {"a": "1"}, permissions=["list"])
    with fake.as_cloud("bleu"), pytest.raises(HttpResponseError, match="secrets get permission"):
        get_client(SecretClient, vault=vault).get_secret("a")


def test_a_long_list_comes_in_pages_as_key_vaults_does(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    names = [f"s{index:02d}" for index in range(60)]
    fake.set_secrets(vault, dict.fromkeys(names, "v"))
    with fake.as_cloud("public"):
        listed = [p.name for p in get_client(SecretClient, vault=vault).list_properties_of_secrets()]
    assert listed == names
    assert (
        len([r for r in fake.requests_of("keyvault") if r.path == "/secrets" and r.bearer]) == 3
    )  # 25 a page


def test_a_secret_set_through_the_sdk_is_read_back(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    with fake.as_cloud("usgov"):
        client = get_client(SecretClient, vault=vault)
        client.set_secret("greeting", "hello")
        assert client.get_secret("GREETING").value == "hello"
        with pytest.raises(ResourceNotFoundError):
            client.get_secret("other")  # a vault with secrets answers only those


def test_a_vault_never_set_answers_every_name(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        client = get_client(SecretClient, vault=_vault())
        assert client.get_secret("db-password").value == "fake-value-of-db-password"
        assert list(client.list_properties_of_secrets()) == []


def test_a_vault_set_by_host_is_that_host_only(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(f"{vault}.vault.azure.cn", {"a": "china"})
    with fake.as_cloud("china"):
        assert get_client(SecretClient, vault=vault).get_secret("a").value == "china"
    with fake.as_cloud("usgov"):
        assert get_client(SecretClient, vault=vault).get_secret("a").value == "fake-value-of-a"


def test_reset_forgets_the_vaults(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, vault = azenvcloud_fake_cloud, _vault()
    fake.set_secrets(vault, {"a": "1"})
    fake.reset()
    with fake.as_cloud("china"):
        assert get_client(SecretClient, vault=vault).get_secret("a").value == "fake-value-of-a"


@pytest.mark.parametrize(
    ("secrets", "options", "message"),
    [
        pytest.param({"db_password": "x"}, {}, "db_password", id="an-underscore-key-vault-refuses"),
        pytest.param({"a" * 128: "x"}, {}, "Key Vault refuses", id="longer-than-127"),
        pytest.param({"a": "x"}, {"disabled": ["b"]}, "not among the secrets", id="disabled-unknown"),
        pytest.param({"a": "x"}, {"permissions": ["delete"]}, "unknown permissions", id="unknown-permission"),
    ],
)
def test_set_secrets_refuses_what_key_vault_would(
    azenvcloud_fake_cloud: FakeCloud, secrets: dict[str, str], options: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        azenvcloud_fake_cloud.set_secrets("kv1", secrets, **options)  # type: ignore[arg-type]
