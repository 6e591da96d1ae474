"""The fake cloud as Microsoft Entra ID and ADFS: the OpenID configuration (a tenant known at its
cloud's authority hosts only, when a test says so), instance discovery, the token endpoints
(accepting only the fake's client secret, or a configuration's identity only with its own secret,
at its own cloud's authority and in its tenant), an App Service managed identity endpoint, and who
each request is for (client ID, tenant, configuration); and the fake's own service principal (its
tenant, client ID and secret).
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._builtin_clouds import AUTHORITY_HOSTS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from . import FakeCloud

__all__ = [
    "DEFAULT",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SUBSCRIPTION_ID",
    "DEFAULT_TENANT_ID",
    "FAKE_CLIENT_SECRET",
    "MANAGED_IDENTITY_PATH",
    "answer",
    "attribution",
    "configuration_of",
    "issue",
    "refusal",
]

DEFAULT = "default"
"""The default configuration's name in the request log (the unprefixed variables, the fake's own
service principal); no named configuration may take it."""

DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000fa4e"
"""The tenant of the fake's service principal (``AZURE_TENANT_ID`` in :meth:`FakeCloud.environment`)."""

DEFAULT_CLIENT_ID = "0c0ffee0-0000-4000-8000-000000000001"
"""The client ID of the fake's service principal (``AZURE_CLIENT_ID``): what a token request's
``client_id`` is, in :attr:`FakeCloud.requests`."""

DEFAULT_SUBSCRIPTION_ID = "5b5c41b0-0000-4000-8000-000000000001"
"""The subscription the fake lists (``AZURE_SUBSCRIPTION_ID`` in :meth:`FakeCloud.environment`)."""

FAKE_CLIENT_SECRET = "fake-client-secret-for-the-local-fake-cloud"  # noqa: S105 - fake by design
"""The client secret the fake accepts unless ``fake.client_secret`` says another (any other is
``AADSTS7000215``, as Entra ID answers)."""

MANAGED_IDENTITY_PATH = "/msi/token"
"""Where the fake answers as a managed identity endpoint (``IDENTITY_ENDPOINT``)."""


