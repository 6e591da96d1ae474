"""Key Vault secret names as pydantic-settings' Key Vault source files them, and the names to ask
for so that no listing is needed.

pydantic-settings' ``AzureKeyVaultSettingsSource`` lists the vault and files every enabled secret
under a key (its ``AzureKeyVaultMapping``): the name lower-cased, or as it is with
``case_sensitive``, or ``to_snake`` of it with ``snake_case_conversion`` (an ``env_prefix`` the name
starts with kept as it is); a field's lookup is converted the same way. Key Vault compares names
without case, so one request by name finds a secret whatever case it was set in; with
``snake_case_conversion`` several names file under one key (``database-url``, ``DatabaseUrl``),
and each is asked for. Whether a secret found is filed under the key pydantic-settings would
look up is decided from the name Key Vault reports, as listing would have it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = ["SECRET_NAME", "SecretNaming", "is_secret_name"]

SECRET_NAME = re.compile(r"[0-9A-Za-z-]{1,127}")
"""What Key Vault accepts as a secret's name: 1 to 127 letters, digits and dashes ("Azure Key
Vault naming", learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules,
Microsoft.KeyVault/vaults/secrets); names are compared without case ("Object identifiers",
learn.microsoft.com/azure/key-vault/general/about-keys-secrets-and-certificates)."""

# With snake_case_conversion, each "_" of a key stands for a "-" or for a change of case (or a
# digit) in the secret's name: 2**n spellings. Past _MAX_SPELLINGS, only the two extremes (every
# "_" a dash, none) are asked for.
_MAX_SPELLINGS = 16


def is_secret_name(name: str) -> bool:
    """Whether Key Vault accepts ``name`` as a secret's name (letters, digits, dashes; 1 to 127)."""
    return SECRET_NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class SecretNaming:
    """pydantic-settings' naming rules for one source's options."""

    case_sensitive: bool
    snake_case_conversion: bool
    env_prefix: str

    def key_of(self, name: str) -> str:
        """The key a secret named ``name`` is filed under (``AzureKeyVaultMapping._load_remote``)."""
        if self.snake_case_conversion:
            return self._snake(name)
        return name if self.case_sensitive else name.lower()

    def lookup(self, key: str) -> str:
        """The key a lookup of ``key`` finds (``AzureKeyVaultMapping.__getitem__``)."""
        if self.snake_case_conversion:
            return self._snake(key)
        return key if self.case_sensitive else key.lower()

    def names_for(self, key: str) -> tuple[str, ...]:
        """The secret names to ask for so that every secret filed under ``lookup(key)`` is found
        (Key Vault ignores case); none when no secret name can be filed there."""
        wanted = self.lookup(key)
        if not self.snake_case_conversion:
            return (wanted,) if is_secret_name(wanted) else ()
        spellings = list(_unsnaked(wanted))
        prefix = self.env_prefix
        if prefix and wanted.startswith(prefix):
            spellings += [prefix + rest for rest in _unsnaked(wanted[len(prefix) :])]
        unique = {name.lower(): name for name in spellings if is_secret_name(name)}
        return tuple(unique.values())

    def _snake(self, name: str) -> str:
        from pydantic.alias_generators import to_snake

        prefix = self.env_prefix
        if name.startswith(prefix):
            return f"{prefix}{to_snake(name[len(prefix) :])}"
        return to_snake(name)


def _unsnaked(key: str) -> list[str]:
    """The names whose ``to_snake`` (up to case) may be ``key``: each ``__`` a ``--`` (the nested
    delimiter), each other ``_`` a dash or nothing (a change of case, or before a digit)."""
    parts = key.split("__")
    gaps = sum(part.count("_") for part in parts)
    if 2**gaps <= _MAX_SPELLINGS:
        choices: list[tuple[str, ...]] = list(itertools.product(("-", ""), repeat=gaps))
    else:
        choices = [("-",) * gaps, ("",) * gaps]
    return ["--".join(_joined(parts, choice)) for choice in choices]


def _joined(parts: list[str], joins: tuple[str, ...]) -> list[str]:
    """``parts`` with their ``_`` replaced, in order, by ``joins``."""
    remaining = iter(joins)
    joined = []
    for part in parts:
        pieces = part.split("_")
        text = pieces[0]
        for piece in pieces[1:]:
            text += next(remaining) + piece
        joined.append(text)
    return joined
