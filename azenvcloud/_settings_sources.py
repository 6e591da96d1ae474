"""What azenvcloud's settings sources share: the configuration they read with (one seam), the
warning for a class that would print a secret, and what a vault's refusal says.

``KeyVaultSettingsSource`` and ``AppConfigurationSettingsSource`` take everything from "the
configuration" through :func:`source_configuration`: its settings, its clients, its credential,
its URL checks. Today that is the default configuration's getters; with named configurations, a
source's ``configuration=`` argument is passed here and this returns that configuration's.
"""

from __future__ import annotations

import json
import threading
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._fork import renew_locks_after_fork
from .clients import get_client, get_credential
from .services import check_service_url, service_url
from .settings import get_settings

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError
    from pydantic_settings import BaseSettings

    from .settings import Settings

__all__ = [
    "SourceConfiguration",
    "absent",
    "described",
    "inner_code",
    "source_configuration",
    "warn_when_inputs_are_shown",
]


@dataclass(frozen=True)
class SourceConfiguration:
    """What a settings source takes from a configuration: the getters every configuration offers."""

    get_settings: Callable[[], Settings]
    get_client: Callable[..., Any]
    get_credential: Callable[[], Any]
    service_url: Callable[[str, str], str]
    check_service_url: Callable[..., str]


def source_configuration() -> SourceConfiguration:
    """The configuration a source reads with: the default one, today. With named
    configurations, a source's ``configuration=None`` argument is passed here and this returns
    that configuration's getters (the default one's for ``None``)."""
    return SourceConfiguration(get_settings, get_client, get_credential, service_url, check_service_url)


# -- a class that would print a secret -----------------------------------------------------------

_warned: weakref.WeakSet[type] = weakref.WeakSet()
_warned_lock = threading.Lock()
renew_locks_after_fork(globals(), "_warned_lock")


def warn_when_inputs_are_shown(settings_cls: type[BaseSettings], reading: str, *, stacklevel: int) -> None:
    """Warn once per class that pydantic's errors would print a secret it could not validate
    (``reading``: what the class reads, "reads Key Vault secrets"); ``stacklevel`` is
    :func:`warnings.warn`'s, counted from this function (3: the caller's caller's frame)."""
    if settings_cls.model_config.get("hide_input_in_errors"):
        return
    with _warned_lock:
        if settings_cls in _warned:
            return
        _warned.add(settings_cls)
    warnings.warn(
        f"{settings_cls.__name__} {reading} but does not set hide_input_in_errors=True: "
        "a secret that fails validation would be printed in pydantic's ValidationError (input_value=...). "
        "Add hide_input_in_errors=True to its model_config (SettingsConfigDict).",
        UserWarning,
        stacklevel=stacklevel,
    )


# -- what a vault's refusal says -------------------------------------------------------------------


def absent(error: HttpResponseError) -> bool:
    """Whether a refusal means the secret is not there for a settings source: not found, or
    disabled (listing, as pydantic-settings does, leaves disabled secrets out)."""
    status = error.status_code
    return status == 404 or (status == 403 and inner_code(error) == "SecretDisabled")


def _service_error(error: HttpResponseError) -> dict[str, Any]:
    try:
        body = json.loads(error.response.text()) if error.response is not None else {}
    except ValueError:
        return {}
    found = body.get("error") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else {}


def inner_code(error: HttpResponseError) -> str | None:
    """The inner error code of a Key Vault answer (``SecretDisabled``, ``AccessDenied``)."""
    inner = _service_error(error).get("innererror")
    return inner.get("code") if isinstance(inner, dict) else None


def described(error: HttpResponseError) -> str:
    """``403 Forbidden (AccessDenied): "<the service's message>"``: the vault's answer, no SDK text."""
    service = _service_error(error)
    codes = ": ".join(str(code) for code in (service.get("code"), inner_code(error)) if code)
    reason = getattr(error.response, "reason", None) or ""
    text = f"{error.status_code} {reason}".strip()
    if codes:
        text += f" ({codes})"
    message = service.get("message")
    return f"{text}: {json.dumps(str(message))}" if message else text
