"""A named configuration's name: its shape, the names other tools' prefixes take, the prefix of its
variables (``gov``: ``GOV_AZURE_CLOUD``), and the names a process declares in
``AZENVCLOUD_CONFIGURATIONS``.

A name is ``[a-z][a-z0-9]{0,19}``: no ``_``, so that one configuration's prefix can never be the
start of another's (``GOV_`` and ``GOV_EU_`` could not be told apart), and none of the words other
tools already put before ``AZURE_`` variables (GitHub Actions' ``INPUT_``, App Service's
``APPSETTING_``, Terraform's ``TF_``, Vite's and Next.js's ``VITE_`` and ``NEXT_``, Terraform's
own ``ARM_``), nor ``default``, ``azure`` or ``azenvcloud``.

:func:`declared_names` reads the raw declaration for the typo check alone: which prefixes a
process means. It never fails; a bad declaration is the named configurations' own error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["DECLARATION", "RESERVED", "declared_names", "is_configuration_name", "prefix_of", "variable_of"]

DECLARATION = "AZENVCLOUD_CONFIGURATIONS"
"""The variable that declares the named configurations, comma-separated (``gov,backup``)."""

RESERVED = frozenset({"default", "azure", "azenvcloud", "arm", "input", "appsetting", "tf", "vite", "next"})
"""Names no configuration may take: the default's, azenvcloud's and Azure's own, and other tools'
prefix conventions (a ``VITE_AZURE_CLIENT_ID`` is Vite's, shipped to a browser, never ours)."""

_SHAPE = re.compile(r"[a-z][a-z0-9]{0,19}")


def is_configuration_name(name: str) -> bool:
    """Whether ``name`` (in lower case) may name a configuration: its shape, and not reserved."""
    return _SHAPE.fullmatch(name) is not None and name not in RESERVED


def prefix_of(name: str) -> str:
    """The prefix of the configuration ``name``'s variables: ``gov`` -> ``GOV_``.

    Raises:
        ValueError: ``name`` can name no configuration.
    """
    if not is_configuration_name(name):
        raise ValueError(
            f"{name!r} cannot name a configuration: a lower-case letter, then up to 19 lower-case letters "
            f"or digits, and none of {', '.join(sorted(RESERVED))}"
        )
    return f"{name.upper()}_"


def variable_of(configuration: str | None, name: str) -> str:
    """The variable the configuration reads ``name`` by: the default (``None``) ``AZURE_CLOUD``
    itself, ``gov`` ``GOV_AZURE_CLOUD``.

    Raises:
        ValueError: ``configuration`` can name no configuration.
    """
    return name if configuration is None else f"{prefix_of(configuration)}{name}"


def declared_names(environment: Mapping[str, str], env_file: Mapping[str, str]) -> tuple[str, ...]:
    """The configuration names :data:`DECLARATION` declares, the environment's value before the
    ``.env`` file's: each name in lower case, once, in order; a word that can name no
    configuration is left out (the named configurations refuse it with its own error)."""
    raw = environment.get(DECLARATION)
    if raw is None:
        raw = env_file.get(DECLARATION) or ""
    words = (word.strip().lower() for word in raw.split(","))
    return tuple(dict.fromkeys(word for word in words if is_configuration_name(word)))