def answer(
    fake: FakeCloud, method: str, path: str, *, query: dict[str, str], form: dict[str, str], base: str
) -> tuple[int, Any] | None:
    """What the identity side answers for a request at ``base`` (the URL the client asked), or
    ``None`` when the path is none of its."""
    segments = [segment for segment in path.split("/") if segment]
    if method == "GET" and path.endswith("/.well-known/openid-configuration"):
        return _tenant_openid_configuration(fake, base, segments[0])
    if method == "GET" and path.endswith("/discovery/instance"):
        # As Entra ID answers (MSAL reads "metadata" after a failed token request): the
        # authority's aliases, here only itself.
        host = urlsplit(base).netloc
        return 200, {
            "tenant_discovery_endpoint": f"{base}/common/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }
    if method == "POST" and path.endswith("/token"):
        tenant = segments[0] if len(segments) > 1 else None
        return _token(fake, form, tenant, (urlsplit(base).hostname or "").lower())
    if method == "GET" and path == MANAGED_IDENTITY_PATH:
        return _managed_identity_token(fake, query)
    return None


def issue(fake: FakeCloud, scope: str, client_id: str | None = None, tenant: str | None = None) -> str:
    """A new token of the fake's for ``scope``, issued to ``client_id`` in ``tenant`` (for the
    configuration the fake issued ``client_id`` for, if any)."""
    token = f"fake-token-{secrets.token_hex(12)}"
    configuration = configuration_of(fake, client_id)
    with fake._state.lock:
        fake._state.tokens[token] = scope
        fake._state.issued_to[token] = (client_id, tenant, configuration)
    return token


def attribution(
    fake: FakeCloud,
    method: str,
    path: str,
    *,
    query: dict[str, str],
    form: dict[str, str],
    bearer: str | None,
) -> tuple[str | None, str | None, str | None]:
    """Who a request is for: the client ID, tenant and configuration of a token request (the
    tenant is the authority's first path segment: a tenant ID, ``organizations``, ``adfs``), or
    those of the token it presents."""
    if path == MANAGED_IDENTITY_PATH:
        client_id = query.get("client_id")
        return client_id, None, configuration_of(fake, client_id)
    if method == "POST" and path.endswith("/token"):
        segments = [segment for segment in path.split("/") if segment]
        client_id = form.get("client_id")
        return client_id, segments[0] if len(segments) > 1 else None, configuration_of(fake, client_id)
    with fake._state.lock:
        return fake._state.issued_to.get(bearer or "", (None, None, None))


def _tenant_openid_configuration(fake: FakeCloud, base: str, tenant: str) -> tuple[int, Any]:
    """A tenant added with :meth:`add_tenant` is known at its cloud's authority hosts only."""
    with fake._state.lock:
        added = fake._state.tenants.get(tenant.lower())
    host = (urlsplit(base).hostname or "").lower()
    asked_cloud = AUTHORITY_HOSTS.get(host)
    if added is None or asked_cloud is None:
        return 200, _openid_configuration(fake, base, tenant)
    cloud, region_scope = added
    if asked_cloud != cloud:
        return 400, {
            "error": "invalid_tenant",
            "error_description": f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you "
            "have the correct tenant ID and are signing into the correct cloud.",
            "error_codes": [90002],
        }
    document = _openid_configuration(fake, base, tenant)
    document["tenant_region_scope"] = region_scope
    document["cloud_instance_name"] = host.removeprefix("login.")
    return 200, document


def _openid_configuration(fake: FakeCloud, base: str, tenant: str) -> dict[str, Any]:
    if tenant == "adfs":
        prefix = f"{base}/adfs"
        return {
            "issuer": f"{prefix}",
            "authorization_endpoint": f"{prefix}/oauth2/authorize",
            "token_endpoint": f"{prefix}/oauth2/token",
        }
    tenant_id = fake.tenant_id if tenant in {"common", "organizations"} else tenant
    return {
        "issuer": f"{base}/{tenant_id}/v2.0",
        "authorization_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/token",
        "device_authorization_endpoint": f"{base}/{tenant_id}/oauth2/v2.0/devicecode",
        "tenant_region_scope": None,
    }


def _token(fake: FakeCloud, form: dict[str, str], tenant: str | None, host: str) -> tuple[int, Any]:
    refused = refusal(fake, form, tenant, host)  # an identity the fake issued for a configuration
    if refused is not None:
        return refused
    with fake._state.lock:  # its own secret is checked above
        named = form.get("client_id", "").lower() in fake._state.identities
    if "client_secret" in form and not named and form["client_secret"] != fake.client_secret:
        return 401, {
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
        }
    scope = " ".join(part for part in form.get("scope", "").split() if part.endswith("/.default"))
    if not scope:
        return 400, {
            "error": "invalid_scope",
            "error_description": "AADSTS70011: no .default scope requested",
        }
    return 200, {
        "token_type": "Bearer",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": issue(fake, scope, form.get("client_id"), tenant),
    }


def _managed_identity_token(fake: FakeCloud, query: dict[str, str]) -> tuple[int, Any]:
    # An App Service managed identity endpoint (IDENTITY_ENDPOINT, api-version 2019-08-01):
    # azure-identity asks with the resource, not a scope.
    resource = query.get("resource", "")
    if not resource:
        return 400, {"error": "invalid_request", "error_description": "no resource requested"}
    return 200, {
        "access_token": issue(fake, f"{resource}/.default", query.get("client_id")),
        "expires_on": str(int(time.time()) + 3600),
        "resource": resource,
        "token_type": "Bearer",
    }


def configuration_of(fake: FakeCloud, client_id: str | None) -> str | None:
    """The configuration the fake issued ``client_id`` for: a named one's name, ``"default"`` for
    the fake's own service principal, ``None`` for any other (or none)."""
    if client_id is None:
        return None
    if client_id.lower() == DEFAULT_CLIENT_ID:
        return DEFAULT
    with fake._state.lock:
        found = fake._state.identities.get(client_id.lower())
    return None if found is None else found.name


def refusal(
    fake: FakeCloud, form: Mapping[str, str], tenant: str | None, host: str
) -> tuple[int, Any] | None:
    """Entra ID's answer to a token request by an identity the fake issued for a named
    configuration, asked with another secret, in another tenant or at another cloud's authority;
    ``None`` when it may sign in (or is no such identity)."""
    with fake._state.lock:
        identity = fake._state.identities.get(form.get("client_id", "").lower())
    if identity is None:
        return None
    if "client_secret" in form and form["client_secret"] != identity.client_secret:
        return 401, {
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "error_codes": [7000215],
        }
    authority = identity.cloud.authority_host.split("://", 1)[-1].rstrip("/").lower()
    if (tenant or "").lower() != identity.tenant_id or host != authority:
        return 400, {
            "error": "unauthorized_client",
            "error_description": f"AADSTS700016: Application with identifier '{identity.client_id}' was not "
            f"found in the directory '{tenant}'. This can happen if the application has not been installed "
            "by the administrator of the tenant or consented to by any user in the tenant. You may have "
            "sent your authentication request to the wrong tenant.",
            "error_codes": [700016],
        }
    return None
