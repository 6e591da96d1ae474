"""Sync or async: the getter a client class belongs to (Azure SDKs keep async clients in ``aio``)."""

from __future__ import annotations

from typing import Any

__all__ = ["is_async", "refuse_other_kind"]


def refuse_other_kind(
    client_class: type[Any], asynchronous: bool, *, class_is_async: bool | None = None
) -> None:
    """Refuse an async client class given to a sync getter, or the other way round (the class's
    kind: ``class_is_async`` where its recipe knows it, else its module's :func:`is_async`)."""
    if (is_async(client_class) if class_is_async is None else class_is_async) != asynchronous:
        right, wrong = (
            ("azenvcloud.aio.get_client", "an async")
            if not asynchronous
            else ("azenvcloud.get_client", "a sync")
        )
        raise TypeError(
            f"{client_class.__module__}.{client_class.__qualname__} is {wrong.split()[1]} client class; "
            f"build it with {right} (this getter builds {'async' if asynchronous else 'sync'} clients, "
            f"from {'the aio modules' if asynchronous else 'the packages themselves, not their aio modules'})"
        )


def is_async(client_class: type[Any]) -> bool:
    """Whether ``client_class`` is an async client: Azure SDKs keep theirs in an ``aio`` package
    (``azure.mgmt.compute.aio``)."""
    return "aio" in client_class.__module__.split(".")
