"""What azenvcloud's settings sources share: the configuration they read with (one seam), their
shape (pydantic-settings' Key Vault source, its values read when the source is called), the
warning for a class that would print a secret, and what a vault's refusal says.

``KeyVaultSettingsSource`` and ``AppConfigurationSettingsSource`` take everything from "the
configuration" through :func:`source_configuration`: its settings, its clients, its credential,
its URL checks: the default configuration's getters, or a named configuration's (a source's
``configuration="gov"``), whose errors name its own variables (:func:`its_variables`).
"""

from __future__ import annotations

import json
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic_settings import AzureKeyVaultSettingsSource

from ._clients import check_service_url, get_client, get_credential, service_url
from ._errors import ConfigurationError
from ._fork import renew_locks
from ._settings import get_settings
from ._settings_fields import merged, missing_fields

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError
    from pydantic_settings import BaseSettings

    from ._secret_names import SecretNaming
    from ._settings import Settings

__all__ = [
    "ReadWhenCalled",
    "SourceConfiguration",
    "ValuesReadLater",
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


def source_configuration(configuration: str | None = None) -> SourceConfiguration:
    """The configuration a source (or telemetry) reads with: the default one for ``None``, else
    the named configuration ``configuration`` (``azenvcloud.configuration("gov")``'s getters, each
    error naming its own variables: ``GOV_AZURE_SERVICE_KEYVAULT_SUFFIX``).

    Raises:
        ConfigurationError: ``configuration`` is not declared (as ``azenvcloud.configuration()``).
    """
    if configuration is None:
        return SourceConfiguration(get_settings, get_client, get_credential, service_url, check_service_url)
    from ._configuration import configuration as named  # same layer: on first use

    found = named(configuration)
    return SourceConfiguration(
        found.get_settings, found.get_client, found.get_credential, found.service_url, found.check_service_url
    )


# -- the sources' shape ---------------------------------------------------------------------------


class ValuesReadLater(Mapping[str, "str | None"]):
    """A source's values, read on first lookup, filed and looked up as pydantic-settings'
    ``AzureKeyVaultMapping`` does; its ``repr`` shows names, never a value."""

    kind: ClassVar[str] = "values"
    pending: ClassVar[str] = "not read yet"

    def __init__(self, read: Callable[[], Mapping[str, str | None]], naming: SecretNaming) -> None:
        self._read = read
        self._values: Mapping[str, str | None] | None = None
        self._naming = naming

    def read(self) -> Mapping[str, str | None]:
        """The values, read now if they were not yet."""
        if self._values is None:
            self._values = self._read()
        return self._values

    def __getitem__(self, key: str) -> str | None:
        try:
            return self.read()[self._naming.lookup(key)]
        except KeyError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.read())

    def __len__(self) -> int:
        return len(self.read())

    def __repr__(self) -> str:  # names only: never a value
        if self._values is None:
            return f"<{self.kind}: {self.pending}>"
        return f"<{len(self._values)} {self.kind}: {', '.join(sorted(self._values))}>"


class ReadWhenCalled(AzureKeyVaultSettingsSource):
    """pydantic-settings' Key Vault source (its names, options and nested values) over
    :class:`ValuesReadLater` that a subclass reads when the source is called, once the sources
    before it have given their values; a required field nothing fills is the subclass's
    ``ConfigurationError`` (:meth:`_required_missing`).

    A source sees only the sources before it. When one ``BaseSettings()`` builds several of
    these (a vault and a store), the last of them to be called says which required fields none
    filled; the others leave it to that one, so that each may fill fields the other does not.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._build = _building()
        if self._build is not None:
            with _pending_lock:
                _pending.add(self)

    def __call__(self) -> dict[str, Any]:
        """The values this source gives; a required field that neither an earlier source nor
        this one fills is a ``ConfigurationError`` naming what was looked for."""
        with _pending_lock:
            _pending.discard(self)
            later = self._build is not None and any(
                other._build == self._build and other.settings_cls is self.settings_cls for other in _pending
            )
        if isinstance(self.env_vars, ValuesReadLater):
            self.env_vars.read()  # here: pydantic-settings would wrap its errors in its own
        data = super().__call__()
        if later:  # a source of the same build, still to be called, may fill what is missing here
            return data
        missing = missing_fields(
            self.settings_cls, merged(self.current_state, data), "", bool(self.case_sensitive)
        )
        if missing:
            raise self._required_missing(missing)
        return data

    def _required_missing(self, missing: list[str]) -> ConfigurationError:
        """The error for required fields (dotted paths) nothing filled."""
        raise NotImplementedError


# Sources built by a BaseSettings() call that is under way and not called yet, with that call.
_pending: weakref.WeakSet[ReadWhenCalled] = weakref.WeakSet()
_pending_lock = threading.Lock()
renew_locks(globals(), "_pending_lock")
_FRAMES = 64  # how far up the stack a source looks for the BaseSettings() building it


def _building() -> int | None:
    """The ``BaseSettings.__init__`` under way on this thread that is building sources (the id
    of its frame, alive until every source it built is called), or ``None`` (a source made and
    called by hand)."""
    from pydantic_settings import BaseSettings

    code = BaseSettings.__init__.__code__
    frame = sys._getframe(1)
    for _ in range(_FRAMES):
        if frame.f_code is code:
            return id(frame)
        if frame.f_back is None:
            return None
        frame = frame.f_back
    return None


# -- a class that would print a secret -----------------------------------------------------------

_warned: weakref.WeakSet[type] = weakref.WeakSet()
_warned_lock = threading.Lock()
renew_locks(globals(), "_warned_lock")


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
