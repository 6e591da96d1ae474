"""``import azenvcloud`` costs nothing until azenvcloud is used: no Azure SDK, pydantic or MSAL is
imported until first needed, and its public names (and the modules the release before made
attributes of the package, deprecated now) are imported on first use, the same objects."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import azenvcloud


def run(code: str) -> str:
    """``code`` in a fresh interpreter (what a process start imports); its standard output."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()


def test_a_bare_import_loads_neither_pydantic_nor_the_sdk() -> None:
    loaded = run(
        "import sys, azenvcloud; heavy = ('pydantic', 'pydantic_settings', 'azure', 'msal'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    assert loaded == "[]"


def test_the_pytest_plugin_loads_no_settings() -> None:
    assert (
        run("import sys, azenvcloud.pytest_plugin; print('azenvcloud._settings' in sys.modules)") == "False"
    )


HOMES = {
    "_appconfiguration_settings": ["AppConfigurationSettingsSource"],
    "_clients": [
        "check_service_url",
        "get_client",
        "get_credential",
        "get_resource_client",
        "get_subscription_client",
        "reset",
        "service_scope",
        "service_url",
    ],
    "_clouds": ["BUILTIN_CLOUDS", "Cloud", "CloudEndpoints", "CloudSuffixes", "cloud_from_name"],
    "_configuration": ["Configuration", "configuration"],
    "_errors": ["ConfigurationError", "MetadataUnavailableError"],
    "_keyvault_settings": ["KeyVaultSettingsSource"],
    "_provenance": ["Source"],
    "_services": ["SERVICE_NAMES", "Service"],
    "_settings": ["Settings", "configure", "get_settings"],
    "_version": ["__version__"],
}


def test_the_homes_cover_every_public_name() -> None:
    assert sorted(name for names in HOMES.values() for name in names) == sorted(azenvcloud.__all__)


@pytest.mark.parametrize(
    ("home", "name"), [pytest.param(home, name, id=name) for home, names in HOMES.items() for name in names]
)
def test_every_public_name_is_its_modules_object(home: str, name: str) -> None:
    assert getattr(azenvcloud, name) is getattr(importlib.import_module(f"azenvcloud.{home}"), name)
    assert name in dir(azenvcloud)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            "from azenvcloud import get_resource_client; print(get_resource_client.__name__)",
            id="from-import",
        ),
        pytest.param("import azenvcloud; print(azenvcloud.get_settings.__name__)", id="attribute"),
        pytest.param("import azenvcloud; print(len(azenvcloud.SERVICE_NAMES) > 0)", id="service-names"),
        pytest.param(
            "import warnings, azenvcloud; warnings.simplefilter('ignore'); "
            "print(len(azenvcloud.services.SERVICE_NAMES) > 0)",
            id="deprecated-module",
        ),
        pytest.param("from azenvcloud import *; print(service_url.__name__)", id="star-import"),
    ],
)
def test_names_resolve_in_a_fresh_process(statement: str) -> None:
    assert run(statement) in {"get_resource_client", "get_settings", "True", "service_url"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'get_resorce_client'"):
        azenvcloud.get_resorce_client  # noqa: B018 - the access is the test


def test_import_loads_no_azure_sdk_module() -> None:
    code = (
        "import sys, azenvcloud; "
        "print(sorted(m for m in sys.modules if m.startswith(('azure.identity', 'azure.mgmt', 'msal'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
