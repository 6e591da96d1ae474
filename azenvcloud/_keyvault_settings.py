"""Key Vault as a pydantic-settings source, in the configuration's own cloud.

``KeyVaultSettingsSource(settings_cls, vault="kv1")`` goes where pydantic-settings' own sources
go, in ``settings_customise_sources``, and takes the keyword arguments of its
``AzureKeyVaultSettingsSource`` with the same defaults and meanings (it is that class, given the
vault's secrets another way). What differs:

- the vault is a name (``kv1``: the resolved cloud's Key Vault suffix is added) or a URL, checked
  like every client's before any request (a host of another cloud is refused);
- the client is the configuration's (``get_client(SecretClient, ...)``): its credential, its
  transport, its cloud's challenge;
- each secret the class can use is asked for by name, all at once; nothing is listed unless
  ``list_secrets=True`` (a ``dict`` field, whose keys only a listing can find, needs it);
- a refusal of the vault (403) and a required field that no secret fills are one
  ``ConfigurationError`` naming the vault, the secret and the field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic_settings.sources.utils import parse_env_vars

from ._errors import ConfigurationError, quote_value
from ._failure_hints import install_hint
from ._secret_names import SecretNaming
from ._settings_fields import Wanted, covered, given_fields
from ._settings_sources import (
    ReadWhenCalled,
    ValuesReadLater,
    source_configuration,
    warn_when_inputs_are_shown,
)
from ._settings_sources import absent as _absent
from ._settings_sources import described as _described
from ._settings_sources import inner_code as _inner_code

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError
    from pydantic_settings import BaseSettings

__all__ = ["KeyVaultSettingsSource"]

_log = logging.getLogger("azenvcloud")

# requests keeps 10 connections per host (requests.adapters.DEFAULT_POOLSIZE); more threads would
# open connections it then throws away, each with a warning in the log.
_WORKERS = 10
_MINIMUM_PYDANTIC_SETTINGS = (2, 13)  # AzureKeyVaultSettingsSource's env_prefix with snake_case_conversion


class KeyVaultSettingsSource(ReadWhenCalled):
    """Settings from a Key Vault of the resolved cloud, each field's secret asked for by name.

    A settings source for ``settings_customise_sources``, with the options of pydantic-settings'
    ``AzureKeyVaultSettingsSource`` (same names, defaults and secret names: ``--`` between a
    field and its nested model's field, ``dash_to_underscore`` for ``db-password`` ->
    ``db_password``), but neither a URL nor a credential to pass: the vault's host and the
    credential are the resolved cloud's::

        class AppSettings(BaseSettings):
            db_password: SecretStr
            model_config = SettingsConfigDict(hide_input_in_errors=True)

            @classmethod
            def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                           dotenv_settings, file_secret_settings):
                vault = KeyVaultSettingsSource(settings_cls, vault="kv1", dash_to_underscore=True)
                return init_settings, env_settings, dotenv_settings, vault, file_secret_settings

    The secrets the class can use (its fields, their aliases, and the fields of nested models)
    are asked for by name, concurrently, once per settings object; the vault is not listed, so
    the identity needs Get on secrets and no List. A secret that does not exist, or is disabled
    (Key Vault refuses to get it), leaves its field to the other sources and its default, as
    pydantic-settings' source does (it lists enabled secrets only).

    Args:
        settings_cls: The settings class.
        vault: The vault's name (``"kv1"``; the cloud's Key Vault suffix is added) or its URL,
            which must be a Key Vault host of the resolved cloud (or listed in
            ``AZENVCLOUD_ACCEPTED_HOSTS``).
        dash_to_underscore: Field ``db_password`` reads secret ``db-password``.
        case_sensitive: Match secret names with case (default: the class's ``case_sensitive``).
        snake_case_conversion: Secret ``DbPassword`` (or ``db-password``) fills ``db_password``;
            ``__`` is then the nested delimiter and matching is case-sensitive.
        env_prefix: A prefix of every secret's name (default: the class's ``env_prefix``).
        env_parse_none_str: A value that stands for ``None``.
        env_parse_enums: Take an enum member's name for its value.
        list_secrets: List the vault (needs the List permission) and get only the secrets it
            lists, as pydantic-settings' source does; needed for ``dict`` fields.
        configuration: A named configuration (``"gov"``: ``azenvcloud.configuration("gov")``)
            whose cloud, credential and client read the vault; ``None``: the default one.

    Raises:
        ConfigurationError: The vault is of another cloud or not a Key Vault host (of the
            configuration's cloud); ``configuration`` is not declared; a ``dict``
            field without ``list_secrets=True``; the vault refused a request (403); a required
            field that neither an earlier source nor the vault fills.
        ImportError: azure-keyvault-secrets is not installed, or pydantic-settings is older than 2.13.
    """

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        vault: str,
        *,
        dash_to_underscore: bool = False,
        case_sensitive: bool | None = None,
        snake_case_conversion: bool = False,
        env_prefix: str | None = None,
        env_parse_none_str: str | None = None,
        env_parse_enums: bool | None = None,
        list_secrets: bool = False,
        configuration: str | None = None,
    ) -> None:
        secret_client = _secret_client_class()
        its = source_configuration(configuration)
        self._list_secrets = list_secrets
        # get_client checks a URL (another cloud's host is refused) before any request is made.
        key = "vault_url" if "." in vault or "://" in vault else "vault"
        self._client: Any = its.get_client(secret_client, **{key: vault})
        self._vault_url: str = self._client.vault_url
        self._cloud = its.get_settings().cloud_name
        self._asked: dict[str, _Asked] = {}
        warn_when_inputs_are_shown(settings_cls, "reads Key Vault secrets", stacklevel=3)
        super().__init__(
            settings_cls,
            self._vault_url,
            its.get_credential(),
            dash_to_underscore=dash_to_underscore,
            case_sensitive=case_sensitive,
            snake_case_conversion=snake_case_conversion,
            env_prefix=env_prefix,
            env_parse_none_str=env_parse_none_str,
            env_parse_enums=env_parse_enums,
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        """What pydantic-settings looks secrets up in (it calls this once, from ``__init__``):
        the vault's secrets this class can use, read when first looked up, in ``__call__``, once
        the sources before this one have given their values. A ``dict`` field without
        ``list_secrets=True`` is refused here, before any request."""
        self._naming = SecretNaming(bool(self.case_sensitive), self._snake_case_conversion, self.env_prefix)
        self._wanted = Wanted.of(self)
        if self._wanted.dict_fields and not self._list_secrets:
            raise self._dict_fields_refused(self._wanted.dict_fields)
        return _VaultSecrets(self._fetch, self._naming)

    def _fetch(self) -> Mapping[str, str | None]:
        """The secrets of the fields no earlier source gave, all asked for at once (or listed
        first, with ``list_secrets=True``), filed as pydantic-settings files them."""
        naming, wanted = self._naming, self._wanted
        given, _ = given_fields(self.settings_cls, self.current_state, bool(self.case_sensitive))
        if self._list_secrets:
            listed = self._listed()
            self._asked = {key: _Asked(path, ()) for key, path in wanted.fields.items()}
            keys = {name: naming.key_of(name) for name in listed}
            names = {
                name.lower(): name
                for name, key in keys.items()
                if wanted.accepts(key) and not covered(wanted.path_of(key), given)
            }
        else:
            names = {}
            for key, path in wanted.fields.items():
                if covered(path, given):
                    continue  # an earlier source's value wins whole: its secret is not asked for
                asked = naming.names_for(key)
                self._asked[key] = _Asked(path, asked)
                names.update((name.lower(), name) for name in asked)
        found, refused = self._read(list(names.values()))
        if refused:
            raise self._refused(refused)
        values = {}
        for name, value in found.items():
            if wanted.accepts(naming.key_of(name)):
                values[naming.key_of(name)] = value
            else:  # found by a name Key Vault matches without case, but named otherwise there
                self._note_outcome(name, f"named {quote_value(name)} in the vault, which is not read")
        _log.debug(
            "azenvcloud read %d secrets for %s from %s (%d asked for by name%s)",
            len(values),
            self.settings_cls.__name__,
            self._vault_url,
            len(names),
            ", after listing" if self._list_secrets else ", no List",
        )
        return parse_env_vars(values, True, False, self.env_parse_none_str)

    def __repr__(self) -> str:
        return f"KeyVaultSettingsSource(vault_url={self._vault_url!r}, list_secrets={self._list_secrets!r})"

    # -- the vault --------------------------------------------------------------------------

    def _listed(self) -> list[str]:
        """The names of the vault's enabled secrets (one List request, paged)."""
        from azure.core.exceptions import HttpResponseError

        try:
            return [p.name for p in self._client.list_properties_of_secrets() if p.name and p.enabled]
        except HttpResponseError as exc:
            if exc.response is None:
                raise
            raise ConfigurationError(
                f"Key Vault {self._vault_url} ({self._cloud}) refused to list its secrets "
                f"(list_secrets=True): {_described(exc)}. Accepted: list_secrets=False (the default), "
                "which asks for each field's secret by name and needs Get on secrets alone; or give the "
                "identity List on the vault's secrets (an access policy with List, or the Key Vault "
                "Secrets User role)."
            ) from None

    def _read(self, names: list[str]) -> tuple[dict[str, str | None], list[tuple[str, HttpResponseError]]]:
        """Each secret of ``names``, all at once: the secrets found (by the name Key Vault
        reports), and the refusals (a 404 or a disabled secret is neither)."""
        from azure.core.exceptions import HttpResponseError

        def get(name: str) -> tuple[str, Any, HttpResponseError | None]:
            try:
                return name, self._client.get_secret(name), None
            except HttpResponseError as exc:
                if exc.response is None:  # not the vault's answer (a credential's error)
                    raise
                return name, None, exc

        found: dict[str, str | None] = {}
        refused: list[tuple[str, HttpResponseError]] = []
        if not names:
            return found, refused
        workers = min(_WORKERS, len(names))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="azenvcloud-keyvault") as pool:
            for name, secret, error in pool.map(get, names):
                if secret is not None:
                    found[secret.name or name] = secret.value
                elif error is not None and not _absent(error):
                    refused.append((name, error))
                else:
                    disabled = error is not None and _inner_code(error) == "SecretDisabled"
                    self._note_outcome(name, "disabled" if disabled else "not found")
        return found, refused

    def _note_outcome(self, name: str, outcome: str) -> None:
        for asked in self._asked.values():
            for each in asked.names:
                if each.lower() == name.lower():
                    asked.outcomes[each] = outcome

    # -- what is said when it cannot be used -----------------------------------------------

    def _fields_of(self, name: str) -> str:
        paths = sorted({a.path for a in self._asked.values() if name.lower() in (n.lower() for n in a.names)})
        return ", ".join(paths) or "?"

    def _refused(self, refused: list[tuple[str, HttpResponseError]]) -> ConfigurationError:
        secrets = ", ".join(f"{quote_value(name)} (field {self._fields_of(name)})" for name, _ in refused[:5])
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        _, first = refused[0]
        return ConfigurationError(
            f"Key Vault {self._vault_url} ({self._cloud}) refused to give the secrets {secrets}{more} of "
            f"{self.settings_cls.__name__}: {_described(first)}. Accepted: give the identity azenvcloud "
            "signs in with Get on the vault's secrets (the Key Vault Secrets User role, or an access "
            "policy with Get); KeyVaultSettingsSource needs no List unless list_secrets=True."
        )

    def _dict_fields_refused(self, paths: list[str]) -> ConfigurationError:
        fields = ", ".join(paths)
        return ConfigurationError(
            f"{self.settings_cls.__name__} has dict fields ({fields}) whose keys would be secret names "
            f"({self.env_nested_delimiter}<key>) that only listing Key Vault {self._vault_url} can "
            "find, and KeyVaultSettingsSource asks for secrets by name. Accepted: list_secrets=True "
            "(the identity then needs List on the vault's secrets too), or a model with one field per "
            "key instead of the dict."
        )

    def _required_missing(self, missing: list[str]) -> ConfigurationError:
        described = []
        for path in missing:
            asked = [a for a in self._asked.values() if a.path == path]
            names = [name for a in asked for name in a.names]
            if self._list_secrets:
                said = "not among the enabled secrets the vault listed"
            elif names:
                said = ", ".join(f"{quote_value(n)}: {_outcome(asked, n)}" for n in names[:4])
                said = f"secret{'s' if len(names) > 1 else ''} {said}"
            else:
                keys = ", ".join(quote_value(key) for key, a in self._asked.items() if a.path == path)
                said = (
                    f"no secret can be named {keys or 'after it'}: a Key Vault name is letters, digits and "
                    "dashes (dash_to_underscore=True reads db_password from db-password)"
                )
            described.append(f"{path} ({said})")
        return ConfigurationError(
            f"Key Vault {self._vault_url} ({self._cloud}) has no secret for the required field"
            f"{'s' if len(missing) > 1 else ''} {'; '.join(described)} of {self.settings_cls.__name__}, "
            "and no source before KeyVaultSettingsSource in settings_customise_sources gave "
            f"{'them' if len(missing) > 1 else 'it'}. Accepted: set the secret in the vault, give the "
            "field a default, or give it from a source listed before this one."
        )


@dataclass
class _Asked:
    """The field a lookup key is for, and the secret names asked for it (and what came of them)."""

    path: str
    names: tuple[str, ...]
    outcomes: dict[str, str] = field(default_factory=dict)


def _outcome(asked: list[_Asked], name: str) -> str:
    return next((a.outcomes[name] for a in asked if name in a.outcomes), "not found")


class _VaultSecrets(ValuesReadLater):
    """The vault's secrets, read on first lookup."""

    kind = "Key Vault secrets"


# -- helpers -----------------------------------------------------------------------------------


def _secret_client_class() -> type[Any]:
    import pydantic_settings

    version = tuple(int(part) for part in pydantic_settings.__version__.split(".")[:2])
    if version < _MINIMUM_PYDANTIC_SETTINGS:
        raise ImportError(
            f"KeyVaultSettingsSource needs pydantic-settings 2.13 or later (installed: "
            f"{pydantic_settings.__version__}): {install_hint('keyvault')}"
        )
    try:
        from azure.keyvault.secrets import SecretClient
    except ImportError as exc:
        raise ImportError(
            f"KeyVaultSettingsSource needs azure-keyvault-secrets: {install_hint('keyvault')}"
        ) from exc
    return SecretClient
