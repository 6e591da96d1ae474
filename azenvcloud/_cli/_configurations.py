"""The configuration a command looks at (``--configuration NAME``): the default, or a named one
read through its own prefixed variables, with its getters, its identity and its credential chain
as ``show`` and ``check`` report them.

A named configuration's identity variables are its own (``GOV_AZURE_CLIENT_ID``, from the
environment or the ``.env`` file), its credential a chain of its own identity's credentials
(:mod:`azenvcloud._named_credential`), and every variable a message names is the prefixed one.
``--env-file PATH`` / ``--no-env-file`` are, for the command's duration, what
``AZENVCLOUD_ENV_FILE`` says, so that the declared names and every configuration read one file.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._clients import get_credential, get_resource_client, get_subscription_client
from .._configuration import Configuration, configuration
from .._configuration_names import DECLARATION as CONFIGURATIONS_VARIABLE
from .._configuration_names import RESERVED, is_configuration_name, prefix_of
from .._env_file import ENV_FILE_VARIABLE, NO_ENV_FILE
from .._errors import ConfigurationError, quote_value
from .._named_credential import own_identity
from .._named_settings import declared_names, prefixed, prefixed_error
from .._parsers import find_control_character
from .._provenance import IDENTITY_VARIABLES
from .._settings import Settings, get_settings
from ._chain import chain_of

__all__ = [
    "DEFAULT",
    "Target",
    "add_configuration_option",
    "chosen_env_file",
    "declarations",
    "default_warnings",
    "target_of",
]

DEFAULT = "default"
"""How the command line names the default configuration (the unprefixed variables)."""

_READY = {
    "ClientSecretCredential": "ready: service principal with a client secret",
    "CertificateCredential": "ready: service principal with a certificate",
    "WorkloadIdentityCredential": "ready: federated token file",
    "ManagedIdentityCredential": "answers where the host has a managed identity",
}


def add_configuration_option(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--configuration",
        metavar="NAME",
        help="a named configuration declared by AZENVCLOUD_CONFIGURATIONS (its variables prefixed "
        "NAME_: GOV_AZURE_CLOUD) instead of the default",
    )


@contextmanager
def chosen_env_file(arguments: argparse.Namespace) -> Iterator[None]:
    """``--env-file`` / ``--no-env-file`` as ``AZENVCLOUD_ENV_FILE`` while the command runs."""
    if getattr(arguments, "no_env_file", False):
        chosen = NO_ENV_FILE
    elif getattr(arguments, "env_file", None):
        chosen = os.path.abspath(arguments.env_file)
    else:
        yield
        return
    before = os.environ.get(ENV_FILE_VARIABLE)
    os.environ[ENV_FILE_VARIABLE] = chosen
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_FILE_VARIABLE, None)
        else:
            os.environ[ENV_FILE_VARIABLE] = before


class Target:
    """The configuration a command looks at.

    Attributes:
        name: The named configuration's name (``"gov"``), ``None`` for the default.
        label: How the command line names it (``"gov"``, ``"default"``).
    """

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.label = name or DEFAULT
        self._prefix = prefix_of(name) if name else ""

    @property
    def _named(self) -> Configuration:
        assert self.name is not None
        return configuration(self.name)

    def variable(self, text: str) -> str:
        """``text`` with every per-configuration variable it names as this configuration reads it."""
        if not self._prefix:
            return text
        return prefixed(self.label, text)

    def error(self, error: ConfigurationError) -> ConfigurationError:
        """``error`` naming this configuration's variables (an error of the default's unchanged)."""
        return prefixed_error(self.label, error) if self._prefix else error

    def named_settings(self) -> Settings:
        """A named configuration's settings (the default's are ``show.load_settings``')."""
        return self._named.get_settings()

    def credential(self) -> Any:
        return get_credential() if self.name is None else self._named.get_credential()

    def subscription_client(self) -> Any:
        return get_subscription_client() if self.name is None else self._named.get_subscription_client()

    def resource_client(self) -> Any:
        return get_resource_client() if self.name is None else self._named.get_resource_client()

    def chain(self, credential: Any) -> list[tuple[str, str]]:
        """``(class name, readiness)`` of each credential of its chain, in the order tried."""
        if self.name is None:
            return chain_of(credential)
        # Each member of a named chain is built only when its values are all set: it is ready.
        members = getattr(credential, "credential", credential).credentials
        return [(type(member).__name__, _READY.get(type(member).__name__, "")) for member in members]

    def identity_variables(self, settings: Settings) -> dict[str, dict[str, Any]]:
        """A named configuration's own identity variables that are set, under their prefixed names,
        each with its source; a secret's value never read into the result (as
        ``show.identity_variables`` for the default)."""
        found: dict[str, dict[str, Any]] = {}
        for name, raw in own_identity(settings).items():
            shown = f"{self._prefix}{name}"
            source = "environment" if os.environ.get(shown, "").strip() else f".env file {settings.env_file}"
            hidden = IDENTITY_VARIABLES.get(name, False)
            # shown, not obeyed: an escape sequence must not reach the terminal
            value = quote_value(raw) if find_control_character(raw) is not None else raw
            found[shown] = {"value": None if hidden else value, "hidden": hidden, "source": source}
        return found

    def own_warnings(self, warnings: tuple[str, ...] | list[str]) -> list[str]:
        """Of the default's warnings (the typo check runs for the whole process), those about this
        named configuration's variables: a warning that starts with its prefix (``GOV_AZURE_CLUOD ...``)."""
        if not self._prefix:
            return []
        return [warning for warning in warnings if warning.split(" ", 1)[0].startswith(self._prefix)]


