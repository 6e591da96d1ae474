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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._configuration_names import (
    DECLARATION,
    declaration_in,
    is_configuration_name,
    parse_declaration,
    variable_of,
)
from ._env_file import choose_env_file, is_implicit, read_env_file
from ._errors import ConfigurationError
from ._settings import Settings, reading_configuration
from ._variables import declaration_of

__all__ = ["declared_names", "its_variables", "prefixed", "prefixed_error", "require_declared", "settings_of"]

# A variable's name in a message: AZURE_*, AZENVCLOUD_* or APPLICATIONINSIGHTS_* where a message
# names one (at the start, after a space, '(', '[' or ','), not inside a quoted value
# ('${AZURE_CLOUD}', a path), nor part of a longer name; the declarations decide which of them a
# configuration reads under its prefix.
_VARIABLE = re.compile(r"(?<![^\s(\[,])((?:AZURE|AZENVCLOUD|APPLICATIONINSIGHTS)_[A-Z0-9_]*[A-Z0-9])")


def declared_names() -> tuple[str, ...]:
    """The configurations declared by ``AZENVCLOUD_CONFIGURATIONS`` (the environment's value, else
    the ``.env`` file's), in their order; none when it is unset: the strict reading
    (:func:`~azenvcloud._configuration_names.parse_declaration`).

    Raises:
        ConfigurationError: A name is malformed, reserved or declared twice (without regard to
            case), naming the variable, the value and what is accepted.
    """
    env_file = None
    if not os.environ.get(DECLARATION, "").strip():
        path = choose_env_file(None)
        env_file = read_env_file(path, implicit=is_implicit(None)) if path is not None else None
    raw, from_file = declaration_in(os.environ, env_file.values if env_file is not None else {})
    where = "in the environment"
    if from_file and env_file is not None:
        where = f"from the .env file {env_file.path}"
    return parse_declaration(raw, where)


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
        f"({DECLARATION} declares {listed}). Accepted: a declared name; declare it with "
        f"{DECLARATION}={','.join((*declared, str(name).lower()))} and give it its own "
        f"variables ({str(name).upper()}_AZURE_CLOUD, ...).",
        variables=(DECLARATION,),
    )


def prefixed(name: str, text: str) -> str:
    """``text`` with every per-configuration variable it names prefixed for the configuration
    ``name`` (``AZURE_CLOUD`` -> ``GOV_AZURE_CLOUD``); a process-wide one (``AZENVCLOUD_ENV_FILE``)
    stays as it is."""

    def one(found: re.Match[str]) -> str:
        declared = declaration_of(found.group(1))
        own = declared is not None and declared.scope == "configuration"
        return variable_of(name, found.group(1)) if own else found.group(1)

    return _VARIABLE.sub(one, text)


def prefixed_error(name: str, error: ConfigurationError) -> ConfigurationError:
    """``error`` as the named configuration ``name``'s: its message and variables name the
    prefixed ones."""
    return type(error)(
        prefixed(name, str(error)), variables=tuple(prefixed(name, variable) for variable in error.variables)
    )


@contextmanager
def its_variables(configuration: str | None) -> Iterator[None]:
    """A ``ConfigurationError`` raised inside names the named configuration's own variables
    (``AZURE_SERVICE_APPCONFIG_SUFFIX`` -> ``GOV_AZURE_SERVICE_APPCONFIG_SUFFIX``); the default's
    (``None``) are left as they are, and so is the error that refuses a name itself."""
    name = configuration.lower() if isinstance(configuration, str) else None
    if name is None or not is_configuration_name(name):
        yield
        return
    try:
        yield
    except ConfigurationError as exc:
        raise prefixed_error(name, exc) from None


def settings_of(name: str, **arguments: Any) -> Settings:
    """The settings of the named configuration ``name`` (declared), ``arguments`` (as
    :class:`~azenvcloud.Settings` takes them) over its own variables.

    Raises:
        ConfigurationError: Its configuration is not usable, naming its prefixed variables.
        TypeError: An argument is no setting's name.
    """
    try:
        with reading_configuration(name):
            return Settings(**arguments)
    except ConfigurationError as exc:
        raise prefixed_error(name, exc) from None
