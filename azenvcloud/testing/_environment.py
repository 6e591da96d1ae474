"""An isolated environment: none of the variables that could steer azenvcloud or the SDK."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

__all__ = ["is_isolated_variable", "isolated_environment"]

# Variables that steer azenvcloud, azure-identity, azure-core, the Azure Monitor exporter
# (APPLICATIONINSIGHTS_CONNECTION_STRING is a setting; azenvcloud.telemetry sets its switches) or
# the HTTP stack.
_ISOLATED_PREFIXES = ("AZURE_", "ARM_", "AZENVCLOUD_", "MSI_", "IDENTITY_", "IMDS_", "APPLICATIONINSIGHTS_")
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
    """Whether an isolated test environment clears ``name`` (it could steer azenvcloud or the SDK)."""
    return name.startswith(_ISOLATED_PREFIXES) or name in _ISOLATED_NAMES


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
