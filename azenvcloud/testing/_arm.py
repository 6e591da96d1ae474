"""The fake cloud as Resource Manager: its metadata endpoint (and the documents it can answer with),
the subscription, tenant and resource-group listings, the paths a test serves, and the token check
in front of them (a token the fake issued, for a scope it accepts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import FakeCloud
    from ._server import RecordedRequest

__all__ = [
    "answer",
    "authorized",
    "metadata_2015",
    "metadata_2019",
    "metadata_2022",
    "metadata_azure_stack_adfs",
    "served",
]


def answer(
    fake: FakeCloud,
    method: str,
    path: str,
    *,
    query: dict[str, str],
    bearer: str | None,
    base: str,
    host: str | None = None,
) -> tuple[int, Any] | None:
    """What Resource Manager answers for a request at ``base`` (``host``), or ``None`` when the
    path is none of its."""
    segments = [segment for segment in path.split("/") if segment]
    if method == "GET" and path == "/metadata/endpoints":
        with fake._state.lock:
            document = fake._state.metadata.get(query.get("api-version", ""))
        if document is None:
            return 404, {"error": {"code": "NoRegisteredProviderFound", "message": "unsupported api-version"}}
        return 200, document(base) if callable(document) else document
    if method == "GET" and segments[:1] == ["subscriptions"]:
        return _listings(fake, segments, bearer, host)
    if method == "GET" and segments == ["tenants"]:
        return authorized(
            fake, bearer, lambda: {"value": [{"tenantId": _tenant_of(fake, bearer)}]}, host=host
        )
    return None


def authorized(
    fake: FakeCloud, bearer: str | None, payload: Callable[[], Any], *, host: str | None = None
) -> tuple[int, Any]:
    """``payload()`` for a token the fake issued for an accepted scope, else Resource Manager's 401.
    At the Resource Manager ``host`` of a cloud the fake acts as for a configuration
    (:meth:`FakeCloud.as_clouds`), only that cloud's scope is accepted."""
    from ._configurations import accepted_at

    with fake._state.lock:
        scope = fake._state.tokens.get(bearer or "")
        accepted = fake._state.accepted_scopes
        if host is not None:
            accepted = accepted_at(fake, host) or accepted
    if scope is None:
        return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token the fake issued"}}
    if accepted is not None and scope not in accepted:
        return 401, {
            "error": {
                "code": "InvalidAuthenticationTokenAudience",
                "message": f"the token was issued for {scope!r}, not for this Resource Manager",
            }
        }
    return 200, payload()


def _tenant_of(fake: FakeCloud, bearer: str | None) -> str:
    """The tenant the presented token was issued in (a configuration's own), else the fake's."""
    with fake._state.lock:
        _, tenant, configuration = fake._state.issued_to.get(bearer or "", (None, None, None))
    return tenant if configuration not in (None, "default") and tenant else fake.tenant_id


def _listings(fake: FakeCloud, segments: list[str], bearer: str | None, host: str | None) -> tuple[int, Any]:
    if segments == ["subscriptions"]:
        return authorized(
            fake,
            bearer,
            lambda: {
                "value": [
                    {
                        "id": f"/subscriptions/{subscription}",
                        "subscriptionId": subscription,
                        "tenantId": _tenant_of(fake, bearer),
                        "displayName": f"Fake subscription {index}",
                        "state": "Enabled",
                    }
                    for index, subscription in enumerate(fake.subscriptions, start=1)
                ]
            },
            host=host,
        )
    if len(segments) == 3 and segments[2].lower() == "resourcegroups" and segments[1] in fake.subscriptions:
        subscription = segments[1]
        return authorized(
            fake,
            bearer,
            lambda: {
                "value": [
                    {
                        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
                        "name": name,
                        "type": "Microsoft.Resources/resourceGroups",
                        "location": "fakeregion",
                        "properties": {"provisioningState": "Succeeded"},
                    }
                    for name in fake.resource_groups
                ]
            },
            host=host,
        )
    if len(segments) >= 2 and segments[1] not in fake.subscriptions:
        return 404, {"error": {"code": "SubscriptionNotFound", "message": f"no subscription {segments[1]}"}}
    return 404, {
        "error": {
            "code": "NotFound",
            "message": f"the fake cloud serves no GET /{'/'.join(segments)}; serve it with FakeCloud.serve()",
        }
    }


def served(fake: FakeCloud, request: RecordedRequest) -> tuple[int, Any] | None:
    """The answer to a path a test serves (:meth:`FakeCloud.serve`), or ``None``."""
    with fake._state.lock:
        ours = next(
            (
                value
                for (method, path), value in fake._state.served.items()
                if method == request.method
                and (request.path == path or (path.endswith("/") and request.path.startswith(path)))
            ),
            None,
        )
    if ours is None:
        return None
    status, payload = authorized(
        fake, request.bearer, lambda: ours(request) if callable(ours) else ours, host=request.host
    )
    if status == 200 and isinstance(payload, tuple):
        return payload  # (status, JSON) from the user's callable
    return status, payload


def metadata_2022(fake: FakeCloud, base: str) -> dict[str, Any]:
    """A 2022-09-01 metadata object describing this fake, as public Azure answers."""
    return {
        "name": "FakeCloud",
        "portal": f"{base}/portal",
        "authentication": {
            "loginEndpoint": base,
            "audiences": [fake.audience, base],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "resourceManager": f"{base}/",
        "microsoftGraphResourceId": f"{base}/graph/",
        "suffixes": {"keyVaultDns": "vault.fake.azenvcloud.test", "storage": "core.fake.azenvcloud.test"},
    }


def metadata_2019(fake: FakeCloud, base: str) -> list[dict[str, Any]]:
    """A 2019-05-01 metadata array: this fake among other clouds."""
    other = {
        "name": "OtherCloud",
        "authentication": {
            "loginEndpoint": "https://login.other.example/",
            "audiences": ["https://other/"],
        },
        "resourceManager": "https://management.other.example/",
    }
    return [other, metadata_2022(fake, base)]


def metadata_2015(fake: FakeCloud, base: str) -> dict[str, Any]:
    """A 2015-01-01 metadata object: authentication, graph, gallery and portal only."""
    return {
        "galleryEndpoint": f"{base}/gallery/",
        "graphEndpoint": "https://graph.windows.net/",
        "portalEndpoint": f"{base}/portal/",
        "authentication": {"loginEndpoint": f"{base}/", "audiences": [fake.audience]},
    }


def metadata_azure_stack_adfs(fake: FakeCloud, base: str) -> list[dict[str, Any]]:
    """An Azure Stack Hub ADFS stamp's 2022-09-01 answer: an array, ``/adfs`` login, no ARM."""
    return [
        {
            "name": "AzureStackCloud",
            "portal": f"{base}/portal",
            "authentication": {
                "loginEndpoint": f"{base}/adfs/",
                "audiences": [f"{fake.audience}{fake.tenant_id}"],
                "tenant": "adfs",
                "identityProvider": "ADFS",
            },
            "graph": f"{base}/graph/",
            "suffixes": {
                "keyVaultDns": "vault.local.azurestack.external",
                "storage": "local.azurestack.external",
            },
        }
    ]
