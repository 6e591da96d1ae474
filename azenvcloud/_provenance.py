"""Where a resolved value came from: an argument, the environment, a .env file, a default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ._errors import redact_url
from ._secret_values import SECRET_VARIABLES
from ._variables import names, of_use

__all__ = ["IDENTITY_VARIABLES", "VARIABLES", "Source", "SourceKind"]

SourceKind = Literal["argument", "option", "environment", "dotenv", "default", "metadata", "derived"]

# One vocabulary from variable to attribute: AZURE_AUTHORITY_HOST <-> authority_host (declared in
# azenvcloud._variables, with everything else about each variable).
VARIABLES: dict[str, str] = names()
"""Each setting's variable, by attribute."""

# azure-identity's own variables: they keep their meaning. Values marked secret are never shown.
IDENTITY_VARIABLES: dict[str, bool] = {
    variable.name: variable.name in SECRET_VARIABLES for variable in of_use("identity")
}
"""azure-identity's variables azenvcloud exports from a .env file, each with whether it is a secret."""


@dataclass(frozen=True)
class Source:
    """The origin of one resolved setting.

    Attributes:
        kind: ``argument`` (passed in code), ``option`` (a command-line option of
            ``azenvcloud``), ``environment``, ``dotenv`` (a .env file),
            ``default`` (a built-in cloud's value), ``metadata`` (a metadata URL or snapshot
            file) or ``derived`` (computed from other values).
        detail: What exactly: the .env path, the cloud whose default was used, the metadata
            URL or file, another variable that was read, or how a value was derived.
        implicit: For ``dotenv``: the file is the ``./.env`` found in the working directory, not
            one named by ``AZENVCLOUD_ENV_FILE``, ``--env-file`` or ``_env_file=``. Such a file
            may only choose among the built-in clouds (:mod:`azenvcloud._trust`).
    """

    kind: SourceKind
    detail: str = ""
    implicit: bool = False

    def __str__(self) -> str:
        labels = {
            "argument": "argument",
            "option": "command-line option",
            "environment": "environment",
            "dotenv": ".env file",
            "default": "default of",
            "metadata": "metadata from",
            "derived": "derived",
        }
        label = labels[self.kind]
        return f"{label} {redact_url(self.detail)}" if self.detail else label

    def names(self, field: str) -> str:
        """How to name ``field`` to a person, given where its value came from."""
        variable = VARIABLES[field]
        if self.kind in {"environment", "option"} and self.detail:
            return self.detail
        if self.kind == "argument":
            return f"{variable} (passed in code as {field}=)"
        if self.kind == "dotenv":
            return f"{variable} (from .env file {self.detail})"
        if self.kind == "metadata":
            return f"{variable} (from the metadata at {redact_url(self.detail)})"
        return variable
