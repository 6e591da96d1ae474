"""App Configuration (azure-appconfiguration): ``https://{store}.{App Configuration suffix}``, with
the audience passed as ``audience=``; the SDK would otherwise infer one from the host and give a
private host the public audience (azure-appconfiguration ``_audience.py``).

The fake cloud answers a store's key-values where the SDK and azure-appconfiguration-provider's
``load()`` look (data plane REST API, learn.microsoft.com/azure/azure-app-configuration/rest-api-key-value):
``GET /kv`` with a key filter and a label filter (exact, ``prefix*``, up to five separated by
commas; ``\\0`` is "no label"), in pages of 100 (``@nextLink``), and a snapshot's
(``GET /snapshots/{name}``, ``GET /kv?snapshot=``). A Key Vault reference is a key-value of
content type ``application/vnd.microsoft.appconfig.keyvaultref+json`` holding ``{"uri": ...}``.
The token's scope must be the store's cloud's App Configuration audience; a store never set
answers no key-values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ._fake import Answer, FakeRequest, FakeRoute, unauthorized
from ._recipe import Recipe

__all__ = ["FAKE_ROUTES", "RECIPES", "KeyVaultReference", "StoreValue", "keep_store"]

RECIPES = {
    "azure.appconfiguration.AzureAppConfigurationClient": Recipe(
        service="appconfig",
        url_argument="base_url",
        name_argument="store",
        audience="audience",
        audience_suffix="/",  # azure-appconfiguration appends ".default" to the audience as it is
        prefetch=True,
    ),
}

KEY_VAULT_REFERENCE = "application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8"
"""A Key Vault reference's content type (azure-appconfiguration ``SecretReferenceConfigurationSetting``)."""
_JSON = "application/json"
_PERMISSIONS = frozenset({"read"})
_KEPT = "appconfig:"  # the fake's data-plane store: one entry per store, its key-values as JSON
_PAGE = 100  # App Configuration's page of key-values
_LAST_MODIFIED = "2026-01-01T00:00:00+00:00"
_MAX_FILTERS = 5  # "up to 5 key filters" (REST API, Filtering)


@dataclass(frozen=True)
class KeyVaultReference:
    """A key-value of a fake store that refers to a Key Vault secret, as the portal makes one.

    Attributes:
        uri: The secret's URL: ``https://kv1.vault.usgovcloudapi.net/secrets/db-password`` (a
            version may follow the name).
    """

    uri: str


StoreValue = str | KeyVaultReference | dict[str, Any] | list[Any]
"""What a fake store holds under a key: text, a Key Vault reference, or JSON (a ``dict`` or
``list``, stored with content type ``application/json``, as the provider then gives it)."""


def _setting(key: str, label: str | None, value: StoreValue) -> dict[str, Any]:
    if isinstance(value, KeyVaultReference):
        text, content_type = json.dumps({"uri": value.uri}), KEY_VAULT_REFERENCE
    elif isinstance(value, (dict, list)):
        text, content_type = json.dumps(value), _JSON
    elif isinstance(value, str):
        text, content_type = value, None
    else:
        raise TypeError(
            f"the value of {key!r} is a {type(value).__name__}; a store holds text, a KeyVaultReference, "
            "or JSON (a dict or a list)"
        )
    etag = hashlib.sha256(f"{key}\0{label}\0{text}".encode()).hexdigest()[:32]
    return {
        "key": key,
        "label": label,
        "content_type": content_type,
        "value": text,
        "tags": {},
        "locked": False,
        "last_modified": _LAST_MODIFIED,
        "etag": etag,
    }


