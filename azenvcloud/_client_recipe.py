"""What a client recipe is: the questions every recipe answers (:class:`ClientRecipe`), and a
client class's kind, sync or async, which decides the getter it belongs to (Azure SDKs keep their
async clients in ``aio`` packages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ._settings import Settings

__all__ = ["ClientRecipe", "is_async", "refuse_other_kind"]

ClientT = TypeVar("ClientT")


class ClientRecipe(Protocol):
    """What every recipe answers, management, data-plane and Graph alike: the getters ask these
    questions and never which kind of recipe they hold."""

    def is_async(self, client_class: type[Any]) -> bool:
        """Whether ``client_class`` is an async client (for ``azenvcloud.aio``)."""

    def build(
        self,
        client_class: type[ClientT],
        *,
        subscription_id: str | None,
        kwargs: dict[str, Any],
        settings: Settings,
        credential: Any,
        asynchronous: bool,
    ) -> ClientT:
        """``client_class`` for the resolved cloud (``settings``) and the caller's arguments.

        Raises:
            ConfigurationError: The configuration cannot build it (naming the variable).
            TypeError: An argument azenvcloud owns was passed, or one the class does not take.
        """

    def first_request_scopes(self, settings: Settings) -> tuple[str, ...] | None:
        """The scopes the client's first request asks a token for, where known (what a prefetch
        may ask for in advance), else ``None``."""

    async def aclose(self, client: Any) -> None:
        """Close an async client built from this recipe."""


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
