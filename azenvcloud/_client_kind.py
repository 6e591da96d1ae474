"""Sync or async: the getter a client class belongs to (Azure SDKs keep async clients in ``aio``)."""

from __future__ import annotations

from typing import Any

__all__ = ["refuse_other_kind"]


def refuse_other_kind(client_class: type[Any], asynchronous: bool) -> None:
    """Refuse an async client class given to a sync getter, or the other way round."""
    if _is_async(client_class) != asynchronous:
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


def _is_async(client_class: type[Any]) -> bool:
    # Azure SDKs keep their async clients in an `aio` package (azure.mgmt.compute.aio).
    return "aio" in client_class.__module__.split(".")
