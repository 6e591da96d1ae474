"""What the commands share: exit statuses, the error for exit 3, and aligned two-column text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from .._secret_values import redact_secrets

__all__ = [
    "EXIT_CONFIGURATION",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "Redacted",
    "Unreachable",
    "one_line",
    "write_rows",
]

EXIT_OK = 0
EXIT_CONFIGURATION = 2
EXIT_UNREACHABLE = 3
EXIT_USAGE = 64  # sysexits.h EX_USAGE: the command line itself is wrong, not the configuration


class Unreachable(Exception):
    """Authentication or the network failed (exit status 3); the message is one line for people."""


class Redacted:
    """``out``, with every secret value taken out of what is written (:mod:`azenvcloud._secret_values`).

    The one choke point of the command line's output: :func:`azenvcloud._cli.main` hands every
    command its stdout through it and writes its errors through it, so no command can print a
    secret inside another value. JSON is redacted after escaping too (the secret's escaped form);
    write a document in one call, so that a secret is never split across two writes.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(redact_secrets(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def one_line(message: object) -> str:
    """``message`` on one line: azure-identity's chain errors span many."""
    return " ".join(str(message).split())


def write_rows(out: TextIO, rows: Iterable[tuple[str, str]], indent: str = "  ", width: int = 0) -> None:
    """Write label/value rows with the values aligned (at ``width`` at least)."""
    rows = list(rows)
    width = max([width, *(len(label) for label, _ in rows)])
    for label, value in rows:
        out.write(f"{indent}{label:<{width}}  {value}".rstrip() + "\n")
