"""MkDocs hook: the generated parts of pages, and links from a page to a file of the repository
outside docs/ (SECURITY.md, ARCHITECTURE.md, .env.example, tests/...).

A page asks for a generated part with a comment, ``<!-- generated: variables -->``: the tables of
docs/reference/variables.md come from the variables' declarations (azenvcloud/_variables.py), so
the reference cannot drift from the code (:func:`generated`; an unknown name fails the build).

Pages write them as paths relative to the page (``../../SECURITY.md``), which is right where the
Markdown is read in the repository. MkDocs would report them as missing documentation pages, so
this hook checks them itself (the file must exist) and then points them at the repository:
``repo_url``'s copy when mkdocs.yml sets one, else a copy of the file that the build puts into
the site (``repository/SECURITY.md.html``: Markdown rendered, other files as text), so that the
link works wherever the site is served or opened (``mkdocs serve``, a copied folder, file://).
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

import markdown
from mkdocs.exceptions import PluginError

from azenvcloud import SERVICE_NAMES
from azenvcloud import _variables as declared  # the installed package: the site documents it
from azenvcloud._secret_values import SECRET_VARIABLES

_LINK = re.compile(r"\]\((?P<target>(?:\.\./)+[^)#\s]+)(?P<anchor>#[^)\s]*)?\)")
_SCHEME = "repository-file:"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    try:
        markdown = generated(markdown)
    except KeyError as exc:
        raise PluginError(f"{page.file.src_uri}: no generated part is called {exc}") from None
    docs = Path(config["docs_dir"]).resolve()
    root = docs.parent
    source = Path(page.file.abs_src_path).resolve().parent

    def rewrite(match: re.Match[str]) -> str:
        target = (source / match["target"]).resolve()
        if target.is_relative_to(docs):
            return match[0]  # a page of the site: MkDocs checks it
        if not target.is_relative_to(root):
            raise PluginError(f"{page.file.src_uri}: {match['target']} leaves the repository")
        relative = target.relative_to(root).as_posix()
        if not target.exists():
            raise PluginError(f"{page.file.src_uri}: links to {relative}, which does not exist")
        return f"]({_SCHEME}{relative}{match['anchor'] or ''})"

    return _LINK.sub(rewrite, markdown)


# Docstrings cross-reference in Sphinx's roles (:func:`configure`), which mkdocstrings prints as
# text: keep the name, in code, without the role (and without a leading ~).
_ROLE = re.compile(r":(?:func|mod|class|meth|attr|data|exc|obj):<code>~?([^<]*)</code>")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    html = _ROLE.sub(r"<code>\1</code>", html)
    repo_url = config.get("repo_url")
    site = Path(config["site_dir"]).resolve()
    page_dir = (site / page.file.dest_uri).parent

    def href(match: re.Match[str]) -> str:
        path, anchor = match[1], match[2] or ""
        if repo_url:
            return f'href="{repo_url.rstrip("/")}/blob/main/{path}{anchor}"'
        _linked.add(path)
        to_site = os.path.relpath(site, page_dir).replace(os.sep, "/")
        return f'href="{posixpath.join(to_site, _COPIES, path)}.html{anchor}"'

    return re.sub(rf'href="{_SCHEME}([^"#]*)(#[^"]*)?"', href, html)


# Without repo_url: the repository files that pages link to, copied into the site after the build.
_COPIES = "repository"
_linked: set[str] = set()


def on_pre_build(config: Any) -> None:
    _linked.clear()


def on_post_build(config: Any) -> None:
    """Copy the linked repository files into the site, and the files their own links name."""
    root = Path(config["docs_dir"]).resolve().parent
    site = Path(config["site_dir"]).resolve()
    pending, done = sorted(_linked), set()
    while pending:
        path = pending.pop()
        if path in done:
            continue
        done.add(path)
        text = (root / path).read_text(encoding="utf-8")
        body = (
            markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
            if path.endswith(".md")
            else f"<pre>{html.escape(text)}</pre>"
        )
        target = site / _COPIES / f"{path}.html"

        def relink(match: re.Match[str], path: str = path, target: Path = target) -> str:
            link, anchor = match[1], match[2] or ""
            repository_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
            if repository_path.startswith("docs/") and repository_path.endswith(".md"):
                page = repository_path.removeprefix("docs/").removesuffix(".md")
                destination = site / ("" if page == "index" else page.removesuffix("/index"))
                to = os.path.relpath(destination, target.parent).replace(os.sep, "/") + "/"
                return f'href="{to}{anchor}"'
            if (root / repository_path).is_file() and not repository_path.startswith(".."):
                pending.append(repository_path)  # copied too, so that the link works
                to = os.path.relpath(site / _COPIES / repository_path, target.parent).replace(os.sep, "/")
                return f'href="{to}.html{anchor}"'
            return match[0]  # a folder, or outside the repository: as written

        body = re.sub(r'href="(?![a-z]+:|#)([^"#]+)(#[^"]*)?"', relink, body)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(path)}</title></head>'
            f"<body><p><em>{html.escape(path)}, copied from the repository this site was built from."
            f"</em></p>\n{body}\n</body></html>\n",
            encoding="utf-8",
        )


# -- Generated parts: the variables reference, from the declarations -----------------------------

_GENERATED = re.compile(r"<!-- generated: ([a-z-]+) -->")


def generated(markdown: str) -> str:
    """``markdown`` with each ``<!-- generated: NAME -->`` replaced by that part.

    Raises:
        KeyError: No part is called NAME.
    """
    return _GENERATED.sub(lambda match: _PARTS[match[1]](), markdown)


_FROM_IMPLICIT_ENV_FILE = {
    "cloud name": "a built-in cloud's name only",
    "repeat": "only the selected cloud's own value",
    "never": "refused",
    "no destination": "yes",
}


def _trust(variable: Any) -> str:
    """What a value of ``variable`` from the implicit ``./.env`` may do, and why."""
    trust = variable.trust
    if trust.decision == "environment only":
        words = "refused in any `.env` file" if trust.refused_in_env_file else "not read from a `.env` file"
    else:
        words = _FROM_IMPLICIT_ENV_FILE[trust.decision]
    return f"{words} ({trust.reason})"


def _type(annotation: Any) -> str:
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " or ".join(f"`{argument}`" for argument in arguments)
    if origin in (Union, UnionType):
        return " or ".join(_type(argument) for argument in arguments if argument is not NoneType)
    if origin is tuple:
        return f"hosts ({_type(arguments[0])})"
    words = {"str": "text", "bool": "`true` or `false`", "int": "seconds", "Cloud": "a cloud's name"}
    return words.get(annotation.__name__, f"`{annotation.__name__}`")


def _when_unset(variable: Any) -> str:
    if variable.unset is not None:
        return variable.unset
    if variable.derive is not None:
        return "derived from the resolved cloud"
    return "none"


def _scope(variable: Any) -> str:
    """Whether a named configuration (``gov``) reads the variable under its prefix."""
    if variable.scope == "configuration":
        return f"yes: `GOV_{variable.name}`"
    if variable.scope == "default":
        return "no: the default configuration's alone"
    return "no: one for the process"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


_NOT_SETTINGS = {  # the type and unset value of the rows that are no attribute
    "env file": ("a path, or `none`", "`./.env`"),
    "configurations": ("names, comma-separated", "none: the default configuration alone"),
}


def _settings() -> str:
    fields = declared.Fields.model_fields
    return _table(
        (
            "variable",
            "attribute",
            "meaning",
            "type",
            "when unset",
            "from the implicit `./.env`",
            "per configuration",
        ),
        (
            (
                f"`{variable.name}`",
                f"`{variable.field}`" if variable.field else "",
                variable.description,
                _type(fields[variable.field].annotation)
                if variable.field
                else _NOT_SETTINGS[variable.use][0],
                _when_unset(variable) if variable.field else _NOT_SETTINGS[variable.use][1],
                _trust(variable),
                _scope(variable),
            )
            for variable in declared.of_use("setting", "env file", "configurations")
        ),
    )


def _services() -> str:
    table = _table(
        ("variable", "meaning", "from the implicit `./.env`", "per configuration"),
        (
            (f"`{variable.name}`", variable.description, _trust(variable), _scope(variable))
            for variable in declared.of_use("service")
        ),
    )
    services = ", ".join(f"`{name}` ({words})" for name, words in SERVICE_NAMES.items())
    return f"{table}\n\n`<SERVICE>` is one of: {services}."


def _other_tools() -> str:
    return _table(
        ("variable", "whose", "read as", "from the implicit `./.env`", "per configuration"),
        (
            (
                f"`{variable.name}`",
                variable.defined_by,
                variable.description,
                _trust(variable),
                _scope(variable),
            )
            for variable in declared.of_use("alias", "sdk cloud", "ca", "cloud selector", "telemetry")
        ),
    )


def _identity() -> str:
    return _table(
        ("variable", "meaning", "from the implicit `./.env`", "per configuration"),
        (
            (
                f"`{variable.name}`",
                variable.description + (" (never shown)" if variable.name in SECRET_VARIABLES else ""),
                _trust(variable),
                _scope(variable),
            )
            for variable in declared.of_use("identity", "named identity")
        ),
    )


_PARTS: dict[str, Callable[[], str]] = {
    "variables": _settings,
    "service-variables": _services,
    "other-tools-variables": _other_tools,
    "identity-variables": _identity,
}
