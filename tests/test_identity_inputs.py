"""The token store's key comes from the identity inputs its builder hands over, and they cover
every variable azure-identity reads that changes which token it asks for."""

from __future__ import annotations

import ast
import os
import pickle
from pathlib import Path

import azure.identity
import pytest
from azure.identity._constants import EnvironmentVariables

import azenvcloud
from azenvcloud import _token_store
from azenvcloud._credentials import build_credential
from azenvcloud._identity_inputs import AT_CONSTRUCTION, AT_REQUEST, SECRETS, UNCHANGED, IdentityInputs
from azenvcloud._provenance import IDENTITY_VARIABLES
from azenvcloud._token_store import TokenStore
from azenvcloud.testing import FakeCloud

OTHER_TENANT = "11111111-2222-4333-8444-555555555555"
SCOPES = ("https://management.example/.default",)

# Reads of os.environ whose name is a variable, not a literal or an EnvironmentVariables
# constant: each reviewed (the names it can read are EnvironmentVariables constants, below).
REVIEWED_INDIRECT_READS = {
    ("_credentials/environment.py", "v"): "iterates EnvironmentVariables.CLIENT_SECRET_VARS, CERT_VARS, ...",
    ("aio/_credentials/environment.py", "v"): "the same, async",
    ("_credentials/managed_identity.py", "var"): "iterates EnvironmentVariables.WORKLOAD_IDENTITY_VARS",
    ("aio/_credentials/managed_identity.py", "var"): "the same, async",
}


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and ast.unparse(node.value) == "os"


def _environment_reads(tree: ast.AST) -> list[ast.expr]:
    """The name expressions of every read of the environment in ``tree``."""
    names: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            if isinstance(function, ast.Attribute) and (
                (function.attr in {"get", "pop"} and _is_os_environ(function.value))
                or (function.attr == "getenv" and ast.unparse(function.value) == "os")
            ):
                names.append(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            names.append(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_os_environ(right) for right in node.comparators):
            names.append(node.left)
    return names


def _module_strings(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def variables_azure_identity_reads() -> tuple[set[str], set[tuple[str, str]]]:
    """The variables the installed azure-identity reads (every ``os.environ`` / ``os.getenv``
    read, and every EnvironmentVariables constant), and the reads whose name could not be told."""
    package = Path(azure.identity.__file__).parent
    names = {
        value
        for attribute, value in vars(EnvironmentVariables).items()
        if not attribute.startswith("_") and isinstance(value, str)
    }
    unresolved = set()
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_strings(tree)
        for name in _environment_reads(tree):
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                names.add(name.value)
            elif isinstance(name, ast.Attribute) and ast.unparse(name.value) == "EnvironmentVariables":
                names.add(getattr(EnvironmentVariables, name.attr))
            elif isinstance(name, ast.Name) and name.id in constants:
                names.add(constants[name.id])
            else:
                unresolved.add((path.relative_to(package).as_posix(), ast.unparse(name)))
    return names, unresolved


def test_every_variable_azure_identity_reads_is_in_the_key_or_reviewed() -> None:
    read, unresolved = variables_azure_identity_reads()
    assert "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH" in read  # the scan sees what it must
    assert unresolved <= set(REVIEWED_INDIRECT_READS)
    decided = {*AT_CONSTRUCTION, *SECRETS, *AT_REQUEST, *UNCHANGED}
    assert sorted(read - decided) == []  # a new variable: key it, or review it into UNCHANGED
    assert sorted(decided - read) == []  # no stale entry either


def test_the_identity_variables_are_all_read_by_azure_identity() -> None:
    """provenance.IDENTITY_VARIABLES (exported from .env for azure-identity) names only variables
    Python's azure-identity reads: not AZURE_ADDITIONALLY_ALLOWED_TENANTS (other languages' SDKs)."""
    read, _ = variables_azure_identity_reads()
    assert sorted(set(IDENTITY_VARIABLES) - read) == []
    assert "AZURE_ADDITIONALLY_ALLOWED_TENANTS" not in IDENTITY_VARIABLES


class _Chain:
    credentials = ()


def key(inputs: IdentityInputs) -> str | None:
    store = TokenStore.for_credential(
        _Chain(),
        cloud="AzureCloud",
        authority="https://login.example",
        mode="off",
        cache_dir=None,
        options={},
        inputs=inputs,
    )
    return store.key(SCOPES, {})


@pytest.mark.parametrize("name", [*AT_CONSTRUCTION, *SECRETS, *AT_REQUEST])
def test_every_input_that_changes_the_token_changes_the_key(name: str) -> None:
    assert key(IdentityInputs.from_environment({name: "one"})) != key(
        IdentityInputs.from_environment({name: "two"})
    )
    assert key(IdentityInputs.from_environment({name: "one"})) != key(IdentityInputs.from_environment({}))


@pytest.mark.parametrize("name", [*UNCHANGED, "AZURE_ADDITIONALLY_ALLOWED_TENANTS", "PATH"])
def test_a_variable_that_does_not_change_the_token_leaves_the_key_alone(name: str) -> None:
    assert key(IdentityInputs.from_environment({name: "one"})) == key(IdentityInputs.from_environment({}))


def test_the_key_comes_from_the_inputs_given_not_from_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    given = IdentityInputs.from_environment(
        {"AZURE_CLIENT_ID": "given", "AZURE_REGIONAL_AUTHORITY_NAME": "eastus"}
    )
    monkeypatch.setenv("AZURE_CLIENT_ID", "one")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "one")
    before = key(given)
    monkeypatch.setenv("AZURE_CLIENT_ID", "two")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "two")
    monkeypatch.setenv("AZURE_REGIONAL_AUTHORITY_NAME", "westus")
    assert key(given) == before


