"""Errors that point the right way: a TLS failure says how to trust a private CA and which CA
setting was used, a network error names no library class and lists nothing "Accepted" (the value
was fine), an Entra error that usually means another cloud's value says which cloud and
authority the configuration uses, in the error itself and in ``check --online``; a credential
variable at fault is named (a missing or bad certificate, a malformed tenant); and a missing
optional dependency says what to install, without an index that carries azenvcloud.

Microsoft's error reference (https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
says codes and texts may change: the hints are only added to messages; the same exception type
is raised from the same place."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import trustme
from azure.core.exceptions import ClientAuthenticationError

import azenvcloud
from azenvcloud import ConfigurationError, aio
from azenvcloud._cli import main
from azenvcloud._failure_hints import extra_packages, install_hint
from azenvcloud.testing import FakeCloud

REFERENCE = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.fixture
def stamp_with_a_private_ca(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> FakeCloud:
    """A private cloud (only its Resource Manager set) whose CA this process does not trust."""
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", *CA_VARIABLES):
        azenvcloud_env.delenv(name, raising=False)
    return azenvcloud_fake_cloud


def test_a_tls_failure_names_the_ca_variables_and_says_none_was_set(
    stamp_with_a_private_ca: FakeCloud,
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert "none of REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE is set" in message
    assert "set REQUESTS_CA_BUNDLE to a PEM file that holds it" in message
    assert "Accepted:" not in message  # the value was right; the trust was missing


def test_a_tls_failure_names_the_ca_variable_that_was_used(
    stamp_with_a_private_ca: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: object
) -> None:
    other = f"{tmp_path}/other-ca.pem"
    trustme.CA().cert_pem.write_to_path(other)  # a CA, but not the stamp's
    azenvcloud_env.setenv("REQUESTS_CA_BUNDLE", other)
    azenvcloud_env.setenv("SSL_CERT_FILE", stamp_with_a_private_ca.ca_bundle)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert (
        f"came from REQUESTS_CA_BUNDLE={other} (SSL_CERT_FILE not read: REQUESTS_CA_BUNDLE comes first)"
        in message
    )


def test_a_network_error_names_the_host_and_no_library_class(azenvcloud_env: pytest.MonkeyPatch) -> None:
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", "https://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_settings()
    message = str(caught.value)
    assert "127.0.0.1:9: Failed to establish a new connection" in message
    for internal in ("_WatchedHTTPSConnection", "HTTPSConnection(", " object at 0x", "NewConnectionError"):
        assert internal not in message
    assert "Accepted:" not in message


def test_a_tls_failure_of_the_token_request_says_how_to_trust_the_ca(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in CA_VARIABLES:
        azenvcloud_env.delenv(name, raising=False)
    assert main(["check", "--online"]) == 3
    error = capsys.readouterr().err
    assert "CERTIFICATE_VERIFY_FAILED" in error
    assert (
        "azenvcloud: the server's certificate is not signed by a certificate authority this process trusts"
        in error
    )


SIGN_IN_ERRORS = [
    pytest.param(
        "AADSTS90002",
        "Tenant '72f988bf-0000-4000-8000-00000000fa4e' not found. Check to make sure you have the correct "
        "tenant ID and are signing into the correct cloud.",
        "that AZURE_TENANT_ID is a tenant of AzureChinaCloud",
        id="90002-tenant-not-found",
    ),
    pytest.param(
        "AADSTS900382",
        "Confidential Client is not supported in Cross Cloud request.",
        "that the application (AZURE_CLIENT_ID) and its tenant are in AzureChinaCloud",
        id="900382-cross-cloud",
    ),
    pytest.param(
        "AADSTS500011",
        "The resource principal named https://management.azure.com was not found in the tenant named T.",
        "that the scope https://management.chinacloudapi.cn/.default belongs to AzureChinaCloud",
        id="500011-resource-not-found",
    ),
    pytest.param(
        "AADSTS700016",
        "Application with identifier '0c0ffee0' was not found in the directory 'T'.",
        "that AZURE_CLIENT_ID is registered in AZURE_TENANT_ID's directory in AzureChinaCloud",
        id="700016-application-not-found",
    ),
]


def _fail_sign_in(fake: FakeCloud, code: str, text: str) -> None:
    fake.fail("/token", 400, body={"error": "invalid_request", "error_description": f"{code}: {text}"})


@pytest.mark.parametrize(("code", "text", "check_first"), SIGN_IN_ERRORS)
def test_a_wrong_cloud_sign_in_error_says_which_cloud_and_what_to_check_in_the_error_itself(
    azenvcloud_fake_cloud: FakeCloud, code: str, text: str, check_first: str
) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        _fail_sign_in(azenvcloud_fake_cloud, code, text)
        with pytest.raises(ClientAuthenticationError) as caught:  # the same type as without azenvcloud
            list(azenvcloud.get_resource_client().resource_groups.list())
    message = str(caught.value)
    assert text in message  # azure-identity's own message is kept
    signs_in = "https://login.chinacloudapi.cn, the authority of AzureChinaCloud"
    assert f"azenvcloud: this configuration signs in at {signs_in}" in message
    assert check_first in message
    assert REFERENCE in message
    assert message.count("azenvcloud: this configuration signs in at") == 1
    assert caught.value.message == message.split("\nContent:", 1)[0]
    assert len(azenvcloud_fake_cloud.requests_of("token")) == 1  # a hint changes nothing that is sent


@pytest.mark.parametrize(("code", "text", "check_first"), SIGN_IN_ERRORS)
def test_check_online_adds_the_same_hint(
    azenvcloud_fake_cloud: FakeCloud,
    capsys: pytest.CaptureFixture[str],
    code: str,
    text: str,
    check_first: str,
) -> None:
    with azenvcloud_fake_cloud.as_cloud("china"):
        _fail_sign_in(azenvcloud_fake_cloud, code, text)
        assert main(["check", "--online"]) == 3
    error = capsys.readouterr().err
    assert error.startswith("azenvcloud: getting a token failed: ")
    assert f"{code}: {text}" in error
    assert check_first in error
    assert error.count("azenvcloud: this configuration signs in at") == 1


def test_another_sign_in_error_gets_no_cloud_hint(azenvcloud_fake_cloud: FakeCloud) -> None:
    azenvcloud_fake_cloud.client_secret = "another"  # AADSTS7000215: a wrong secret, not a wrong cloud
    with pytest.raises(ClientAuthenticationError) as caught:
        azenvcloud.get_credential().get_token(*azenvcloud.get_settings().credential_scopes)
    assert "AADSTS7000215" in str(caught.value)
    assert "azenvcloud:" not in str(caught.value)


def test_the_async_credential_adds_the_hint_too(azenvcloud_fake_cloud: FakeCloud) -> None:
    from azenvcloud import aio

    _fail_sign_in(azenvcloud_fake_cloud, "AADSTS90002", "Tenant 'x' not found.")

    async def get() -> None:
        try:
            await aio.get_credential().get_token(*azenvcloud.get_settings().credential_scopes)
        finally:
            await aio.close()

    with pytest.raises(ClientAuthenticationError) as caught:
        asyncio.run(get())
    assert "azenvcloud: this configuration signs in at" in str(caught.value)
    assert "that AZURE_TENANT_ID is a tenant of Custom" in str(caught.value)


def certificate_environment(env: pytest.MonkeyPatch, path: str) -> None:
    env.delenv("AZURE_CLIENT_SECRET")
    env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", path)


@pytest.mark.parametrize("command", ["show", "check"])
def test_a_missing_certificate_names_its_variable(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    certificate_environment(azenvcloud_env, "/nope.pem")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("azenvcloud: configuration error: AZURE_CLIENT_CERTIFICATE_PATH='/nope.pem'")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_bad_certificate_is_blamed_on_its_path_not_on_token_credentials(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    garbage = tmp_path / "cert.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    certificate_environment(azenvcloud_env, str(garbage))
    azenvcloud_env.delenv("AZURE_TOKEN_CREDENTIALS")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == ("AZURE_CLIENT_CERTIFICATE_PATH",)
    assert "AZURE_TOKEN_CREDENTIALS" not in str(caught.value)


def test_a_malformed_tenant_is_blamed_on_the_tenant(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZURE_TENANT_ID", "bad tenant!")
    azenvcloud_env.delenv("AZURE_TOKEN_CREDENTIALS")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert caught.value.variables == ("AZURE_TENANT_ID",)
    assert str(caught.value).startswith("AZURE_TENANT_ID='bad tenant!' is not usable")


@pytest.mark.parametrize("extra", ["aio", "graph", "keyvault", "testing"])
def test_every_install_hint_works_without_an_index_carrying_azenvcloud(extra: str) -> None:
    hint = install_hint(extra)
    packages = extra_packages(extra)
    assert packages  # read from the installed metadata
    for package in packages:
        assert package in hint
    assert f"'/path/to/azenvcloud[{extra}]'" in hint


def test_a_missing_graph_sdk_names_its_package(
    azenvcloud_fake_cloud: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "msgraph", None)  # import msgraph now fails, as if not installed

    async def build() -> None:
        try:
            with azenvcloud_fake_cloud.as_cloud("china"):  # type: ignore[attr-defined]
                aio.get_graph_client()
        finally:
            await aio.close()

    with pytest.raises(
        ImportError, match=r"pip install 'msgraph-sdk>=1\.10' .*'/path/to/azenvcloud\[graph\]'"
    ):
        asyncio.run(build())
