"""One path builds every client: ``get_client`` and ``aio.get_client`` ask one registry
(``_construction.recipe_for``) for one recipe, management and data-plane classes alike, and
build the client once from it."""

from __future__ import annotations

import ast
import asyncio
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import _clients as clients
from azenvcloud import aio, get_client
from azenvcloud._construction import recipe_for
from azenvcloud._dataplane import RECIPES
from azenvcloud._management import MANAGEMENT
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


# --- one protocol, every recipe ----------------------------------------------------------------


def test_aio_get_graph_client_is_built_by_the_same_path(
    azenvcloud_fake_cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgraph import GraphServiceClient

    from azenvcloud._dataplane.graph import GRAPH

    spy = _Spy(monkeypatch, aio)

    async def build() -> tuple[object, object]:
        try:
            return aio.get_graph_client(), aio.get_client(GraphServiceClient)
        finally:
            await aio.close()

    with azenvcloud_fake_cloud.as_cloud("china"):
        graph, same = asyncio.run(build())
    assert graph is same  # one cache, one recipe
    assert spy.looked_up == [("GraphServiceClient", GRAPH)]
    assert spy.built == [("GraphServiceClient", GRAPH)]


def test_graph_is_async_only_and_takes_no_arguments_of_the_callers() -> None:
    from msgraph import GraphServiceClient

    with pytest.raises(TypeError, match=r"build it with azenvcloud\.aio\.get_client"):
        recipe_for(GraphServiceClient, asynchronous=False)


def _calls_in(path: Path) -> list[ast.Call]:
    return [
        node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)
    ]


@pytest.mark.parametrize("module", ["_construction.py", "_clients.py", "aio.py"])
def test_no_getter_asks_which_kind_a_recipe_is(module: str) -> None:
    import azenvcloud

    path = Path(azenvcloud.__file__).parent / module
    asked = [
        ast.unparse(call)
        for call in _calls_in(path)
        if isinstance(call.func, ast.Name) and call.func.id in {"isinstance", "issubclass", "type"}
    ]
    assert asked == []


def test_no_builder_names_a_service_in_an_if() -> None:
    """A recipe's behaviour is its data (``fixed_endpoint``), never a comparison with a service's
    name in the code that builds clients (a family's own module may name its own hosts)."""
    import azenvcloud
    from azenvcloud import SERVICE_NAMES

    package = Path(azenvcloud.__file__).parent
    named = []
    builders = ("_construction.py", "_management.py", "_clients.py", "aio.py", "_dataplane/_recipe.py")
    for path in [package / name for name in builders]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                constants = [
                    part for part in (node.left, *node.comparators) if isinstance(part, ast.Constant)
                ]
                named += [
                    f"{path.name}: {ast.unparse(node)}" for part in constants if part.value in SERVICE_NAMES
                ]
    assert named == []


def test_a_recipe_naming_an_unknown_service_fails_when_it_is_made() -> None:
    from azenvcloud._dataplane import Recipe

    with pytest.raises(ValueError, match=r"Recipe\(service='eventgird'.*does not know; known: keyvault, "):
        Recipe(service="eventgird", url_argument="endpoint")


def test_a_fake_route_naming_an_unknown_service_fails_when_it_is_made() -> None:
    from azenvcloud._dataplane._fake import FakeRoute

    with pytest.raises(ValueError, match=r"FakeRoute\(service='blobs'\)"):
        FakeRoute(service="blobs", matches=lambda host, path: False, answer=lambda request: (200, {}, {}))


def test_every_recipe_and_fake_route_names_a_known_service() -> None:
    from azenvcloud import SERVICE_NAMES
    from azenvcloud._dataplane import FAKE_ROUTES

    assert RECIPES  # found by the families' module names
    unknown = {key: recipe.service for key, recipe in RECIPES.items() if recipe.service not in SERVICE_NAMES}
    unknown |= {
        f"route {route.service}": route.service for route in FAKE_ROUTES if route.service not in SERVICE_NAMES
    }
    assert unknown == {}


def test_every_family_is_found_by_its_module_name() -> None:
    import azenvcloud
    from azenvcloud._dataplane import FAMILIES

    folder = Path(azenvcloud.__file__).parent / "_dataplane"
    modules = sorted(path.stem for path in folder.glob("*.py") if not path.name.startswith("_"))
    assert [family.__name__.rsplit(".", 1)[1] for family in FAMILIES] == modules
    assert all(family.RECIPES for family in FAMILIES)  # a family builds something


DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_family_has_a_row_in_the_data_plane_table() -> None:
    """Adding a family means its row in docs/how-to/data-plane.md (ARCHITECTURE.md, step 4)."""
    table = [
        line for line in (DOCS / "how-to" / "data-plane.md").read_text().splitlines() if line.startswith("| ")
    ]
    missing = sorted(
        {key.rsplit(".", 1)[1] for key in RECIPES}
        - {name for row in table for name in re.findall(r"`(\w+)`", row)}
    )
    assert missing == []


def test_the_data_plane_how_to_lists_every_service() -> None:
    # docs/reference/variables.md lists them from SERVICE_NAMES when the site is built
    # (tests/test_docs_reference.py).
    from azenvcloud import SERVICE_NAMES

    text = " ".join((DOCS / "how-to/data-plane.md").read_text().split())
    start = text.index("`keyvault`, `mhsm`")
    listed = re.findall(r"`(\w+)`", text[start : text.index("`graph`", start) + len("`graph`")])
    assert listed == list(SERVICE_NAMES)


def test_the_sync_getter_refuses_an_async_client_class(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute.aio import ComputeManagementClient

    with pytest.raises(TypeError, match=r"azenvcloud\.aio\.get_client"):
        azenvcloud.get_client(ComputeManagementClient)


def test_the_async_getter_refuses_a_sync_client_class(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    async def build() -> None:
        aio.get_client(ComputeManagementClient)

    with pytest.raises(TypeError, match=r"azenvcloud\.get_client"):
        asyncio.run(build())
