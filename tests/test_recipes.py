"""One path builds every client: ``get_client`` and ``aio.get_client`` ask one registry
(``_construction.recipe_for``) for one recipe, management and data-plane classes alike, and
build the client once from it."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest

from azenvcloud import aio, clients, get_client
from azenvcloud._construction import recipe_for
from azenvcloud._management import MANAGEMENT
from azenvcloud.dataplane import RECIPES
from azenvcloud.testing import FakeCloud

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"


def _class(module: str, name: str, *, asynchronous: bool) -> type[Any]:
    return getattr(importlib.import_module(f"{module}.aio" if asynchronous else module), name)  # type: ignore[no-any-return]


@pytest.mark.parametrize("asynchronous", [pytest.param(False, id="sync"), pytest.param(True, id="async")])
@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        pytest.param(
            "azure.mgmt.resource.resources", "ResourceManagementClient", MANAGEMENT, id="management"
        ),
        pytest.param(
            "azure.keyvault.secrets",
            "SecretClient",
            RECIPES["azure.keyvault.secrets.SecretClient"],
            id="data-plane",
        ),
    ],
)
def test_every_client_class_has_one_recipe_in_one_registry(
    module: str, name: str, expected: object, asynchronous: bool
) -> None:
    assert recipe_for(_class(module, name, asynchronous=asynchronous), asynchronous=asynchronous) is expected


def test_a_class_of_neither_kind_has_no_recipe() -> None:
    with pytest.raises(TypeError, match=r"builtins\.dict is neither"):
        recipe_for(dict, asynchronous=False)


def test_a_class_of_the_other_kind_is_refused_before_its_recipe_is_looked_up() -> None:
    secret_client = _class("azure.keyvault.secrets", "SecretClient", asynchronous=True)
    with pytest.raises(TypeError, match=r"build it with azenvcloud\.aio\.get_client"):
        recipe_for(secret_client, asynchronous=False)


class _Spy:
    """Records each recipe looked up and each client built from it, in a getter's module."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
        self.looked_up: list[tuple[str, object]] = []
        self.built: list[tuple[str, object]] = []
        lookup, construct = module.recipe_for, module.construct

        def spied_lookup(client_class: type[Any], *, asynchronous: bool) -> Any:
            recipe = lookup(client_class, asynchronous=asynchronous)
            self.looked_up.append((client_class.__name__, recipe))
            return recipe

        def spied_construct(client_class: type[Any], *arguments: Any, recipe: Any, **more: Any) -> Any:
            self.built.append((client_class.__name__, recipe))
            return construct(client_class, *arguments, recipe=recipe, **more)

        monkeypatch.setattr(module, "recipe_for", spied_lookup)
        monkeypatch.setattr(module, "construct", spied_construct)


EXPECTED = [
    ("ResourceManagementClient", MANAGEMENT),
    ("SecretClient", RECIPES["azure.keyvault.secrets.SecretClient"]),
]


def test_get_client_builds_management_and_data_plane_clients_from_one_recipe_each(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch, clients)
    resources = _class("azure.mgmt.resource.resources", "ResourceManagementClient", asynchronous=False)
    secrets = _class("azure.keyvault.secrets", "SecretClient", asynchronous=False)
    with azenvcloud_fake_cloud.as_cloud("china"), azenvcloud_fake_cloud.route_hosts("kv1.vault.azure.cn"):
        for _ in range(2):  # the second time, both come from the cache: nothing looked up or built
            get_client(resources, SUBSCRIPTION)
            get_client(secrets, vault="kv1")
    assert spy.looked_up == EXPECTED
    assert spy.built == EXPECTED


def test_aio_get_client_builds_them_by_the_same_path(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch, aio)
    resources = _class("azure.mgmt.resource.resources", "ResourceManagementClient", asynchronous=True)
    secrets = _class("azure.keyvault.secrets", "SecretClient", asynchronous=True)

    async def build() -> None:
        try:
            for _ in range(2):
                aio.get_client(resources, SUBSCRIPTION)
                aio.get_client(secrets, vault="kv1")
        finally:
            await aio.close()

    with azenvcloud_fake_cloud.as_cloud("china"), azenvcloud_fake_cloud.route_hosts("kv1.vault.azure.cn"):
        asyncio.run(build())
    assert spy.looked_up == EXPECTED
    assert spy.built == EXPECTED
