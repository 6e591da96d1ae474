"""The fake cloud's App Configuration stores, as the real azure-appconfiguration client sees them:
key-values a test sets in one call, key and label filters, pages, snapshots, Key Vault references,
an identity without a data role, and a token for another audience, each answered as the service
does; and dnspython's queries (the provider's replica discovery) kept on this machine."""

from __future__ import annotations

import uuid

import pytest
from azure.appconfiguration import AzureAppConfigurationClient, SecretReferenceConfigurationSetting
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from azenvcloud import get_client, get_credential
from azenvcloud.testing import FakeCloud, KeyVaultReference, UnroutedHostError, refuse_non_loopback_dns


def _store() -> str:
    return f"cfg-{uuid.uuid4().hex[:12]}"


def _listed(client: AzureAppConfigurationClient, **filters: str) -> list[tuple[str, str | None, str | None]]:
    return [(s.key, s.label, s.value) for s in client.list_configuration_settings(**filters)]


def test_a_store_set_in_one_call_answers_its_key_values_on_both_host_forms(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(store, {"color": "blue", "db": {"host": "h"}}, labels={"prod": {"color": "red"}})
    with fake.as_cloud("usgov"):
        for suffix in ("azconfig.azure.us", "appconfig.azure.us"):
            client = get_client(AzureAppConfigurationClient, base_url=f"https://{store}.{suffix}")
            assert _listed(client, key_filter="*", label_filter="\0") == [
                ("color", None, "blue"),
                ("db", None, '{"host": "h"}'),
            ]
            assert _listed(client, key_filter="color", label_filter="prod") == [("color", "prod", "red")]
            assert _listed(client, key_filter="col*") == [("color", None, "blue"), ("color", "prod", "red")]
    assert {r.scope for r in fake.requests_of("appconfig")} == {"https://appconfig.azure.us/.default"}


@pytest.mark.parametrize(
    ("key_filter", "label_filter", "keys"),
    [
        pytest.param("a,c", "\0", ["a", "c"], id="keys-separated-by-commas"),
        pytest.param("app:*", "\0", ["app:x", "app:y"], id="prefix"),
        pytest.param(
            "*", "dev,\0", ["a", "a,b", "app:x", "app:x", "app:y", "c"], id="labels-separated-by-commas"
        ),
        pytest.param(r"a\,b", "\0", ["a,b"], id="an-escaped-comma"),
    ],
)
def test_key_and_label_filters_select_as_the_service_does(
    azenvcloud_fake_cloud: FakeCloud, key_filter: str, label_filter: str, keys: list[str]
) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(
        store, {"a": "1", "a,b": "2", "c": "3", "app:x": "4", "app:y": "5"}, labels={"dev": {"app:x": "6"}}
    )
    with fake.as_cloud("china"):
        client = get_client(AzureAppConfigurationClient, store=store)
        assert [
            key for key, _, _ in _listed(client, key_filter=key_filter, label_filter=label_filter)
        ] == keys


def test_a_large_store_answers_in_pages_of_100(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(store, {f"k{index:03}": str(index) for index in range(250)})
    with fake.as_cloud("china"):
        client = get_client(AzureAppConfigurationClient, store=store)
        assert len(_listed(client, key_filter="*")) == 250
    assert len(fake.requests_of("appconfig")) == 3


def test_a_key_vault_reference_is_the_sdks_secret_reference(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    uri = "https://kv1.vault.azure.cn/secrets/db-password"
    fake.set_store(store, {"db-password": KeyVaultReference(uri)})
    with fake.as_cloud("china"):
        (setting,) = get_client(AzureAppConfigurationClient, store=store).list_configuration_settings()
    assert isinstance(setting, SecretReferenceConfigurationSetting)
    assert setting.secret_id == uri


def test_a_snapshot_answers_with_its_own_key_values(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(store, {"color": "live"}, snapshots={"s1": {"color": "frozen"}})
    with fake.as_cloud("usgov"):
        client = get_client(AzureAppConfigurationClient, store=store)
        snapshot = client.get_snapshot("s1")
        assert (snapshot.name, snapshot.status, snapshot.composition_type) == ("s1", "ready", "key")
        assert [s.value for s in client.list_configuration_settings(snapshot_name="s1")] == ["frozen"]
        with pytest.raises(HttpResponseError) as missing:
            client.get_snapshot("nope")
    assert missing.value.status_code == 404


def test_an_identity_without_a_data_role_gets_a_403(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(store, {"color": "blue"}, permissions=[])
    with fake.as_cloud("usgov"), pytest.raises(HttpResponseError) as refused:
        _listed(get_client(AzureAppConfigurationClient, store=store))
    assert refused.value.status_code == 403


def test_a_token_for_the_audience_the_sdk_would_infer_is_refused(azenvcloud_fake_cloud: FakeCloud) -> None:
    """azure-appconfiguration alone infers https://azconfig.azure.us/ for the older host form;
    the store accepts the cloud's sourced audience only (https://appconfig.azure.us/)."""
    fake, store = azenvcloud_fake_cloud, _store()
    fake.set_store(store, {"color": "blue"})
    with fake.as_cloud("usgov"):
        unset = AzureAppConfigurationClient(f"https://{store}.azconfig.azure.us", get_credential())
        with pytest.raises(ClientAuthenticationError):
            _listed(unset)
    assert [r.scope for r in fake.requests_of("token")] == ["https://azconfig.azure.us/.default"]


def test_a_store_never_set_holds_nothing(azenvcloud_fake_cloud: FakeCloud) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        assert _listed(get_client(AzureAppConfigurationClient, store=_store())) == []


@pytest.mark.parametrize(
    ("values", "error"),
    [
        pytest.param({"": "x"}, ValueError, id="an-empty-key"),
        pytest.param({"n": 5}, TypeError, id="a-number"),
    ],
)
def test_a_store_refuses_what_app_configuration_cannot_hold(
    azenvcloud_fake_cloud: FakeCloud, values: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        azenvcloud_fake_cloud.set_store("cfg1", values)  # type: ignore[arg-type]


# -- dnspython's own queries stay here -------------------------------------------------------------


def test_dnspython_gets_no_records_for_a_routed_name_and_an_error_for_an_unrouted_one(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    import dns.asyncresolver
    import dns.resolver

    with azenvcloud_fake_cloud.as_cloud("usgov"):
        with pytest.raises(dns.resolver.NXDOMAIN):
            dns.resolver.resolve("_origin._tcp.cfg1.azconfig.azure.us", "SRV")
        with pytest.raises(UnroutedHostError, match="nothing routes"):
            dns.resolver.resolve("_origin._tcp.cfg1.azconfig.io", "SRV")  # the public cloud's
    import asyncio

    with refuse_non_loopback_dns(), pytest.raises(dns.resolver.NXDOMAIN):
        asyncio.run(dns.asyncresolver.resolve("_origin._tcp.example.org", "SRV"))


def test_the_fence_on_dnspython_is_taken_back(azenvcloud_env: pytest.MonkeyPatch) -> None:
    import dns.resolver

    before = dns.resolver.Resolver.resolve
    with refuse_non_loopback_dns():
        assert dns.resolver.Resolver.resolve is not before
    assert dns.resolver.Resolver.resolve is before
