"""Deprecated: the names of ``azenvcloud.errors`` moved (docs/reference/upgrading.md); removed in 0.3."""

from ._migration import moved_name


def __getattr__(name: str) -> object:
    return moved_name(__name__, name)
