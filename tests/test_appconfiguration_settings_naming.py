"""Keys map to fields as Key Vault's secret names do: ``AppConfigurationSettingsSource`` over a
store and ``KeyVaultSettingsSource`` (listing, as App Configuration's load does) over a vault,
both holding the same names and values, give the same settings for every class and keyword
argument of the Key Vault parity cases (pydantic-settings' own naming)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from helpers.naming_cases import CASES, DISABLED, VAULT, Tags, outcome, settings_with
from pydantic_settings import BaseSettings

from azenvcloud import AppConfigurationSettingsSource, KeyVaultSettingsSource
from azenvcloud.testing import FakeCloud

ENABLED = {
    name: value for name, value in VAULT.items() if name not in DISABLED
}  # a store has no disabled key


@pytest.fixture
def places(azenvcloud_fake_cloud: FakeCloud) -> Any:
    """A vault and a store holding the same names and values, in the fake acting as China."""
    fake = azenvcloud_fake_cloud
    vault, store = f"kv-{uuid.uuid4().hex[:12]}", f"cfg-{uuid.uuid4().hex[:12]}"
    fake.set_secrets(vault, ENABLED)
    fake.set_store(store, ENABLED)
    with fake.as_cloud("china"):
        yield vault, store


CLASSES = [
    pytest.param(m, o, id=m.__name__ + "".join(f"-{k}={v}" for k, v in o.items())) for m, o, _ in CASES
]


@pytest.mark.parametrize(("model", "options"), [*CLASSES, pytest.param(Tags, {}, id="Tags")])
def test_a_store_fills_the_fields_a_vault_of_the_same_names_fills(
    places: tuple[str, str], model: type[BaseSettings], options: dict[str, Any]
) -> None:
    vault, store = places
    from_vault = outcome(
        settings_with(
            model, lambda cls: KeyVaultSettingsSource(cls, vault=vault, list_secrets=True, **options)
        )
    )
    from_store = outcome(
        settings_with(model, lambda cls: AppConfigurationSettingsSource(cls, store=store, **options))
    )
    assert from_store == from_vault
