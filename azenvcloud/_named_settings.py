"""Named configurations' settings: which names are declared, and one name's settings, read as the
default configuration's are from that name's own prefixed variables.

``AZENVCLOUD_CONFIGURATIONS=gov,backup`` declares the names (from the environment, else the
``.env`` file; an implicit ``./.env`` may declare one too, and then, as always, may only select a
built-in cloud for it). The configuration ``gov`` reads ``GOV_AZURE_CLOUD``,
``GOV_AZURE_AUTHORITY_HOST``, ... : every variable declared per ``configuration`` in
:mod:`azenvcloud._variables`, under the prefix (:func:`~azenvcloud._variables.own_values`), with
the same sources, precedence and trust rule as the default, and never an unprefixed value.
Errors name the prefixed variables (:func:`prefixed_error`).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ._env_file import choose_env_file, is_implicit, read_env_file
from ._errors import ConfigurationError, quote_value
from ._settings import Settings, reading_prefixed
from ._variables import declaration_of, of_use

__all__ = [
    "CONFIGURATIONS_VARIABLE",
    "RESERVED",
    "declared_names",
    "prefix_of",
    "prefixed",
    "prefixed_error",
    "require_declared",
    "settings_of",
]

CONFIGURATIONS_VARIABLE = next(of_use("configurations")).name
"""``AZENVCLOUD_CONFIGURATIONS``: the named configurations a process reads."""

RESERVED = ("default", "azure", "azenvcloud", "arm", "input", "appsetting", "tf", "vite", "next")
"""Names no configuration may take: the default's, and other tools' prefix conventions (the Azure
SDKs' ``AZURE_``, ours, Terraform's ``ARM_`` and ``TF_``, GitHub Actions' ``INPUT_``, App
Service's ``APPSETTING_``, Vite's ``VITE_``, Next.js's ``NEXT_``)."""

_NAME = re.compile(r"[a-z][a-z0-9]{0,19}")
_ACCEPTED = (
    "comma-separated names, each a lowercase letter then up to 19 lowercase letters or digits (no '_', "
    "so that prefixes cannot nest), unique without regard to case, none of "
    + ", ".join(RESERVED)
    + f" (for example {CONFIGURATIONS_VARIABLE}=gov,backup)"
)
# A variable's name in a message: AZURE_*, AZENVCLOUD_* or APPLICATIONINSIGHTS_*, not already part
# of a longer name (only declared per-configuration ones are prefixed).
_VARIABLE = re.compile(r"(?<![A-Za-z0-9_])((?:AZURE|AZENVCLOUD|APPLICATIONINSIGHTS)_[A-Z0-9_]*[A-Z0-9])")


def declared_names() -> tuple[str, ...]:
    """The configurations declared by ``AZENVCLOUD_CONFIGURATIONS`` (the environment's value, else
    the ``.env`` file's), in their order; none when it is unset.

    Raises:
        ConfigurationError: A name is malformed, reserved or declared twice (without regard to
            case), naming the variable, the value and what is accepted.
    """
    raw = os.environ.get(CONFIGURATIONS_VARIABLE)
    where = "in the environment"
    if raw is None or not raw.strip():
        path = choose_env_file(None)
        env_file = read_env_file(path, implicit=is_implicit(None)) if path is not None else None
        raw = env_file.values.get(CONFIGURATIONS_VARIABLE) if env_file is not None else None
        where = f"from the .env file {env_file.path}" if env_file is not None else where
    if raw is None or not raw.strip():
        return ()
    names: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item.lower() in names:
            why = f"{quote_value(item)} is declared twice (names are compared without regard to case)"
        elif item.lower() in RESERVED:
            why = f"{quote_value(item)} is reserved"
        elif not _NAME.fullmatch(item):
            why = f"{quote_value(item)} is no configuration name"
        else:
            names.append(item)
            continue
        raise ConfigurationError(
            f"{CONFIGURATIONS_VARIABLE}={quote_value(raw)} ({where}) is not usable: {why}. "
            f"Accepted: {_ACCEPTED}.",
            variables=(CONFIGURATIONS_VARIABLE,),
        )
    return tuple(names)


def require_declared(name: str) -> str:
    """``name`` as declared (its canonical, lowercase spelling), if ``AZENVCLOUD_CONFIGURATIONS``
    declares it.

    Raises:
        ConfigurationError: It is not declared, or the declaration is not usable.
    """
    declared = declared_names()
    if isinstance(name, str) and name.lower() in declared:
        return name.lower()
    listed = ", ".join(declared) if declared else "none"
    raise ConfigurationError(
        f"azenvcloud.configuration({name!r}): no configuration of that name is declared "
        f"({CONFIGURATIONS_VARIABLE} declares {listed}). Accepted: a declared name; declare it with "
        f"{CONFIGURATIONS_VARIABLE}={','.join((*declared, str(name).lower()))} and give it its own "
        f"variables ({str(name).upper()}_AZURE_CLOUD, ...).",
        variables=(CONFIGURATIONS_VARIABLE,),
    )


def prefix_of(name: str) -> str:
    """The prefix of a configuration's variables, without its ``_``: ``gov`` -> ``GOV``."""
    return name.upper()


def prefixed(prefix: str, text: str) -> str:
    """``text`` with every per-configuration variable it names prefixed (``AZURE_CLOUD`` ->
    ``GOV_AZURE_CLOUD``); a process-wide one (``AZENVCLOUD_ENV_FILE``) stays as it is."""

    def one(found: re.Match[str]) -> str:
        declared = declaration_of(found.group(1))
        own = declared is not None and declared.scope == "configuration"
        return f"{prefix}_{found.group(1)}" if own else found.group(1)

    return _VARIABLE.sub(one, text)


def prefixed_error(prefix: str, error: ConfigurationError) -> ConfigurationError:
    """``error`` as a named configuration's: its message and variables name the prefixed ones."""
    return type(error)(
        prefixed(prefix, str(error)), variables=tuple(prefixed(prefix, name) for name in error.variables)
    )


def settings_of(name: str, **arguments: Any) -> Settings:
    """The settings of the named configuration ``name`` (declared), ``arguments`` (as
    :class:`~azenvcloud.Settings` takes them) over its own variables.

    Raises:
        ConfigurationError: Its configuration is not usable, naming its prefixed variables.
        TypeError: An argument is no setting's name.
    """
    prefix = prefix_of(name)
    try:
        with reading_prefixed(prefix):
            return Settings(**arguments)
    except ConfigurationError as exc:
        raise prefixed_error(prefix, exc) from None
