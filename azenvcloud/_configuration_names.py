"""A named configuration's name: the one rule for it (its shape, the words no configuration may
take, the prefix of its variables: ``gov`` reads ``GOV_AZURE_CLOUD``), and the names a process
declares in ``AZENVCLOUD_CONFIGURATIONS``, read two ways from the same words.

A name is ``[a-z][a-z0-9]{0,19}``: no ``_``, so that one configuration's prefix can never be the
start of another's (``GOV_`` and ``GOV_EU_`` could not be told apart), and none of the words other
tools already put before ``AZURE_`` variables (GitHub Actions' ``INPUT_``, App Service's
``APPSETTING_``, Terraform's ``TF_``, Vite's and Next.js's ``VITE_`` and ``NEXT_``, Terraform's
own ``ARM_``), nor ``default``, ``azure`` or ``azenvcloud``.

The declaration is the environment's ``AZENVCLOUD_CONFIGURATIONS``, else (unset or blank, as for
every setting) the ``.env`` file's (:func:`declaration_in`). Its words are read two ways:

- :func:`parse_declaration`, strictly, for the named configurations themselves: a word that is
  malformed, reserved or declared twice is one :class:`~azenvcloud.ConfigurationError`;
- :func:`declared_names`, leniently, for the typo check alone (which prefixes a process means):
  it never fails, reads a name in any case, and leaves out the words the strict reading refuses.
  Where the strict reading accepts a declaration, both give the same names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ._errors import ConfigurationError, quote_value

__all__ = [
    "DECLARATION",
    "RESERVED",
    "declaration_in",
    "declared_names",
    "is_configuration_name",
    "parse_declaration",
    "prefix_of",
    "variable_of",
]

DECLARATION = "AZENVCLOUD_CONFIGURATIONS"
"""The variable that declares the named configurations, comma-separated (``gov,backup``)."""

RESERVED = ("default", "azure", "azenvcloud", "arm", "input", "appsetting", "tf", "vite", "next")
"""Names no configuration may take: the default's, azenvcloud's and the Azure SDKs' own, and
other tools' prefix conventions (Terraform's ``ARM_`` and ``TF_``, GitHub Actions' ``INPUT_``, App
Service's ``APPSETTING_``, Vite's ``VITE_``, Next.js's ``NEXT_``: a ``VITE_AZURE_CLIENT_ID`` is
Vite's, shipped to a browser, never ours)."""

_SHAPE = re.compile(r"[a-z][a-z0-9]{0,19}")
_ACCEPTED = (
    "comma-separated names, each a lowercase letter then up to 19 lowercase letters or digits (no '_', "
    "so that prefixes cannot nest), unique without regard to case, none of "
    + ", ".join(RESERVED)
    + f" (for example {DECLARATION}=gov,backup)"
)


def is_configuration_name(name: str) -> bool:
    """Whether ``name``, as written, may name a configuration: its shape, and not reserved."""
    return _SHAPE.fullmatch(name) is not None and name not in RESERVED


def prefix_of(name: str) -> str:
    """The prefix of the configuration ``name``'s variables: ``gov`` -> ``GOV_``.

    Raises:
        ValueError: ``name`` can name no configuration.
    """
    if not is_configuration_name(name):
        raise ValueError(f"{name!r} cannot name a configuration. Accepted: {_ACCEPTED}")
    return f"{name.upper()}_"


def variable_of(configuration: str | None, name: str) -> str:
    """The variable the configuration reads ``name`` by: the default (``None``) ``AZURE_CLOUD``
    itself, ``gov`` ``GOV_AZURE_CLOUD``.

    Raises:
        ValueError: ``configuration`` can name no configuration.
    """
    return name if configuration is None else f"{prefix_of(configuration)}{name}"


def declaration_in(environment: Mapping[str, str], env_file: Mapping[str, str]) -> tuple[str, bool]:
    """The declaration's value, and whether it is the ``.env`` file's: the environment's, unless
    it is unset or blank (``""`` when neither has one)."""
    raw = environment.get(DECLARATION)
    if raw is not None and raw.strip():
        return raw, False
    raw = env_file.get(DECLARATION)
    return (raw, True) if raw is not None and raw.strip() else ("", False)


def _words(raw: str) -> Iterator[tuple[str, str | None]]:
    """Each word of the declaration ``raw`` (blank ones skipped), with why the strict reading
    refuses it (``None``: a name)."""
    seen: set[str] = set()
    for word in (part.strip() for part in raw.split(",")):
        if not word:
            continue
        if word.lower() in seen:
            yield word, f"{quote_value(word)} is declared twice (names are compared without regard to case)"
        elif word.lower() in RESERVED:
            yield word, f"{quote_value(word)} is reserved"
        elif not _SHAPE.fullmatch(word):
            yield word, f"{quote_value(word)} is no configuration name"
        else:
            yield word, None
        seen.add(word.lower())


def parse_declaration(raw: str, where: str) -> tuple[str, ...]:
    """The names the declaration ``raw`` declares (read ``where``: ``in the environment``), in
    their order; none for a blank one.

    Raises:
        ConfigurationError: A name is malformed, reserved or declared twice (without regard to
            case), naming the variable, the value and what is accepted.
    """
    names: list[str] = []
    for word, why in _words(raw):
        if why is not None:
            raise ConfigurationError(
                f"{DECLARATION}={quote_value(raw)} ({where}) is not usable: {why}. Accepted: {_ACCEPTED}.",
                variables=(DECLARATION,),
            )
        names.append(word)
    return tuple(names)


def declared_names(environment: Mapping[str, str], env_file: Mapping[str, str]) -> tuple[str, ...]:
    """The names the declaration means, for the typo check: never fails. Each name in lower case
    (``Gov`` is read as ``gov``), once, in order; a word that can name no configuration, in any
    case, is left out (the named configurations refuse it with their own error)."""
    raw, _ = declaration_in(environment, env_file)
    words = (word.lower() for word, _ in _words(raw))
    return tuple(dict.fromkeys(word for word in words if is_configuration_name(word)))
