"""Every variable is declared once (azenvcloud/_variables.py), and everything about it is derived
from that declaration: its trust decision is never missing, SECURITY.md lists exactly the declared
destinations, the rule of each name is its declaration's, and what reads variables by name reads
declared ones."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import pytest

from azenvcloud import _trust, _typos
from azenvcloud._cli import show
from azenvcloud._declaration import Decision, Trust
from azenvcloud._provenance import VARIABLES
from azenvcloud._services import SERVICE_FIELDS, SERVICE_NAMES, override_variable
from azenvcloud._variables import ALL, FIELDS, Fields, declaration_of, names

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "azenvcloud"


def test_every_setting_is_declared_and_every_declaration_has_a_trust_decision() -> None:
    """A setting (a field of the settings) without a declaration would have no variable and no
    trust decision; a declaration must say what the implicit ./.env may do with it, and why."""
    assert [field for field in Fields.model_fields if field not in {v.field for v in FIELDS}] == []
    undecided = [
        variable.name
        for variable in ALL
        if not isinstance(variable.trust, Trust)
        or variable.trust.decision not in get_args(Decision)
        or not variable.trust.reason.strip()
        or (
            variable.trust.rule == "repeat"
            and variable.trust.own is None
            and variable.trust.own_destinations is None
        )
    ]
    assert undecided == []


def test_each_name_has_one_declaration_and_one_meaning() -> None:
    declared = [name for variable in ALL for name in variable.names()]
    assert len(declared) == len(set(declared))
    assert all(variable.description.strip() and "\n" not in variable.description for variable in ALL)
    assert all(variable.parse is not None for variable in FIELDS)


def test_the_rule_of_every_name_is_its_declarations() -> None:
    for variable in ALL:
        for name in variable.names():
            assert _trust.rule_of(name) == variable.trust.rule, name
    exact = [variable for variable in ALL if variable.pattern is None and variable.trust.rule]
    assert dict(_trust.RULES) == {variable.name: variable.trust.rule for variable in exact}
    service_variables = [override_variable(s, f) for s in SERVICE_NAMES for f in SERVICE_FIELDS]
    assert {_trust.rule_of(name) for name in service_variables} == {"repeat"}
    assert _trust.rule_of("AZURE_SERVICE_NOSUCH_SUFFIX") == "repeat"  # its shape: refused as a typo later
    assert _trust.rule_of("AZURE_SUBSCRIPTION_ID") is None
    assert _trust.rule_of("AZURE_CLIENT_ID") is None
    assert _trust.rule_of("AZURE_SERVICE_PRINCIPAL_ID") is None  # another tool's variable
    assert _trust.rule_of("SOMETHING_ELSE") is None


def _destinations_named_by_security_md() -> set[str]:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    paragraph = text.split("The destination values, each with its rule", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"`((?:AZURE|AZENVCLOUD|ARM|APPLICATIONINSIGHTS)_[A-Z0-9_<>]+)`", paragraph))


def test_security_md_lists_exactly_the_declared_destinations() -> None:
    declared = {variable.name for variable in ALL if variable.trust.rule is not None}
    named = _destinations_named_by_security_md()
    assert sorted(declared - named) == [], "declared destinations SECURITY.md does not list"
    assert sorted(named - declared) == [], "destinations SECURITY.md lists that are not declared as such"


def test_show_lists_every_setting_in_its_declared_order() -> None:
    assert [field for field in show.ORDER if field != "credential_scopes"] == [v.field for v in FIELDS]
    assert show.ORDER.index("credential_scopes") == show.ORDER.index("audience") + 1


def test_the_typo_check_looks_for_every_name_azenvcloud_reads_into_its_settings() -> None:
    ours = set(_typos._OURS)
    assert set(VARIABLES.values()) <= ours
    assert {"AZENVCLOUD_ENV_FILE", "ARM_CLOUD_METADATA_URL", "AZURE_SERVICE_BLOB_SUFFIX"} <= ours
    assert not {"REQUESTS_CA_BUNDLE", "AZURE_CLIENT_ID", "ARM_ENVIRONMENT"} & ours  # other tools'
    assert set(_typos.CLOUD_SELECTORS) == {"ARM_ENVIRONMENT", "AZURE_ENVIRONMENT"}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param("", "AZURE_CLOUD", id="the-process-configuration"),
        pytest.param("GOV", "GOV_AZURE_CLOUD", id="a-named-configuration"),
    ],
)
def test_a_named_configuration_reads_its_own_names_derived_from_the_declarations(
    prefix: str, expected: str
) -> None:
    read = names(prefix)
    assert read["cloud"] == expected
    assert set(read) == set(VARIABLES)
    if prefix:
        assert read["token_cache"] == "GOV_AZENVCLOUD_TOKEN_CACHE"
        process_wide = [variable.name for variable in ALL if variable.scope == "process"]
        assert {"AZENVCLOUD_ENV_FILE", "AZURE_SDK_CLOUD_CONF", "REQUESTS_CA_BUNDLE"} <= set(process_wide)


def _names_read_by_name(tree: ast.AST) -> set[str]:
    """The string literals read as variable names: ``os.environ.get("X")``, ``os.getenv("X")``,
    ``os.environ["X"]``, ``environment.get("X")``."""
    found = set()
    for node in ast.walk(tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            owner = node.func.value
            reads = node.func.attr in {"get", "getenv", "pop"}
            if reads and (
                (isinstance(owner, ast.Attribute) and owner.attr == "environ")
                or (isinstance(owner, ast.Name) and owner.id in {"os", "environment", "environ"})
            ):
                target = node.args[0]
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
        ):
            target = node.slice
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            found.add(target.value)
    return found


def test_every_variable_the_package_reads_by_name_is_declared() -> None:
    """A variable read straight from the environment, without a declaration, would have no trust
    decision. (``_identity_inputs.py`` reads azure-identity's variables by the list it keeps for the
    token store's key, which tests/test_identity_inputs.py reviews against azure-identity itself;
    ``testing/`` is the fake cloud's.)"""
    read: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "testing" in path.relative_to(PACKAGE).parts:
            continue
        for name in _names_read_by_name(ast.parse(path.read_text(encoding="utf-8"))):
            read.setdefault(name, str(path.relative_to(ROOT)))
    assert read, "the scan finds the package's reads"
    assert {name: where for name, where in read.items() if declaration_of(name) is None} == {}
