"""The ``.env`` file: which one is read, and reading it once, as data.

A ``.env`` file is input, not code: values are taken literally (python-dotenv's ``${VAR}``
interpolation is off, so a value cannot pull a secret out of the environment), the file is
read once per resolution, and a file that was asked for by name but cannot be read is an
error, never a silent fall back to the public cloud.
"""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ._errors import ConfigurationError, quote_value
from ._variables import ALL, names, of_use

__all__ = [
    "ENVIRONMENT_ONLY",
    "ENV_FILE_VARIABLE",
    "NO_ENV_FILE",
    "EnvFile",
    "EnvFileChoice",
    "choose_env_file",
    "is_implicit",
    "read_env_file",
    "require_env_file",
]

ENV_FILE_VARIABLE = next(of_use("env file")).name
"""Environment variable naming the .env file to read instead of ``./.env`` (``AZENVCLOUD_ENV_FILE``)."""

NO_ENV_FILE = "none"
"""``AZENVCLOUD_ENV_FILE=none`` reads no .env file at all (in code: ``_env_file=False``)."""

ENVIRONMENT_ONLY = tuple(variable.name for variable in ALL if variable.trust.refused_in_env_file)
"""Variables a .env file cannot set: which .env file to read is decided before reading one, and
the Azure CLI's ``ARM_CLOUD_METADATA_URL`` is an environment variable (in a .env file, write
``AZURE_CLOUD_METADATA_URL``)."""

EnvFileChoice = str | os.PathLike[str] | Literal[False] | None

_DEFAULT = ".env"
_MAX_BYTES = 4 * 1024 * 1024
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A variable is named in an error only when the line really starts with NAME= or with a variable
# azenvcloud knows (otherwise the "name" would be a secret's first characters: a .env linked to a
# mounted secret file).
_LEADING_NAME = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)(\s*=)?")
_KNOWN_NAMES = frozenset(
    name
    for variable in of_use("setting", "identity", "env file", "alias", "sdk cloud")
    for name in variable.names()
)
_INSTEAD = {  # another tool's name for a setting: azenvcloud's own name for it
    alias.name: f"; in a .env file you name ({ENV_FILE_VARIABLE}, --env-file or _env_file=), write {ours}"
    for alias in of_use("alias")
    if (ours := names().get(alias.field))
}
_CHOSEN = f"./.env unless {ENV_FILE_VARIABLE} names another"


@dataclass(frozen=True)
class EnvFile:
    """One .env file, read.

    Attributes:
        path: Its absolute path.
        values: Every ``NAME=value`` it sets, literally (no interpolation); a later line wins.
    """

    path: str
    values: dict[str, str] = field(repr=False)  # may hold secrets: never shown
    implicit: bool = False


def is_implicit(argument: EnvFileChoice) -> bool:
    """Whether :func:`choose_env_file` falls back to the ``./.env`` of the working directory for
    ``argument``: nobody named the file, so it is trusted only to choose a built-in cloud."""
    return argument is None and not os.environ.get(ENV_FILE_VARIABLE, "").strip()


def choose_env_file(argument: EnvFileChoice) -> Path | None:
    """Which .env file to read, or ``None`` for none.

    ``argument`` is ``_env_file`` as passed in code (or ``--env-file``): a path, ``False`` for
    none, or ``None`` to follow ``AZENVCLOUD_ENV_FILE`` and then ``./.env``. A file named
    explicitly must exist; the default ``./.env`` may be absent.

    Raises:
        ConfigurationError: A named file does not exist, is a folder, or is not a regular file.
    """
    if argument is False:
        return None
    if argument is not None:
        named = os.fspath(argument)
        return _existing(
            Path(named), f"The .env file {quote_value(named)} (given as _env_file= or --env-file)"
        )
    named = os.environ.get(ENV_FILE_VARIABLE, "").strip()
    if named.lower() == NO_ENV_FILE:
        return None
    if named:
        return _existing(Path(named), f"{ENV_FILE_VARIABLE}={quote_value(named)}")
    default = Path(_DEFAULT)
    if not os.path.lexists(default):
        return None
    _refuse_link_outside(default)
    return _existing(default, f"The .env file {default.resolve()} ({_CHOSEN})")


