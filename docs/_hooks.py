"""MkDocs hook: links from a page to a file of the repository outside docs/ (SECURITY.md,
ARCHITECTURE.md, .env.example, tests/...).

Pages write them as paths relative to the page (``../../SECURITY.md``), which is right where the
Markdown is read in the repository. MkDocs would report them as missing documentation pages, so
this hook checks them itself (the file must exist) and then points them at the repository:
``repo_url``'s copy when mkdocs.yml sets one, else the file in the checkout the site was built from.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any

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
    root = Path(config["docs_dir"]).resolve().parent
    page_dir = (site / page.file.dest_uri).parent

    def href(match: re.Match[str]) -> str:
        path = match[1]
        if repo_url:
            return f'href="{repo_url.rstrip("/")}/blob/main/{path}"'
        return 'href="' + posixpath.join(os.path.relpath(root, page_dir).replace(os.sep, "/"), path) + '"'

    return re.sub(rf'href="{_SCHEME}([^"]*)"', href, html)
