"""What azenvcloud puts around azure-appconfiguration-provider's ``load()`` so that a store's
answer is said at once and in words: the sign-in first, a store's refusal ending the load, the
``audience`` kept from the transport, and a load that timed out described.

The provider retries every ``AzureError`` until its ``startup_timeout`` (a credential that cannot
sign in, a 403 from a store the identity may not read), then raises a bare ``TimeoutError``. So:

- the token is asked for before ``load()`` (:class:`SignedIn`): a sign-in error is azenvcloud's
  usual one, at once, and the client gets that token rather than asking again;
- a 401 or 403 from the store ends the load (:func:`store_policy` raises :class:`StoreRefused`,
  which the provider does not retry), to become one ``ConfigurationError``;
- azure-appconfiguration-provider 2.5 hands the constructor's ``audience=`` to every request too
  (``_utils.sdk_allowed_kwargs``), and azure-core would pass it on to ``requests``, which refuses
  it (``TypeError``): the same policy takes it off each request.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from azure.core.pipeline.policies import SansIOHTTPPolicy

from ._errors import ConfigurationError, quote_value

if TYPE_CHECKING:
    from azure.core.credentials import AccessTokenInfo
    from azure.core.pipeline import PipelineRequest, PipelineResponse

__all__ = ["SignedIn", "StoreRefused", "store_policy", "timed_out"]

_SPARE = 300  # seconds a token must still be valid to be handed on (azure-core refreshes 300 s early)


class StoreRefused(Exception):
    """A store's 401 or 403: not an ``AzureError``, so that the provider does not retry it."""

    def __init__(self, status: int, reason: str, body: str) -> None:
        super().__init__(status, reason)
        self.status, self.reason = status, reason
        try:
            problem = json.loads(body) if body else {}
        except ValueError:
            problem = {}
        said = problem.get("detail") or problem.get("title") if isinstance(problem, dict) else None
        self.said = str(said) if said else ""

    def configuration_error(self, store: str, audience: str) -> ConfigurationError:
        """The refusal in words: which store, what it said, what would be accepted."""
        answer = f"{self.status} {self.reason}".strip()
        if self.said:
            answer += f": {json.dumps(self.said)}"
        if self.status == 401:
            variable = "AZURE_SERVICE_APPCONFIG_AUDIENCE"
            return ConfigurationError(
                f"App Configuration store {store} refused the token azenvcloud signed in for (audience "
                f"{audience}): {answer}. Accepted: an identity of the store's tenant, and the App "
                f"Configuration audience this cloud's stores accept ({variable} sets it, in the environment "
                "or a named .env file).",
                variables=(variable,),
            )
        return ConfigurationError(
            f"App Configuration store {store} refused to give its key-values to the identity azenvcloud "
            f"signs in with: {answer}. Accepted: give that identity a data role on the store that reads "
            "key-values (App Configuration Data Reader)."
        )


class _StorePolicy(SansIOHTTPPolicy[Any, Any]):
    """Between azure-core's retries and the bearer token policy (``per_retry_policies``)."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context.options.pop("audience", None)  # the constructor's, handed to every request

    def on_response(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> None:
        status = response.http_response.status_code
        if status in (401, 403):  # after the bearer policy's own challenge handling: final
            http = response.http_response
            raise StoreRefused(status, str(getattr(http, "reason", "") or ""), http.text())


def store_policy() -> SansIOHTTPPolicy[Any, Any]:
    """The policy a store's client gets (``per_retry_policies=[store_policy()]``)."""
    return _StorePolicy()


class SignedIn:
    """A credential that hands on one token already obtained (for ``scope``, no options) while it
    is valid, and asks the wrapped credential for anything else."""

    def __init__(self, credential: Any, scope: str, token: AccessTokenInfo) -> None:
        self._credential, self._scope, self._token = credential, scope, token

    @classmethod
    def first(cls, credential: Any, scope: str) -> SignedIn:
        """Sign in for ``scope`` now (errors are the credential's, unchanged), then wrap."""
        return cls(credential, scope, credential.get_token_info(scope))

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        """The token obtained, for its scope and no options while valid; else the credential's."""
        if scopes == (self._scope,) and not options and self._token.expires_on - time.time() > _SPARE:
            return self._token
        return self._credential.get_token_info(*scopes, options=options)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """The credential's ``get_token``."""
        return self._credential.get_token(*scopes, **kwargs)

    def close(self) -> None:
        """Nothing: the credential is the configuration's, shared."""


def timed_out(error: TimeoutError, store: str, timeout: float) -> ConfigurationError:
    """The provider's ``TimeoutError`` (its attempts' errors in ``args[1]``) in words."""
    attempts = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], list) else []
    last = ""
    if attempts:
        text = str(attempts[-1]).strip().splitlines()[0] if str(attempts[-1]).strip() else ""
        last = f"; the last: {type(attempts[-1]).__name__}: {quote_value(text)}"
    return ConfigurationError(
        f"App Configuration store {store} could not be loaded within startup_timeout={timeout:g} s "
        f"({len(attempts)} attempt{'s' if len(attempts) != 1 else ''}{last}). Accepted: a store this process "
        "can reach (its host resolves here, a private endpoint's DNS, the firewall), which answers; the "
        "provider retries until startup_timeout."
    )
