"""The workload identity member is rebuilt from DefaultAzureCredential's own arguments, plus the
resolved authority: the identity azure-identity would ask for, in the right cloud."""

from __future__ import annotations

import ast
import inspect
import os
from pathlib import Path
from typing import Any

import pytest
from azure import identity as sync_identity
from azure.identity import CredentialUnavailableError
from azure.identity import aio as async_identity
from helpers import run

import azenvcloud
from azenvcloud import _credentials as credentials
from azenvcloud._credentials import build_async_credential, build_credential
from azenvcloud.testing import BUILTIN_HOSTS, FakeCloud

CHINA_SCOPE = "https://management.chinacloudapi.cn/.default"


@pytest.fixture
def workload_identity(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> FakeCloud:
    """AKS workload identity as the webhook sets it up (no secret), the fake acting as China."""
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text("fake-federated-service-account-token", encoding="utf-8")
    azenvcloud_env.delenv("AZURE_CLIENT_SECRET")
    azenvcloud_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential")
    return azenvcloud_fake_cloud


def token_request(fake: FakeCloud, **options: Any) -> tuple[str, str, str]:
    """(host, tenant, client ID) of the one token request the credential built with ``options`` made."""
    with fake.as_cloud("china"), fake.route_hosts(*BUILTIN_HOSTS):
        build_credential(azenvcloud.get_settings(), **options).get_token(CHINA_SCOPE)
    (token,) = fake.requests_of("token")
    return token.host, token.path.split("/")[1], token.form["client_id"]


@pytest.mark.parametrize(
    ("options", "tenant", "client"),
    [
        pytest.param(
            {"workload_identity_client_id": "wi-client", "workload_identity_tenant_id": "wi-tenant"},
            "wi-tenant",
            "wi-client",
            id="workload_identity_client_and_tenant",
        ),
        pytest.param(
            {"managed_identity_client_id": "mi-client"}, None, "mi-client", id="managed_identity_client_id"
        ),
        pytest.param(
            {"managed_identity_client_id": "mi-client", "workload_identity_client_id": "wi-client"},
            None,
            "wi-client",
            id="workload_identity_client_id_first",
        ),
    ],
)
def test_the_workload_identity_member_asks_for_the_identity_the_options_name(
    workload_identity: FakeCloud, options: dict[str, str], tenant: str | None, client: str
) -> None:
    expected_tenant = tenant or workload_identity.tenant_id
    assert token_request(workload_identity, **options) == ("login.chinacloudapi.cn", expected_tenant, client)


def test_a_client_id_given_as_an_option_needs_no_azure_client_id(
    workload_identity: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.delenv("AZURE_CLIENT_ID")  # DefaultAzureCredential builds: the option names it
    host, _, client = token_request(workload_identity, workload_identity_client_id="wi-client")
    assert (host, client) == ("login.chinacloudapi.cn", "wi-client")


def test_enable_azure_proxy_is_ignored_as_default_azure_credential_ignores_it(
    workload_identity: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    """DefaultAzureCredential builds workload identity without the AKS identity binding proxy
    (azure-identity: "identity binding mode isn't supported through DefaultAzureCredential")."""
    azenvcloud_env.setenv("AZURE_KUBERNETES_TOKEN_PROXY", "https://127.0.0.1:9")  # nothing listens
    azenvcloud_env.setenv("AZURE_KUBERNETES_SNI_NAME", "proxy.example")
    host, _, _ = token_request(workload_identity, enable_azure_proxy=True)
    assert host == "login.chinacloudapi.cn"


def test_managed_identity_wraps_workload_identity_for_its_own_client_id(
    workload_identity: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZURE_TOKEN_CREDENTIALS", "prod")  # managed identity wraps workload identity
    credential = build_credential(azenvcloud.get_settings(), managed_identity_client_id="mi-client")
    (managed,) = [
        member
        for member in credential.credentials
        if isinstance(member, sync_identity.ManagedIdentityCredential)
    ]
    # Checked before any token call, so that this test can never reach for IMDS.
    assert isinstance(managed._credential, sync_identity.WorkloadIdentityCredential)
    managed.get_token(azenvcloud.get_settings().credential_scopes[0])
    (token,) = workload_identity.requests_of("token")
    assert (token.host, token.form["client_id"]) == ("127.0.0.1", "mi-client")


@pytest.mark.parametrize(
    ("identity", "build"),
    [
        pytest.param(sync_identity, build_credential, id="sync"),
        pytest.param(async_identity, build_async_credential, id="aio"),
    ],
)
def test_a_workload_identity_member_azure_identity_refuses_stays_unavailable_with_its_message(
    workload_identity: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, identity: Any, build: Any
) -> None:
    """As DefaultAzureCredential keeps, for a member it could not build, one that raises
    CredentialUnavailableError with azure-identity's message (here: the token file is gone by
    the time of the rebuild)."""
    credential = build(azenvcloud.get_settings())
    azenvcloud_env.delenv("AZURE_FEDERATED_TOKEN_FILE")
    options = {"authority": azenvcloud.get_settings().authority_host}
    credentials._route_workload_identity(identity, credential, options, os.environ)
    (member,) = credential.credentials
    with pytest.raises(ValueError, match="token_file_path") as refused:
        identity.WorkloadIdentityCredential()

    async def asked() -> None:
        await member.get_token(CHINA_SCOPE)

    ask = (lambda: run(asked)) if identity is async_identity else (lambda: member.get_token(CHINA_SCOPE))
    with pytest.raises(CredentialUnavailableError) as unavailable:
        ask()
    assert unavailable.value.message == str(refused.value)
    assert workload_identity.requests_of("token") == []


def _own_keywords(module: Any) -> set[str]:
    """The keyword arguments azure-identity's DefaultAzureCredential.__init__ takes for itself:
    its ``kwargs.pop("...")`` calls and its ``"exclude_param"`` values."""
    tree = ast.parse(
        inspect.getsource(module.DefaultAzureCredential.__init__).strip().replace("\n    ", "\n")
    )
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "pop"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "kwargs"
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "exclude_param"
                    and isinstance(value, ast.Constant)
                ):
                    found.add(value.value)
    return found


@pytest.mark.parametrize("module", [sync_identity, async_identity], ids=["sync", "aio"])
def test_the_keywords_default_azure_credential_keeps_for_itself_are_azure_identitys(module: Any) -> None:
    """What azenvcloud leaves out of the rebuilt member is what the installed azure-identity's
    DefaultAzureCredential pops (the internal "_within_dac"-like ones it never passes aside)."""
    assert credentials.OWN_KEYWORDS[module.__name__] == _own_keywords(module)
