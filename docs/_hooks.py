"""MkDocs hook: links from a page to a file of the repository outside docs/ (SECURITY.md,
ARCHITECTURE.md, .env.example, tests/...).

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
from pathlib import Path
from typing import Any

import markdown
from mkdocs.exceptions import PluginError

_LINK = re.compile(r"\]\((?P<target>(?:\.\./)+[^)#\s]+)(?P<anchor>#[^)\s]*)?\)")
_SCHEME = "repository-file:"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
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