def keep_store(
    kept: MutableMapping[str, bytes],
    store: str,
    values: Mapping[str, StoreValue],
    *,
    labels: Mapping[str, Mapping[str, StoreValue]] | None = None,
    snapshots: Mapping[str, Mapping[str, StoreValue]] | None = None,
    permissions: Iterable[str] = ("read",),
) -> None:
    """Give the fake's store ``store`` exactly these key-values (``FakeCloud.set_store``).

    ``store`` is a store's name (``cfg1``: that store under any cloud's App Configuration
    suffix) or host (``cfg1.azconfig.azure.us``: that host only); ``values`` are its key-values
    without a label, ``labels`` those of each label, ``snapshots`` each snapshot's (of
    composition type ``key``); ``permissions`` is what every identity may do there (``read``;
    none: every request is a 403).

    Raises:
        ValueError: An empty key, a label or snapshot name that is empty, or an unknown permission.
        TypeError: A value that is neither text, a :class:`KeyVaultReference`, nor JSON.
    """
    allowed = set(permissions)
    if not allowed <= _PERMISSIONS:
        raise ValueError(
            f"unknown permissions {sorted(allowed - _PERMISSIONS)}; known: {sorted(_PERMISSIONS)}"
        )
    groups: list[tuple[str | None, Mapping[str, StoreValue]]] = [(None, values), *(labels or {}).items()]
    for label, group in groups:
        if label == "" or any(not key for key in group):
            raise ValueError("a key and a label are never empty (a key-value without a label: values=)")
    if any(not name for name in snapshots or {}):
        raise ValueError("a snapshot's name is never empty")
    state = {
        "settings": [_setting(key, label, value) for label, group in groups for key, value in group.items()],
        "snapshots": {
            name: [_setting(key, None, value) for key, value in group.items()]
            for name, group in (snapshots or {}).items()
        },
        "permissions": sorted(allowed),
    }
    kept[_KEPT + store.lower().rstrip(".")] = json.dumps(state).encode()


def _store_of(kept: MutableMapping[str, bytes], host: str) -> dict[str, Any]:
    """The store set for ``host`` (by its host, else by its name), or an empty one."""
    for key in (_KEPT + host, _KEPT + host.split(".", 1)[0]):
        raw = kept.get(key)
        if raw is not None:
            state: dict[str, Any] = json.loads(raw)
            return state
    return {"settings": [], "snapshots": {}, "permissions": sorted(_PERMISSIONS)}


def store_audience(host: str) -> str:
    """The audience a store's host accepts tokens for: its built-in cloud's sourced App
    Configuration audience, or (a private cloud's store) ``https://`` and the host from its
    ``appconfig``/``azconfig`` label onward."""
    from .._clouds import BUILTIN_CLOUDS
    from .._services import suffixes_of

    for cloud in BUILTIN_CLOUDS.values():
        service = cloud.services["appconfig"]
        if service.audience and any(host.endswith(f".{suffix}") for suffix in suffixes_of(service)):
            return service.audience.rstrip("/")
    return "https://" + host.split(".", 1)[1]


def _problem(status: int, title: str, detail: str, kind: str) -> Answer:
    """An error as App Configuration answers it (``application/problem+json``)."""
    body = {"type": f"https://azconfig.io/errors/{kind}", "title": title, "detail": detail, "status": status}
    return status, json.dumps(body).encode(), {"Content-Type": "application/problem+json; charset=utf-8"}


