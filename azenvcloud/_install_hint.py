"""What to install for a missing optional dependency, in words that work without a package index
that carries azenvcloud: the extra's own packages, or the extra of a local checkout by path."""

from __future__ import annotations

import importlib.metadata
import re
import shlex

__all__ = ["extra_packages", "install_hint"]

_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def extra_packages(extra: str) -> list[str]:
    """The requirements azenvcloud's installed metadata lists for ``extra`` (``aiohttp>=3.9``)."""
    try:
        requirements = importlib.metadata.requires("azenvcloud") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    found = []
    for requirement in requirements:
        requirement_text, _, marker = requirement.partition(";")
        match = _EXTRA_MARKER.search(marker)
        if match is not None and match.group(1) == extra:
            found.append(requirement_text.strip())
    return found


def install_hint(extra: str) -> str:
    """``pip install 'aiohttp>=3.9'`` (the ``[aio]`` extra's packages), the path form, and the
    index form, in one sentence."""
    packages = extra_packages(extra)
    path_form = f"pip install '/path/to/azenvcloud[{extra}]' (the folder of an azenvcloud checkout)"
    if not packages:
        return f"{path_form}, or pip install 'azenvcloud[{extra}]' from an index that has azenvcloud"
    command = "pip install " + " ".join(shlex.quote(package) for package in packages)
    return f"{command} (the [{extra}] extra's packages), or {path_form}"
