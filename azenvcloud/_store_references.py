"""An App Configuration store's Key Vault references, followed only where azenvcloud allows.

azure-appconfiguration-provider's ``load()`` resolves a reference with a ``keyvault_credential``
(a token for any vault a store's value names), per-vault ``keyvault_client_configs``, or a
``secret_resolver``. azenvcloud gives it only a ``secret_resolver`` that reads nothing: each
reference comes back as :class:`Unread` (its secret's ID), and the ``configuration_mapper`` notes
which key (and label) holds it. After the load, every reference's vault URL goes through the URL
check of every client (``get_client(SecretClient, vault_url=...)``: a vault of another cloud, or
a host of no accepted kind, is refused naming the key, before any request to a vault), and only
the secrets a settings class uses are read, all at once, each with the client of its vault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import ConfigurationError, quote_value
from ._settings_sources import absent, described

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError

__all__ = ["BadReference", "Reference", "References", "Unread", "read_secrets"]

# requests keeps 10 connections per host (requests.adapters.DEFAULT_POOLSIZE), as for Key Vault's source.
_WORKERS = 10


class Unread(str):
    """A Key Vault reference's secret ID, as azenvcloud's ``secret_resolver`` hands it back to
    the provider: its secret is read later (when a field uses it), or never."""

    __slots__ = ()


class BadReference(Exception):
    """A key-value of Key Vault reference content type without a usable secret URL (raised in
    the provider's ``configuration_mapper``, before the provider would fail on it unnamed)."""

    def __init__(self, key: str, label: str | None) -> None:
        super().__init__(key, label)
        self.key, self.label = key, label


@dataclass(frozen=True)
class Reference:
    """A Key Vault reference of the store.

    Attributes:
        key: The key in the store.
        label: Its label (``None``: no label).
        uri: The secret's ID (``https://kv1.vault.azure.cn/secrets/db-password``, maybe a version).
        vault_url: Its vault's URL.
        name: The secret's name.
        version: The secret's version, or ``None`` for the latest.
    """

    key: str
    label: str | None
    uri: str
    vault_url: str
    name: str
    version: str | None

    def describe(self) -> str:
        """``key 'db-password' (label 'prod')``, for a message."""
        label = f" (label {quote_value(self.label)})" if self.label else ""
        return f"key {quote_value(self.key)}{label}"


class References:
    """A load's references, by the key the provider files each under (``trim_prefixes`` applied)."""

    def __init__(self, trim_prefixes: Iterable[str]) -> None:
        # The provider trims the longest prefix a key starts with (its _process_key_name).
        self._trim = sorted(trim_prefixes, key=len, reverse=True)
        self.found: dict[str, Reference] = {}

    def note(self, setting: Any) -> None:
        """The provider's ``configuration_mapper``: note each Key Vault reference's key and label."""
        from azure.appconfiguration import SecretReferenceConfigurationSetting
        from azure.keyvault.secrets import KeyVaultSecretIdentifier

        if not isinstance(setting, SecretReferenceConfigurationSetting):
            return
        try:
            identifier = KeyVaultSecretIdentifier(setting.secret_id or "")
        except (ValueError, TypeError):
            raise BadReference(setting.key, setting.label) from None
        reference = Reference(
            key=setting.key,
            label=setting.label,
            uri=str(setting.secret_id),
            vault_url=identifier.vault_url,
            name=identifier.name,
            version=identifier.version,
        )
        self.found[self._filed(setting.key)] = reference

    @staticmethod
    def resolve(uri: str) -> str:
        """The provider's ``secret_resolver``: nothing is read here."""
        return Unread(uri)

    def _filed(self, key: str) -> str:
        prefix = next((prefix for prefix in self._trim if key.startswith(prefix)), "")
        return key[len(prefix) :]

    def checked(
        self, get_client: Callable[..., Any], secret_client: type[Any], store: str, vault_hosts: str
    ) -> dict[str, Any]:
        """A ``SecretClient`` for each referenced vault, from ``get_client`` (its URL check: no
        request); ``vault_hosts`` are the resolved cloud's vault hosts, in words.

        Raises:
            ConfigurationError: A reference names a vault of another cloud, or a host of no accepted
                kind: every such key, its secret's URL, and why.
        """
        clients: dict[str, Any] = {}
        refused: list[tuple[Reference, ConfigurationError]] = []
        for reference in self.found.values():
            if reference.vault_url in clients:
                continue
            try:
                clients[reference.vault_url] = get_client(secret_client, vault_url=reference.vault_url)
            except ConfigurationError as exc:
                refused.append((reference, exc))
        if refused:
            raise _refused(refused, self.found.values(), store, vault_hosts)
        return clients


def _refused(
    refused: list[tuple[Reference, ConfigurationError]],
    references: Iterable[Reference],
    store: str,
    vault_hosts: str,
) -> ConfigurationError:
    vaults = {reference.vault_url for reference, _ in refused}
    named = [r for r in references if r.vault_url in vaults]
    listed = "; ".join(f"{r.describe()} refers to {quote_value(r.uri)}" for r in named[:5])
    more = f"; and {len(named) - 5} more" if len(named) > 5 else ""
    _, first = refused[0]
    # The check's reason, without what it accepts of a client's URL (a short name, another AZURE_CLOUD):
    # a reference is a URL in the store, and the store is this cloud's.
    why = str(first).split(" Accepted: ", 1)[0]
    return ConfigurationError(
        f"App Configuration store {store} holds Key Vault references azenvcloud will not follow: "
        f"{listed}{more}. No request went to {'that vault' if len(vaults) == 1 else 'those vaults'}: {why} "
        f"Accepted: references to this cloud's vaults ({vault_hosts}: set the reference again in the "
        "store), a host of your own listed in AZENVCLOUD_ACCEPTED_HOSTS (never one of another cloud), or a "
        "selection (selects=) that leaves the key out.",
        variables=first.variables,
    )


def read_secrets(
    clients: Mapping[str, Any], references: Mapping[str, Reference], store: str
) -> dict[str, str | None]:
    """The secret of each of ``references`` (by the key it is filed under), all asked for at once.

    Raises:
        ConfigurationError: A vault answered a reference with a refusal, or has no such
            secret (or it is disabled): each key, its secret and the vault's answer.
    """
    from azure.core.exceptions import HttpResponseError

    def get(item: tuple[str, Reference]) -> tuple[str, Any, HttpResponseError | None]:
        filed, reference = item
        try:
            secret = clients[reference.vault_url].get_secret(reference.name, version=reference.version)
            return filed, secret, None
        except HttpResponseError as exc:
            if exc.response is None:  # not the vault's answer (a credential's error)
                raise
            return filed, None, exc

    found: dict[str, str | None] = {}
    failed: list[tuple[Reference, HttpResponseError]] = []
    if not references:
        return found
    workers = min(_WORKERS, len(references))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="azenvcloud-appconfig-kv") as pool:
        for filed, secret, error in pool.map(get, references.items()):
            if error is not None:
                failed.append((references[filed], error))
            else:
                found[filed] = secret.value
    if failed:
        raise _unread(failed, store)
    return found


def _unread(failed: list[tuple[Reference, HttpResponseError]], store: str) -> ConfigurationError:
    said = "; ".join(
        f"{reference.describe()} refers to {quote_value(reference.uri)}: "
        f"{'no such enabled secret, ' if absent(error) else ''}{described(error)}"
        for reference, error in failed[:5]
    )
    more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
    return ConfigurationError(
        f"App Configuration store {store} holds Key Vault references that could not be read: {said}{more}. "
        "Accepted: a reference to an enabled secret of a vault of this cloud, which the identity azenvcloud "
        "signs in with may get (the Key Vault Secrets User role, or an access policy with Get); or a "
        "selector or field that does not use the key."
    )