def _split(text: str) -> list[str]:
    """A filter's parts: separated by unescaped commas, escapes (``\\,``, ``\\*``) kept."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return parts


def _unescaped(text: str) -> str:
    return text.replace("\\*", "*").replace("\\,", ",").replace("\\\\", "\\")


def _matches(pattern: str, value: str | None, *, label: bool) -> bool:
    """Whether one part of a filter selects ``value`` (``None``: no label)."""
    if label and pattern in ("\0", "\\0"):
        return value is None
    if pattern == "*":
        return True
    if value is None:
        return False
    if pattern.endswith("*") and not pattern.endswith("\\*"):
        return value.startswith(_unescaped(pattern[:-1]))
    return value == _unescaped(pattern)


def _selected(setting: dict[str, Any], key_filter: str | None, label_filter: str | None) -> bool:
    keys = _split(key_filter) if key_filter is not None else ["*"]
    labels = _split(label_filter) if label_filter is not None else ["*"]
    return any(_matches(part, setting["key"], label=False) for part in keys) and any(
        _matches(part, setting["label"], label=True) for part in labels
    )


def _page(request: FakeRequest, settings: list[dict[str, Any]]) -> Answer:
    """One page of ``settings``, with the link to the next one (``after`` is the fake's own index)."""
    start = int(request.query.get("after") or 0)
    page = settings[start : start + _PAGE]
    body: dict[str, Any] = {"items": page}
    following = start + _PAGE
    if following < len(settings):
        query = {name: value for name, value in request.query.items() if name != "after"}
        body["@nextLink"] = f"/kv?{urlencode({**query, 'after': str(following)})}"
    etag = hashlib.sha256(json.dumps(page).encode()).hexdigest()[:32]
    kvset = "application/vnd.microsoft.appconfig.kvset+json; charset=utf-8"
    headers = {"Content-Type": kvset, "ETag": f'"{etag}"'}
    return 200, json.dumps(body).encode(), headers


def _key_values(request: FakeRequest, state: dict[str, Any]) -> Answer:
    snapshot = request.query.get("snapshot")
    if snapshot is not None:
        if snapshot not in state["snapshots"]:
            return _problem(404, "Snapshot not found", f"No snapshot named {snapshot!r}.", "not-found")
        return _page(request, state["snapshots"][snapshot])
    key_filter, label_filter = request.query.get("key"), request.query.get("label")
    if any(len(_split(f)) > _MAX_FILTERS for f in (key_filter, label_filter) if f is not None):
        return _problem(400, "Invalid request parameter", "At most 5 filters of each kind.", "invalid")
    if "tags" in request.query:
        return _problem(400, "Not supported by the fake", "The fake store does not filter by tags.", "fake")
    ordered = sorted(state["settings"], key=lambda s: (s["key"], s["label"] or ""))
    return _page(request, [s for s in ordered if _selected(s, key_filter, label_filter)])


def _snapshot(request: FakeRequest, name: str, state: dict[str, Any]) -> Answer:
    settings = state["snapshots"].get(name)
    if settings is None:
        return _problem(404, "Snapshot not found", f"No snapshot named {name!r}.", "not-found")
    body = {
        "name": name,
        "status": "ready",
        "filters": [{"key": "*"}],
        "composition_type": "key",
        "created": _LAST_MODIFIED,
        "items_count": len(settings),
        "size": len(json.dumps(settings)),
        "retention_period": 2592000,
        "tags": {},
        "etag": hashlib.sha256(name.encode()).hexdigest()[:32],
    }
    headers = {"Content-Type": "application/vnd.microsoft.appconfig.snapshot+json; charset=utf-8"}
    return 200, json.dumps(body).encode(), headers


def _store(request: FakeRequest) -> Answer:
    """A store's key-values and snapshots, to a token for its cloud's App Configuration audience."""
    audience = store_audience(request.host)
    if request.scope != f"{audience}/.default":
        return unauthorized(f"a token for {audience}/")
    state = _store_of(request.kept, request.host)
    if "read" not in state["permissions"]:
        return _problem(
            403,
            "Forbidden",
            f"The caller (client ID {request.client_id}) has no data role on this store that allows reading "
            "key-values.",
            "forbidden",
        )
    if request.method != "GET":
        return _problem(405, "Method not allowed", "The fake store is read-only.", "fake")
    segments = [segment for segment in request.path.split("/") if segment]
    if segments == ["kv"]:
        return _key_values(request, state)
    return _snapshot(request, segments[1], state)


def _is_store_request(host: str, path: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) > 2
        and labels[1] in ("azconfig", "appconfig")
        and (path.rstrip("/") == "/kv" or (path.startswith("/snapshots/") and path.count("/") == 2))
    )


FAKE_ROUTES = (FakeRoute(service="appconfig", matches=_is_store_request, answer=_store),)
