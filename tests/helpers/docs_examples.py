"""Reading the examples out of README.md and docs/: fenced blocks, their directives and outputs.

The rules, which docs/reference/examples.md states for writers:

- a ``console`` block is a shell session: each ``$ `` line (with ``\\`` continuations) is a
  command, the lines up to the next ``$ `` its expected output (stdout and stderr together); a
  line ``...`` stands for any number of lines;
- a ``python`` block is run; an ``output`` block right after it is what it must print;
- a ``dotenv`` block holds ``NAME=value`` lines: each name must be a variable azenvcloud
  documents, each ``AZURE_CLOUD`` value a cloud it accepts;
- an HTML comment right before a block, ``<!-- example: fake-cloud -->`` or
  ``<!-- example: cloud=china -->``, says what the example needs (``vault=kv1:name=value,...``:
  the fake Key Vault's secrets; ``store=cfg1:key=value,...``: the fake App Configuration store's
  key-values, ``@<secret URL>`` a Key Vault reference); ``<!-- example: file=main.py -->``
  saves a ``python``, ``toml`` or ``dotenv`` block as that file beside the page's test module when
  it runs; ``<!-- example: project -->`` runs a ``console`` block in a folder holding every
  ``file=`` block of the page (the project the page builds);
- every other block, and any block that cannot run here, is on the exemption list in
  ``tests/test_docs_examples.py`` with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*$")
_DIRECTIVE = re.compile(r"^<!-- example: (?P<words>[^>]*?) -->$")


@dataclass(frozen=True)
class Block:
    """One fenced block of a Markdown file."""

    path: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    directives: dict[str, str] = field(default_factory=dict)
    output: str | None = None  # the ``output`` block that follows a ``python`` block

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.text.strip().splitlines()[0].strip() if self.text.strip() else ""


def documents() -> list[Path]:
    """README.md and every page of the documentation site."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks_of(path: Path) -> list[Block]:
    """The fenced blocks of ``path`` (an ``output`` block attached to the ``python`` block before it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    relative = path.relative_to(ROOT).as_posix()
    found: list[Block] = []
    index = 0
    last_text_line = ""  # the last non-blank line outside a block
    previous_ended_at = -2  # the line index where the previous block closed
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            if lines[index].strip():
                last_text_line = lines[index].strip()
            index += 1
            continue
        indent = len(opening["indent"])
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:])
            index += 1
        text = "\n".join(body) + "\n"
        directive = _DIRECTIVE.match(last_text_line)
        directives: dict[str, str] = {}
        if directive:
            for word in directive["words"].split():
                name, _, value = word.partition("=")
                directives[name] = value
        lang = opening["lang"]
        only_blank_between = all(not line.strip() for line in lines[previous_ended_at + 1 : start])
        if lang == "output" and found and found[-1].lang == "python" and only_blank_between:
            last = found.pop()
            found.append(Block(last.path, last.line, last.lang, last.text, last.directives, output=text))
        else:
            found.append(Block(relative, start + 1, lang, text, directives))
        previous_ended_at = index
        last_text_line = ""
        index += 1
    return found


def all_blocks() -> list[Block]:
    """Every fenced block of README.md and docs/."""
    return [block for path in documents() for block in blocks_of(path)]


@dataclass(frozen=True)
class Command:
    """One ``$`` command of a console block and the output written under it."""

    command: str
    expected: str


def console_commands(text: str) -> list[Command]:
    """Split a console block into its commands and their expected outputs."""
    commands: list[Command] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise ValueError(f"console block: output before the first command: {line!r}")
        command = line[2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command[:-1].rstrip() + " " + lines[index].strip()
        index += 1
        output: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        commands.append(Command(command, "\n".join(output)))
    return commands


_VARYING = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\b\d+\.\d+ s\b"), "T s"),
    (re.compile(r"\bpid \d+"), "pid N"),
    (re.compile(r"\bin \d+\.\d+s\b"), "in Ts"),  # pytest's summary line
    (re.compile(r" +\[(\d+%)\]$", re.MULTILINE), r" [\1]"),  # pytest's progress, at the terminal's width
]


def normalise(text: str) -> str:
    """What may differ between runs made the same: ports, timings, process ids, trailing blanks."""
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def matches(expected: str, actual: str) -> bool:
    """``actual`` is ``expected`` once normalised, a line ``...`` standing for any lines."""
    parts = []
    for line in normalise(expected).splitlines():
        parts.append(r"(?:[^\n]*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n")
    return re.fullmatch("".join(parts), normalise(actual) + "\n" if actual.strip() else "") is not None


def with_outputs(text: str, outputs: list[str | None]) -> str:
    """The console block ``text`` with the expected output of its ``n``-th command replaced by
    ``outputs[n]`` (``None``: kept as written); the commands' lines stay as written."""
    lines = text.splitlines()
    kept: list[str] = []
    index = number = 0
    while index < len(lines):
        kept.append(lines[index])
        while lines[index].endswith("\\") and index + 1 < len(lines):
            index += 1
            kept.append(lines[index])
        index += 1
        expected = []
        while index < len(lines) and not lines[index].startswith("$ "):
            expected.append(lines[index])
            index += 1
        new = outputs[number] if number < len(outputs) else None
        kept.extend(expected if new is None else new.splitlines())
        number += 1
    return "\n".join(kept) + "\n"


def rewrite_block(block: Block, text: str) -> None:
    """Write ``text`` as ``block``'s body in its file (found by its current body, indented as it is)."""
    path = ROOT / block.path
    page = path.read_text(encoding="utf-8")
    fence = page.splitlines()[block.line - 1]
    indent = " " * (len(fence) - len(fence.lstrip(" ")))

    def indented(body: str) -> str:
        return "".join(f"{indent}{line}\n" if line else "\n" for line in body.splitlines())

    old = indented(block.text)
    if page.count(old) != 1:
        raise ValueError(f"{block.id}: its body is not found exactly once; update it by hand")
    path.write_text(page.replace(old, indented(text)), encoding="utf-8")
