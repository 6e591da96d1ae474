"""The ``DefaultAzureCredential`` azenvcloud hands out: azure-identity's, single-flight, with the
token store, and pickled as azure-identity pickles its own.

A module-level class (and its async twin in :mod:`azenvcloud._default_credential_aio`), so that
pickle finds it by name. A pickle holds what azure-identity's pickle of its credential holds (its
chain, as azure-identity pickles each member: a client secret included, in clear; MSAL's token
caches excluded) plus the token store's recipe (:class:`azenvcloud._token_store.TokenStore`: no
token, no secret's value); never the flights, a token or the store's contents. The flights, the
store's folder and its tags on the chain are made again on unpickling.

Imported only when a credential is built: it imports azure-identity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azure import identity

from ._failure_hints import hints_for
from ._single_flight import Flights, flight_key
from ._token_store import untagged

if TYPE_CHECKING:
    from ._token_store import TokenStore

__all__ = ["DefaultAzureCredential", "PicklesLikeAzureIdentity"]


class PicklesLikeAzureIdentity:
    """Pickling for azenvcloud's credentials: azure-identity's state, less what is per process."""

    credentials: tuple[Any, ...]
    _azenvcloud_tokens: TokenStore | None

    def _azenvcloud_new_flights(self) -> Any:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_azenvcloud_flights"]  # requests under way, prefetched tokens: this process's
        # The chain without the store's answer tags (closures: this process's, and no pickle's).
        plain = {id(member): untagged(member) for member in self.credentials}
        state["credentials"] = tuple(plain[id(member)] for member in self.credentials)
        succeeded = state.get("_successful_credential")
        if succeeded is not None:
            state["_successful_credential"] = plain.get(id(succeeded), succeeded)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._azenvcloud_flights = self._azenvcloud_new_flights()
        if self._azenvcloud_tokens is not None:
            self._azenvcloud_tokens.attach(self)


_Base: Any = identity.DefaultAzureCredential


class DefaultAzureCredential(PicklesLikeAzureIdentity, _Base):  # type: ignore[misc]
    __doc__ = _Base.__doc__
    _azenvcloud_flights: Flights

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._azenvcloud_flights = Flights()
        self._azenvcloud_tokens: TokenStore | None = None  # set by credentials._build
        self._azenvcloud_signs_in: tuple[str, str] | None = None  # set by credentials._build

    def _azenvcloud_new_flights(self) -> Flights:
        return Flights()

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        key = flight_key("get_token", scopes, kwargs)
        return self._azenvcloud_flights.run(
            key,
            lambda: self._azenvcloud_stored(
                "get_token",
                scopes,
                kwargs,
                lambda: super(DefaultAzureCredential, self).get_token(*scopes, **kwargs),
            ),
        )

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        asked = dict(options or {})
        key = flight_key("get_token_info", scopes, asked)
        return self._azenvcloud_flights.run(
            key,
            lambda: self._azenvcloud_stored(
                "get_token_info",
                scopes,
                asked,
                lambda: super(DefaultAzureCredential, self).get_token_info(*scopes, options=options),
            ),
        )

    def _azenvcloud_prefetch(self, *scopes: str) -> bool:
        # The request azure-core's bearer token policy makes: get_token_info(*scopes, options={}).
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

    def _azenvcloud_stored(
        self, method: str, scopes: tuple[str, ...], options: dict[str, Any], call: Any
    ) -> Any:
        # The token store (azenvcloud._token_store): a stored token, or call()'s, kept.
        tokens = self._azenvcloud_tokens
        with hints_for(self, scopes):  # an Entra error that usually means another cloud's value
            return call() if tokens is None else tokens.fetch(method, scopes, options, call)

    def __exit__(self, *args: Any) -> None:  # close() calls it too
        self._azenvcloud_flights.close()
        super().__exit__(*args)