def default_warnings() -> tuple[str, ...]:
    """The default configuration's warnings, for :meth:`Target.own_warnings`: the typo check runs
    with its resolution, for every prefix (none when it does not resolve: not a named one's problem)."""
    try:
        return get_settings().warnings
    except ConfigurationError:
        return ()


def declarations(target: Target) -> tuple[tuple[str, ...], list[str]]:
    """What ``show`` and ``check`` add for ``target``: the declared names (the default's view), and
    warnings: an unusable ``AZENVCLOUD_CONFIGURATIONS`` (the default still works, no named one
    does), or the typo check's about a named configuration's variables."""
    if target.name is not None:
        return (), target.own_warnings(default_warnings())
    try:
        return declared_names(), []
    except ConfigurationError as exc:
        return (), [f"{exc} No named configuration can be used until then."]


def target_of(arguments: argparse.Namespace) -> Target:
    """The configuration ``--configuration`` names (the default without it, or with ``default``).

    Raises:
        ConfigurationError: ``AZENVCLOUD_CONFIGURATIONS`` is not usable, or ``NAME`` is no
            declared configuration's (naming ``--configuration`` and the declared names).
    """
    given = getattr(arguments, "configuration", None)
    if given is None or given.lower() == DEFAULT:
        return Target(None)
    declared = declared_names()
    if given.lower() in declared:
        return Target(given.lower())
    if not is_configuration_name(given.lower()):
        why = (
            f"{quote_value(given)} is reserved"
            if given.lower() in RESERVED
            else "it is no configuration name (a lowercase letter, then up to 19 lowercase letters or digits)"
        )
    else:
        why = f"no configuration of that name is declared (declare it: {CONFIGURATIONS_VARIABLE}="
        why += ",".join((*declared, given.lower())) + ")"
    raise ConfigurationError(
        f"--configuration {quote_value(given)} is not usable: {why}. Accepted: "
        f"{', '.join((DEFAULT, *declared))} ({DEFAULT}: the unprefixed variables; the others are the "
        f"names {CONFIGURATIONS_VARIABLE} declares).",
        variables=(CONFIGURATIONS_VARIABLE,),
    )
