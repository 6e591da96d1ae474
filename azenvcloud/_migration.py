"""The import paths of the release before, kept for one minor release: each use warns, naming the new path.

Until 0.2 every module was importable, and about 120 names sat in the ``__all__`` of modules that
are private now (the public API is what ``docs/reference/api.md`` documents: :mod:`azenvcloud`,
:mod:`azenvcloud.aio`, :mod:`azenvcloud.testing` and the pytest plugin). Each old path still
works until :data:`REMOVED_IN`, with a :class:`DeprecationWarning` naming where the name lives
now: ``azenvcloud`` itself for a public name, its private module for the others (which may
change without notice). A project whose tests run with ``filterwarnings = error`` sees the
warning as an error at the import, which is the point.

The data are two tables (:data:`MOVED_MODULES`, :data:`MOVED_NAMES`), the mechanism two pieces:
:func:`moved_name`, the ``__getattr__`` of each old module left in place (``azenvcloud/settings.py``
and its like: a docstring and that function, nothing else), and :class:`_MovedModules`, the
import hook that makes an old submodule of a moved package (``azenvcloud.cli.show``,
``azenvcloud.dataplane.keyvault``) the new module itself, installed by the old package on import.
``docs/reference/upgrading.md`` lists every path (``tests/test_exported_names.py`` compares).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType, ModuleType
from typing import Final

__all__ = ["MOVED_MODULES", "MOVED_NAMES", "REMOVED_IN", "alias_submodules", "moved_name"]

REMOVED_IN: Final = "0.3"
"""The release that removes the old paths."""


def _in_package(paths: Mapping[str, str]) -> dict[str, str]:
    return {f"azenvcloud.{old}": f"azenvcloud.{new}" for old, new in paths.items()}


MOVED_MODULES: Final[Mapping[str, str]] = MappingProxyType(
    _in_package(
        {
            "cli": "_cli",
            "cli.cache": "_cli.cache",
            "cli.check": "_cli.check",
            "cli.clouds": "_cli.clouds",
            "cli.demo": "_cli.demo",
            "cli.env": "_cli.env",
            "cli.show": "_cli.show",
            "cli.tenant": "_cli.tenant",
            "clients": "_clients",
            "clouds": "_clouds",
            "credentials": "_credentials",
            "dataplane": "_dataplane",
            "dataplane.appconfiguration": "_dataplane.appconfiguration",
            "dataplane.containerregistry": "_dataplane.containerregistry",
            "dataplane.cosmos": "_dataplane.cosmos",
            "dataplane.eventgrid": "_dataplane.eventgrid",
            "dataplane.eventhubs": "_dataplane.eventhubs",
            "dataplane.graph": "_dataplane.graph",
            "dataplane.keyvault": "_dataplane.keyvault",
            "dataplane.monitor": "_dataplane.monitor",
            "dataplane.search": "_dataplane.search",
            "dataplane.servicebus": "_dataplane.servicebus",
            "dataplane.storage": "_dataplane.storage",
            "errors": "_errors",
            "metadata": "_metadata",
            "profiles": "_profiles",
            "provenance": "_provenance",
            "resolution": "_resolution",
            "services": "_services",
            "settings": "_settings",
        }
    )
)
"""Every module of the release before that moved, and its new module."""

MOVED_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    _in_package(
        {
            # cli
            "cli.main": "_cli.main",
            # clients
            "clients.get_client": "get_client",
            "clients.get_credential": "get_credential",
            "clients.get_resource_client": "get_resource_client",
            "clients.get_subscription_client": "get_subscription_client",
            "clients.reset": "reset",
            # clouds
            "clouds.BUILTIN_CLOUDS": "BUILTIN_CLOUDS",
            "clouds.Cloud": "Cloud",
            "clouds.CloudEndpoints": "CloudEndpoints",
            "clouds.CloudSuffixes": "CloudSuffixes",
            "clouds.cloud_from_name": "cloud_from_name",
            "clouds.cloud_name_for_authority_host": "_clouds.cloud_name_for_authority_host",
            "clouds.cloud_name_for_management_host": "_clouds.cloud_name_for_management_host",
            "clouds.resource_manager_scope": "_clouds.resource_manager_scope",
            # credentials
            "credentials.IDENTITY_VARIABLES": "_provenance.IDENTITY_VARIABLES",
            "credentials.build_async_credential": "_credentials.build_async_credential",
            "credentials.build_credential": "_credentials.build_credential",
            "credentials.export_identity_variables": "_credentials.export_identity_variables",
            "credentials.identity_variable_sources": "_credentials.identity_variable_sources",
            "credentials.token_sharing": "_credentials.token_sharing",
            "credentials.withdraw_exported_variables": "_credentials.withdraw_exported_variables",
            # dataplane
            "dataplane.FAKE_ROUTES": "_dataplane.FAKE_ROUTES",
            "dataplane.FAMILIES": "_dataplane.FAMILIES",
            "dataplane.RECIPES": "_dataplane.RECIPES",
            "dataplane.Recipe": "_dataplane._recipe.Recipe",
            "dataplane.recipe_for": "_dataplane.recipe_for",
            # errors
            "errors.ConfigurationError": "ConfigurationError",
            "errors.MetadataUnavailableError": "MetadataUnavailableError",
            "errors.quote_value": "_errors.quote_value",
            "errors.redact_url": "_errors.redact_url",
            # metadata
            "metadata.API_VERSIONS": "_metadata.API_VERSIONS",
            "metadata.MetadataProblem": "_metadata.MetadataProblem",
            "metadata.cloud_from_metadata": "_metadata.cloud_from_metadata",
            "metadata.cloud_to_snapshot": "_metadata.cloud_to_snapshot",
            "metadata.metadata_urls": "_metadata.metadata_urls",
            # profiles
            "profiles.API_PROFILES": "_profiles.API_PROFILES",
            "profiles.LATEST": "_profiles.LATEST",
            "profiles.api_version_for": "_profiles.api_version_for",
            "profiles.client_key": "_profiles.client_key",
            # provenance
            "provenance.IDENTITY_VARIABLES": "_provenance.IDENTITY_VARIABLES",
            "provenance.Source": "Source",
            "provenance.SourceKind": "_provenance.SourceKind",
            "provenance.VARIABLES": "_provenance.VARIABLES",
            # resolution
            "resolution.DEFAULT_METADATA_TTL": "_metadata_source.DEFAULT_TTL",
            "resolution.Resolution": "_resolution.Resolution",
            "resolution.SDK_CLOUD_CONF": "_cloud_selection.SDK_CLOUD_CONF",
            "resolution.TokenCacheMode": "_parsers.TokenCacheMode",
            "resolution.resolve": "_resolution.resolve",
            # services
            "services.SERVICES_KEY": "_services.SERVICES_KEY",
            "services.SERVICE_FIELDS": "_services.SERVICE_FIELDS",
            "services.SERVICE_NAMES": "SERVICE_NAMES",
            "services.Service": "Service",
            "services.ServiceRow": "_services.ServiceRow",
            "services.alternative_hosts": "_services.alternative_hosts",
            "services.apply_service_variables": "_service_variables.apply_service_variables",
            "services.check_service_url": "check_service_url",
            "services.is_service_variable": "_services.is_service_variable",
            "services.override_variable": "_services.override_variable",
            "services.parse_accepted_hosts": "_parsers.parse_accepted_hosts",
            "services.parse_service_variable": "_services.parse_service_variable",
            "services.service_scope": "service_scope",
            "services.service_url": "service_url",
            "services.services_of": "_services.services_of",
            "services.services_report": "_services.services_report",
            "services.suffixes_of": "_services.suffixes_of",
            # settings
            "settings.ENV_FILE_VARIABLE": "_env_file.ENV_FILE_VARIABLE",
            "settings.Settings": "Settings",
            "settings.configure": "configure",
            "settings.get_settings": "get_settings",
            "settings.on_change": "_settings.on_change",
            "settings.reset_settings": "_settings.reset_settings",
        }
    )
)
"""Every name of the release before's public modules' ``__all__``, and where it lives now: in
``azenvcloud`` for the public ones. (The names of an old submodule of a moved package are its new
module's: that module is aliased whole.)"""


def _advice(old: str, new: str) -> str:
    if new.startswith("azenvcloud._"):
        return (
            f"{old} is deprecated: it is no part of azenvcloud's API (it is {new} now, a private path "
            f"that may change without notice) and the old path goes in azenvcloud {REMOVED_IN}. If you "
            "need it, tell us what for."
        )
    return f"{old} is deprecated: import it as {new}; the old path goes in azenvcloud {REMOVED_IN}."


def _resolve(path: str) -> object:
    """The object at ``path``: a module, or a name of a module (``azenvcloud.get_settings``)."""
    if path in sys.modules:
        return sys.modules[path]
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        return importlib.import_module(path)


def moved_name(module: str, name: str) -> object:
    """What ``module.name`` was (the ``__getattr__`` of an old module), with its warning.

    Raises:
        AttributeError: ``name`` was no public name of ``module``.
    """
    old = f"{module}.{name}"
    new = MOVED_NAMES.get(old) or MOVED_MODULES.get(old)
    if new is None:
        raise AttributeError(
            f"module {module!r} has no attribute {name!r} (the module is deprecated: "
            f"{MOVED_MODULES[module]} holds what it held; see the Upgrading page)"
        )
    warnings.warn(_advice(old, new), DeprecationWarning, stacklevel=3)
    if old in MOVED_MODULES:  # a submodule of an old package: the new module, under both names
        return sys.modules.setdefault(old, importlib.import_module(new))
    return _resolve(new)


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An old submodule of a moved package is its new module (one object, not a copy), with a warning."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED_MODULES or fullname.count(".") < 2:  # a submodule
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(_advice(spec.name, MOVED_MODULES[spec.name]), DeprecationWarning, stacklevel=2)
        module = importlib.import_module(MOVED_MODULES[spec.name])
        spec.loader_state = module.__spec__  # its own, which the import system is about to replace
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the new module ran when it was imported); but the import system has just
        given it the old name's spec, against which its relative imports would resolve: its own
        spec back."""
        alias = module.__spec__
        if alias is not None and isinstance(alias.loader_state, importlib.machinery.ModuleSpec):
            module.__spec__ = alias.loader_state


def alias_submodules() -> None:
    """Let the old submodules of a moved package be imported (called by the old package, once)."""
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules())
