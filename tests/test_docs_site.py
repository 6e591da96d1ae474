"""The built site's links to repository files outside docs/ (SECURITY.md, ARCHITECTURE.md,
.env.example) work in the site itself: without ``repo_url`` the build copies each linked file in,
so a link never points outside the site folder (which broke under ``mkdocs serve`` and in a
site built anywhere but inside the checkout)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent


def test_every_link_to_a_repository_file_lands_on_a_copy_inside_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
    )
    linked = 0
    for page in site.rglob("index.html"):
        for href in re.findall(r'href="([^"#]+)[^"]*"', page.read_text(encoding="utf-8")):
            if "repository/" not in href or urlparse(href).scheme:
                continue
            target = Path(urlparse(urljoin(page.as_uri(), href)).path)
            assert target.is_relative_to(site), f"{page.relative_to(site)}: {href} leaves the site"
            assert target.is_file(), f"{page.relative_to(site)}: {href} is missing"
            linked += 1
    for copy in (site / "repository").rglob("*.html"):  # their own links: pages or copies too
        for href in re.findall(r'href="([^"#]+)[^"]*"', copy.read_text(encoding="utf-8")):
            if urlparse(href).scheme:
                continue
            target = Path(urlparse(urljoin(copy.as_uri(), href)).path)
            assert (target / "index.html" if href.endswith("/") else target).is_file(), f"{copy}: {href}"
    copy = (site / "repository/SECURITY.md.html").read_text(encoding="utf-8")
    assert "<h1" in copy  # the Markdown rendered, not raw
    assert (ROOT / "SECURITY.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ") in copy
    assert linked >= 3
