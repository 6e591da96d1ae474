"""The async ``DefaultAzureCredential`` azenvcloud hands out: azure-identity's, single-flight per
event loop, with the token store, pickled as :mod:`azenvcloud._default_credential` says.

Imported only when an async credential is built: it imports azure-identity's ``aio`` package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azure.identity import aio

from ._default_credential import PicklesLikeAzureIdentity
from ._failure_hints import hints_for
from ._single_flight import AsyncFlights, flight_key

if TYPE_CHECKING:
    from ._token_store import TokenStore

__all__ = ["DefaultAzureCredential"]

_Base: Any = aio.DefaultAzureCredential


class DefaultAzureCredential(PicklesLikeAzureIdentity, _Base):  # type: ignore[misc]
    __doc__ = _Base.__doc__
    _azenvcloud_flights: AsyncFlights

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._azenvcloud_flights = AsyncFlights()
        self._azenvcloud_tokens: TokenStore | None = None  # set by credentials._build
        self._azenvcloud_signs_in: tuple[str, str] | None = None  # set by credentials._build

    def _azenvcloud_new_flights(self) -> AsyncFlights:
        return AsyncFlights()

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        key = flight_key("get_token", scopes, kwargs)
        return await self._azenvcloud_flights.run(
            key,
            lambda: self._azenvcloud_stored(
                "get_token",
                scopes,
                kwargs,
                lambda: super(DefaultAzureCredential, self).get_token(*scopes, **kwargs),
            ),
        )

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        asked = dict(options or {})
        key = flight_key("get_token_info", scopes, asked)
        return await self._azenvcloud_flights.run(
            key,
            lambda: self._azenvcloud_stored(
                "get_token_info",
                scopes,
                asked,
                lambda: super(DefaultAzureCredential, self).get_token_info(*scopes, options=options),
            ),
        )

    def _azenvcloud_prefetch(self, *scopes: str) -> bool:
        # As the sync one; a task of the running loop.
        key = flight_key("get_token_info", scopes, {})
        return self._azenvcloud_flights.prefetch(
            key,
            lambda: self._azenvcloud_stored(
                "get_token_info",
                scopes,
                {},
                lambda: super(DefaultAzureCredential, self).get_token_info(*scopes),
            ),
        )

    async def _azenvcloud_stored(
        self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Any
    ) -> Any:
        tokens = self._azenvcloud_tokens
        with hints_for(self, scopes):  # as the sync one
            if tokens is None:
                return await call()
            return await tokens.afetch(method, scopes, options, call)

    async def close(self) -> None:  # __aexit__ calls it too
        self._azenvcloud_flights.close()
        await super().close()