def _refuse_link_outside(default: Path) -> None:
    """The implicit ``./.env`` may be a symbolic link within the working directory, never one to
    a file outside it: a cloned repository could link it to a mounted secret (``/run/secrets/...``)."""
    if not default.is_symlink():
        return
    here = Path.cwd().resolve()
    target = default.resolve()
    if target == here or here in target.parents:
        return
    raise ConfigurationError(
        f"The .env file {default.absolute()} ({_CHOSEN}) is a symbolic link to a file outside the working "
        "directory: azenvcloud does not read it, since a file anyone can leave in a working directory (a "
        "cloned repository) could point anywhere. Accepted: name the file you mean "
        f"({ENV_FILE_VARIABLE}=PATH, --env-file or _env_file=), or {ENV_FILE_VARIABLE}={NO_ENV_FILE} "
        "to read none.",
        variables=(ENV_FILE_VARIABLE,),
    )


def require_env_file(path: str | os.PathLike[str], *, shown: str, accepted: str) -> Path:
    """``path`` if it names a regular file, else the error a named file gets, in the caller's
    words (the command line says ``--env-file 'x'`` and ``--no-env-file``).

    Raises:
        ConfigurationError: It does not exist, is a folder, or is not a regular file.
    """
    return _existing(Path(path), shown, accepted)


def _existing(path: Path, shown: str, accepted: str | None = None) -> Path:
    accepted = accepted or (
        f"the path of an existing .env file; {ENV_FILE_VARIABLE}={NO_ENV_FILE} "
        "(or _env_file=False in code) reads none"
    )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigurationError(
            f"{shown} names no readable file ({exc.strerror or exc}). Accepted: {accepted}.",
            variables=(ENV_FILE_VARIABLE,),
        ) from None
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ConfigurationError(f"{shown} is {what}. Accepted: {accepted}.", variables=(ENV_FILE_VARIABLE,))
    return path


def read_env_file(path: Path, *, implicit: bool = False) -> EnvFile:
    """Read and parse a .env file once, literally (``implicit``: the ``./.env`` nobody named).

    The message of an error names the file, the line and the variable on it, never the line's
    text: it may hold a secret.

    Raises:
        ConfigurationError: The file cannot be read, is not UTF-8 text, is too large, has a line
            that cannot be parsed, or sets a variable that only the environment may set.
    """
    from dotenv.parser import parse_stream

    resolved = path.resolve()
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            raise _unreadable(resolved, f"it is larger than {_MAX_BYTES} bytes")
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(resolved, "it is not UTF-8 text") from None
    except OSError as exc:
        raise _unreadable(resolved, str(exc.strerror or exc)) from None
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text.removeprefix("\ufeff"))):
        if binding.error or (binding.key is not None and not _NAME.fullmatch(binding.key)):
            named = _LEADING_NAME.match(binding.original.string)
            name = named.group(1) if named and (named.group(2) or named.group(1) in _KNOWN_NAMES) else None
            what = f"the line setting {name}" if name else "a line"
            raise ConfigurationError(
                f"The .env file {resolved} ({_CHOSEN}) has {what} that cannot be parsed "
                f"(line {binding.original.line}; its text is not shown, it may hold a secret). Accepted: "
                "NAME=value lines, a value quoted with matching ' or \", comments starting with #.",
                variables=(name,) if name else (ENV_FILE_VARIABLE,),
            )
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
    for name in ENVIRONMENT_ONLY:
        if name in values:
            raise ConfigurationError(
                f"The .env file {resolved} sets {name}, which only the process environment can set. "
                f"Accepted: set it in the environment{_INSTEAD.get(name, '')}, or remove the line.",
                variables=(name,),
            )
    return EnvFile(str(resolved), values, implicit)


def _unreadable(path: Path, reason: str) -> ConfigurationError:
    return ConfigurationError(
        f"The .env file {path} ({_CHOSEN}) cannot be read: {reason}. "
        "Accepted: a UTF-8 text file of NAME=value lines.",
        variables=(ENV_FILE_VARIABLE,),
    )