def test_a_request_time_input_is_read_at_each_request_from_the_given_environment() -> None:
    environment: dict[str, str] = {}
    store = TokenStore.for_credential(
        _Chain(),
        cloud="AzureCloud",
        authority="https://login.example",
        mode="off",
        cache_dir=None,
        options={},
        inputs=IdentityInputs.from_environment(environment),
    )
    before = store.key(SCOPES, {"tenant_id": OTHER_TENANT})
    environment["AZURE_IDENTITY_DISABLE_MULTITENANTAUTH"] = "1"
    assert store.key(SCOPES, {"tenant_id": OTHER_TENANT}) != before


def test_identity_inputs_hold_no_secret_value(tmp_path: Path) -> None:
    certificate = tmp_path / "client.pem"
    certificate.write_text("-----BEGIN PRIVATE KEY-----certificate-content", encoding="utf-8")
    secrets = {name: f"secret-value-of-{name}" for name in SECRETS}
    environment = {**secrets, "AZURE_CLIENT_CERTIFICATE_PATH": str(certificate), "AZURE_CLIENT_ID": "c"}
    inputs = IdentityInputs.from_environment(environment)
    shown = f"{inputs!r} {inputs.as_key()} {pickle.dumps(inputs)!r}"
    for value in [*secrets.values(), "certificate-content"]:
        assert value not in shown
    assert set(inputs.secrets) == {*SECRETS, "certificate-file"}
    assert pickle.loads(pickle.dumps(inputs)) == inputs


def test_a_pickle_of_the_inputs_never_holds_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNRELATED_SECRET", "unrelated-secret-value")
    inputs = IdentityInputs.from_environment(os.environ)
    assert b"unrelated-secret-value" not in pickle.dumps(inputs)
    assert pickle.loads(pickle.dumps(inputs)).environment is os.environ


# --- the reproduction: two processes of one service principal, one with the flag -------------


@pytest.mark.parametrize("first_with_flag", [False, True], ids=["without-then-with", "with-then-without"])
def test_a_process_that_disables_multitenant_auth_is_not_served_another_tenants_token(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, first_with_flag: bool
) -> None:
    """azure-identity ignores a requested tenant while AZURE_IDENTITY_DISABLE_MULTITENANTAUTH is
    set: a process with it asks for its own tenant's token, one without for the other tenant's.
    The store (on disk, shared by the two) must not hand one's token to the other."""
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    scope = azenvcloud.get_settings().credential_scopes[0]
    tenants = []
    for with_flag in (first_with_flag, not first_with_flag):
        if with_flag:
            azenvcloud_env.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "true")
        else:
            azenvcloud_env.delenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", raising=False)
        _token_store.forget()  # another process: nothing in memory, the folder is shared
        credential = build_credential(azenvcloud.get_settings(), additionally_allowed_tenants=["*"])
        credential.get_token(scope, tenant_id=OTHER_TENANT)
        tenants.append(azenvcloud_fake_cloud.requests_of("token")[-1].path.split("/")[1])
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 2  # each process asked for its own
    expected = {True: azenvcloud_fake_cloud.tenant_id, False: OTHER_TENANT}
    assert tenants == [expected[first_with_flag], expected[not first_with_flag]]


def test_the_flag_set_after_the_credential_was_built_still_counts(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    """azure-identity reads the flag at each request, and so does the key."""
    scope = azenvcloud.get_settings().credential_scopes[0]
    credential = build_credential(azenvcloud.get_settings(), additionally_allowed_tenants=["*"])
    credential.get_token(scope, tenant_id=OTHER_TENANT)
    azenvcloud_env.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "1")
    credential.get_token(scope, tenant_id=OTHER_TENANT)
    paths = [request.path.split("/")[1] for request in azenvcloud_fake_cloud.requests_of("token")]
    assert paths == [OTHER_TENANT, azenvcloud_fake_cloud.tenant_id]
