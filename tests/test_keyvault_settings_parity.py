"""Parity: azenvcloud's ``KeyVaultSettingsSource`` and pydantic-settings' own
``AzureKeyVaultSettingsSource`` (its ``azure-key-vault`` extra), over the same settings classes,
keyword arguments and vault, give the same values wherever both work (and fail together).

pydantic-settings' source lists the vault and gets what it finds; azenvcloud's asks for each name
the class can use. The vault here holds names in several spellings and cases, a disabled secret,
nested and prefixed names, so that a name azenvcloud failed to ask for would show as a
difference."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from helpers.naming_cases import CASES, DISABLED, VAULT, Flat, Nested, Tags, outcome, settings_with
from pydantic_settings import AzureKeyVaultSettingsSource, BaseSettings

from azenvcloud import KeyVaultSettingsSource, get_client, get_credential
from azenvcloud.testing import FakeCloud


def _id(model: type[BaseSettings], options: dict[str, Any]) -> str:
    return model.__name__ + "".join(f"-{key}={value}" for key, value in options.items())


@pytest.fixture
def vault(azenvcloud_fake_cloud: FakeCloud) -> Any:
    """A vault of ``VAULT`` in the fake acting as US Government: its URL."""
    fake = azenvcloud_fake_cloud
    name = f"kv-{uuid.uuid4().hex[:12]}"
    fake.set_secrets(name, VAULT, disabled=DISABLED)
    with fake.as_cloud("usgov"):
        yield f"https://{name}.vault.usgovcloudapi.net"


def theirs(url: str, options: dict[str, Any]) -> Callable[[type[BaseSettings]], Any]:
    # Their source builds its own SecretClient: the fake's CA is trusted through REQUESTS_CA_BUNDLE.
    return lambda cls: AzureKeyVaultSettingsSource(cls, url, get_credential(), **options)


def ours(url: str, options: dict[str, Any]) -> Callable[[type[BaseSettings]], Any]:
    return lambda cls: KeyVaultSettingsSource(cls, vault=url, **options)


@pytest.mark.parametrize(("model", "options"), [pytest.param(m, o, id=_id(m, o)) for m, o, _ in CASES])
def test_both_sources_give_the_same_values(
    vault: str, model: type[BaseSettings], options: dict[str, Any], azenvcloud_fake_cloud: FakeCloud
) -> None:
    expected = outcome(settings_with(model, theirs(vault, options)))
    before = len(azenvcloud_fake_cloud.requests)
    found = outcome(settings_with(model, ours(vault, options)))
    assert found == expected
    assert not [r for r in azenvcloud_fake_cloud.requests[before:] if r.path.rstrip("/") == "/secrets"]


@pytest.mark.parametrize(
    ("model", "options"),
    [
        pytest.param(Tags, {}, id="dict"),
        pytest.param(Tags, {"case_sensitive": True}, id="dict-case-sensitive"),
        pytest.param(Nested, {"dash_to_underscore": True}, id="nested"),
        pytest.param(Flat, {"snake_case_conversion": True}, id="snake"),
    ],
)
def test_with_list_secrets_both_give_the_same_values(
    vault: str, model: type[BaseSettings], options: dict[str, Any]
) -> None:
    expected = outcome(settings_with(model, theirs(vault, options)))
    assert outcome(settings_with(model, ours(vault, {**options, "list_secrets": True}))) == expected


@pytest.mark.parametrize(
    ("model", "options", "filled"), [pytest.param(m, o, f, id=_id(m, o)) for m, o, f in CASES]
)
def test_the_cases_read_the_vault_not_only_defaults(
    vault: str, model: type[BaseSettings], options: dict[str, Any], filled: set[str] | None
) -> None:
    """The parity above is not two sources agreeing on nothing: these fields come from the vault."""
    kind, values = outcome(settings_with(model, ours(vault, options)))
    if filled is None:
        assert kind == "failed"
        return
    defaults = model().model_dump()
    assert kind == "values"
    assert {name for name, value in values.items() if value != defaults[name]} == filled


def test_nested_values_come_from_their_secrets(vault: str) -> None:
    assert outcome(settings_with(Nested, ours(vault, {"dash_to_underscore": True}))) == (
        "values",
        {
            "db": {"host": "db-host", "port": 6543, "password": "db-password", "pool": {"size": 7}},
            "service_name": "svc",
        },
    )


def test_without_list_permission_only_azenvcloud_reads_the_vault(
    azenvcloud_fake_cloud: FakeCloud, vault: str
) -> None:
    azenvcloud_fake_cloud.set_secrets(vault.split("//")[1], VAULT, disabled=DISABLED, permissions=["get"])
    with pytest.raises(HttpResponseError, match="list permission"):
        settings_with(Nested, theirs(vault, {"dash_to_underscore": True}))()
    settings: Any = settings_with(Nested, ours(vault, {"dash_to_underscore": True}))()
    assert settings.db.password == "db-password"


def test_the_same_client_class_and_vault_url(vault: str) -> None:
    from azure.keyvault.secrets import SecretClient

    source = KeyVaultSettingsSource(Flat, vault=vault)
    assert source._client is get_client(SecretClient, vault_url=vault)
    assert source._url == vault
