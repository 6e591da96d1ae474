"""``import azenvcloud`` is cheap: the Azure SDK is imported only when first needed."""

from __future__ import annotations

import subprocess
import sys


def test_import_loads_no_azure_sdk_module() -> None:
    code = (
        "import sys, azenvcloud; "
        "print(sorted(m for m in sys.modules if m.startswith(('azure.identity', 'azure.mgmt', 'msal'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_public_api_is_curated() -> None:
    import azenvcloud

    # ruff's order (RUF022): constants, then classes, then functions, each alphabetical
    assert azenvcloud.__all__ == sorted(
        azenvcloud.__all__, key=lambda name: (not name.isupper(), not name[0].isupper(), name)
    )
    for name in (
        "get_settings",
        "get_credential",
        "get_resource_client",
        "get_subscription_client",
        "get_client",
        "reset",
        "ConfigurationError",
        "configure",
        "Settings",
        "Cloud",
        "MetadataUnavailableError",
        "Service",
        "service_url",
        "service_scope",
    ):
        assert name in azenvcloud.__all__
        assert getattr(azenvcloud, name).__doc__
