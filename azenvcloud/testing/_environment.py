"""The environment of a test or a process: isolated (none of the variables that could steer
azenvcloud or the SDK), or pointed at a fake cloud (its own values, or a built-in cloud's through
the fake as proxy).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._hosts import acting_as
from ._identity import DEFAULT_CLIENT_ID

if TYPE_CHECKING:
    from .._clouds import Cloud
    from . import FakeCloud

__all__ = ["PROXY_VARIABLES", "acting", "environment_of", "is_isolated_variable", "isolated_environment"]

PROXY_VARIABLES: tuple[str, ...] = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
"""The proxy variables :meth:`FakeCloud.environment` sets with ``cloud=``: both spellings, as
each tool reads one or the other (curl the lower-case ones, Python the lower-case first)."""
_NO_PROXY = ("NO_PROXY", "no_proxy")
_LOOPBACK_ONLY = "localhost,127.0.0.1,::1"  # no proxy for loopback; nothing else bypasses the fake
# The variables acting as a cloud changes (and restores): the selection, the endpoints, the cache.
_ACTING = (
    "AZURE_CLOUD",
    "AZURE_AUTHORITY_HOST",
    "AZURE_RESOURCE_MANAGER",
    "AZURE_AUDIENCE",
    "AZENVCLOUD_CACHE_DIR",
)

# Variables that steer azenvcloud, azure-identity, azure-core, the Azure Monitor exporter
# (APPLICATIONINSIGHTS_CONNECTION_STRING is a setting; azenvcloud.telemetry sets its switches) or
# the HTTP stack.
_ISOLATED_PREFIXES = ("AZURE_", "ARM_", "AZENVCLOUD_", "MSI_", "IDENTITY_", "IMDS_", "APPLICATIONINSIGHTS_")
# A named configuration's own variables (GOV_AZURE_CLIENT_SECRET, GOV_AZENVCLOUD_TOKEN_CACHE):
# its name (a letter, then up to 19 letters or digits), then one of ours.
_CONFIGURATION_VARIABLE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,19}_(?:AZURE|AZENVCLOUD)_")
_ISOLATED_NAMES = frozenset(
    {
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    }
)


def is_isolated_variable(name: str) -> bool:
    """Whether an isolated test environment clears ``name`` (it could steer azenvcloud or the SDK,
    or a named configuration: ``GOV_AZURE_CLIENT_SECRET``)."""
    return (
        name.startswith(_ISOLATED_PREFIXES)
        or name in _ISOLATED_NAMES
        or _CONFIGURATION_VARIABLE.match(name) is not None
    )


@contextmanager
def isolated_environment(values: Mapping[str, str]) -> Iterator[None]:
    """While open, ``os.environ`` holds no variable that could steer azenvcloud or the SDK but
    ``values``; azenvcloud is reset on entry and exit, and the environment restored on exit,
    after waiting (up to 30 s) for the token prefetches started inside to land.

    For scripts and tools; in pytest, the ``azenvcloud_env`` fixture does this with ``MonkeyPatch``.
    """
    from .. import reset
    from .._single_flight import wait_for_prefetches

    saved = dict(os.environ)
    for name in [name for name in os.environ if is_isolated_variable(name)]:
        del os.environ[name]
    os.environ.update(values)
    reset()
    try:
        yield
    finally:
        reset()
        wait_for_prefetches(timeout=30)  # none may outlive the environment it was started in
        os.environ.clear()
        os.environ.update(saved)


def environment_of(fake: FakeCloud, *, credential: str, cloud: str | None) -> dict[str, str]:
    """What :meth:`FakeCloud.environment` returns (its docstring says what each variable is for)."""
    if cloud is not None:
        built_in, selector, _ = acting_as(cloud)
        return {
            "AZURE_CLOUD": selector,
            "AZURE_AUTHORITY_HOST": built_in.authority_host,
            **{
                name: value
                for name, value in environment_of(fake, credential=credential, cloud=None).items()
                if name not in {"AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"}
            },
            **dict.fromkeys(PROXY_VARIABLES, fake.proxy_url),
            **dict.fromkeys(_NO_PROXY, _LOOPBACK_ONLY),
        }
    return {
        "AZURE_AUTHORITY_HOST": fake.url,
        "AZURE_RESOURCE_MANAGER": fake.url,
        "AZURE_AUDIENCE": fake.audience,
        "AZURE_SUBSCRIPTION_ID": fake.subscriptions[0],
        "AZURE_TENANT_ID": fake.tenant_id,
        "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AZURE_CLIENT_SECRET": fake.client_secret,
        "AZURE_TOKEN_CREDENTIALS": credential,
        "REQUESTS_CA_BUNDLE": fake.ca_bundle,
        "SSL_CERT_FILE": fake.ca_bundle,
        "AZENVCLOUD_CACHE_DIR": fake.cache_dir,
    }


@contextmanager
def acting(fake: FakeCloud, name: str, *, select: bool) -> Iterator[Cloud]:
    """What :meth:`FakeCloud.as_cloud` does (its docstring says what): this process's environment
    and the fake's routes, scopes and azenvcloud's state, restored on exit."""
    from .. import reset

    cloud, selector, hosts = acting_as(name)
    saved = {variable: os.environ.get(variable) for variable in _ACTING}
    for variable in _ACTING[1:4]:
        os.environ.pop(variable, None)
    if select:
        os.environ["AZURE_CLOUD"] = selector
    if not os.environ.get("AZENVCLOUD_CACHE_DIR"):
        os.environ["AZENVCLOUD_CACHE_DIR"] = fake.cache_dir
    fake.accept_scopes(*cloud.credential_scopes)
    reset()
    try:
        with fake.route_hosts(*hosts):
            yield cloud
    finally:
        reset()
        with fake._state.lock:
            fake._state.accepted_scopes = None  # every scope again
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
