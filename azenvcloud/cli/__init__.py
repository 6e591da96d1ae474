"""Deprecated: ``azenvcloud.cli`` and its modules moved (docs/reference/upgrading.md); removed in 0.3."""

from .._migration import alias_submodules, moved_name

alias_submodules()


def __getattr__(name: str) -> object:
    return moved_name(__name__, name)
