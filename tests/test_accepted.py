"""Every "Accepted:" works when followed: for each refusal that suggests a fix, the suggestion is
followed to the letter and the configuration then resolves.

(The refusal of a .env file that points the environment's secret at an authority of its choice
is left to the trust rule's own tests: that refusal is being replaced.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from helpers import DATA

import azenvcloud
from azenvcloud import ConfigurationError, check_service_url, service_url
from azenvcloud.testing import FakeCloud

SNAPSHOT = DATA / "metadata-2022-09-01-public.json"


@dataclass(frozen=True)
class Case:
    """A refusal, the words of its suggestion, and the suggestion followed."""

    refused: Callable[[pytest.MonkeyPatch, FakeCloud], None]
    suggests: str
    followed: Callable[[pytest.MonkeyPatch, FakeCloud], None]
    attempt: Callable[[], object] = azenvcloud.get_credential


def env_file(text: str) -> None:
    Path(".env").write_text(text, encoding="utf-8")


def as_china(env: pytest.MonkeyPatch, fake: FakeCloud) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        env.delenv(name)
    env.setenv("AZURE_CLOUD", "china")


UNREACHABLE = "https://127.0.0.1:9"  # nothing listens there


def unreachable_resource_manager(env: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE"):
        env.delenv(name)
    env.setenv("AZURE_RESOURCE_MANAGER", UNREACHABLE)


def snapshot_of(fake: FakeCloud, resource_manager: str) -> str:
    document = fake.metadata_2022(fake.url)
    document["resourceManager"] = resource_manager
    path = Path("cloud.json").resolve()
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def certificate_file(env: pytest.MonkeyPatch) -> str:
    path = Path("certificate.pem").resolve()
    # azure-identity signs its assertions with RS256: an RSA key.
    leaf = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("client.example", key_type=trustme.KeyType.RSA)
    leaf.private_key_and_cert_chain_pem.write_to_path(str(path))
    return str(path)


CASES = [
    pytest.param(
        Case(
            refused=lambda env, fake: unreachable_resource_manager(env),
            suggests="set AZURE_AUTHORITY_HOST and AZURE_AUDIENCE too (a custom cloud needs all three)",
            followed=lambda env, fake: (
                env.setenv("AZURE_AUTHORITY_HOST", fake.url),
                env.setenv("AZURE_AUDIENCE", fake.audience),
            ),
        ),
        id="unreachable-metadata-set-all-three",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: unreachable_resource_manager(env),
            suggests="or AZURE_CLOUD_METADATA_URL to a snapshot file",
            followed=lambda env, fake: env.setenv("AZURE_CLOUD_METADATA_URL", snapshot_of(fake, UNREACHABLE)),
        ),
        id="unreachable-metadata-use-a-snapshot",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: env.setenv("AZURE_TENANT_ID", "contoso com"),
            suggests="such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or contoso.onmicrosoft.com",
            followed=lambda env, fake: env.setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
        ),
        id="tenant-characters",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                env.delenv("AZURE_CLIENT_SECRET"),
                env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(Path("missing.pem").resolve())),
            ),
            suggests="the path of a readable PEM or PKCS12 file with the certificate and its private key",
            followed=lambda env, fake: env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", certificate_file(env)),
        ),
        id="certificate-path",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (as_china(env, fake), env.setenv("AZURE_RESOURCE_MANAGER", fake.url)),
            suggests="leave AZURE_CLOUD unset",
            followed=lambda env, fake: env.delenv("AZURE_CLOUD"),
        ),
        id="foreign-resource-manager-leave-cloud-unset",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (as_china(env, fake), env.setenv("AZURE_RESOURCE_MANAGER", fake.url)),
            suggests="use the built-in cloud's own Resource Manager",
            followed=lambda env, fake: env.setenv(
                "AZURE_RESOURCE_MANAGER", "https://management.chinacloudapi.cn"
            ),
        ),
        id="foreign-resource-manager-use-the-clouds-own",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                as_china(env, fake),
                env.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us"),
            ),
            suggests="Set values of one cloud only, or just AZURE_CLOUD.",
            followed=lambda env, fake: env.delenv("AZURE_AUTHORITY_HOST"),
        ),
        id="two-clouds-just-azure-cloud",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (as_china(env, fake), env.setenv("AZURE_CLOUD", "chian")),
            suggests="did you mean AzureChinaCloud?",
            followed=lambda env, fake: env.setenv("AZURE_CLOUD", "AzureChinaCloud"),
        ),
        id="cloud-name-did-you-mean",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (as_china(env, fake), env_file(f"ARM_CLOUD_METADATA_URL={SNAPSHOT}\n")),
            suggests="in a .env file you name (AZENVCLOUD_ENV_FILE, --env-file or _env_file=), "
            "write AZURE_CLOUD_METADATA_URL",
            followed=lambda env, fake: (
                env.delenv("AZURE_CLOUD"),
                env_file(f"AZURE_CLOUD_METADATA_URL={SNAPSHOT}\n"),
                env.setenv("AZENVCLOUD_ENV_FILE", str(Path(".env").resolve())),
            ),
        ),
        id="arm-metadata-url-in-dotenv-write-ours",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (as_china(env, fake), env_file(f"ARM_CLOUD_METADATA_URL={SNAPSHOT}\n")),
            suggests="set it in the environment",
            followed=lambda env, fake: (
                env.delenv("AZURE_CLOUD"),
                env_file(""),
                env.setenv("ARM_CLOUD_METADATA_URL", str(SNAPSHOT)),
            ),
        ),
        id="arm-metadata-url-in-dotenv-set-it-in-the-environment",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: env.setenv("AZENVCLOUD_ENV_FILE", str(Path("missing.env").resolve())),
            suggests="AZENVCLOUD_ENV_FILE=none (or _env_file=False in code) reads none",
            followed=lambda env, fake: env.setenv("AZENVCLOUD_ENV_FILE", "none"),
        ),
        id="env-file-none",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: env_file('AZURE_USERNAME="user\\tname"\n'),
            suggests="printable text on one line, without control characters",
            followed=lambda env, fake: env_file("AZURE_USERNAME=username\n"),
        ),
        id="identity-variable-control-character",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: None,  # the fake's explicit endpoints name no Key Vault suffix
            suggests="set AZURE_SERVICE_KEYVAULT_SUFFIX",
            followed=lambda env, fake: env.setenv(
                "AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.fake.azenvcloud.test"
            ),
            attempt=lambda: service_url("keyvault", "kv1"),
        ),
        id="service-suffix-unknown",
    ),
    pytest.param(
        Case(
            refused=as_china,
            suggests="Accepted: the short name, such as kv1",
            followed=lambda env, fake: None,
            attempt=lambda: service_url("keyvault", "kv1" if _FOLLOWED else "kv 1"),
        ),
        id="service-short-name",
    ),
    pytest.param(
        Case(
            refused=as_china,
            suggests="a Key Vault host of AzureChinaCloud (*.vault.azure.cn; or the short name instead",
            followed=lambda env, fake: None,
            attempt=lambda: (
                service_url("keyvault", "kv1")
                if _FOLLOWED
                else check_service_url("keyvault", "https://kv1.vault.azure.net", argument="vault_url")
            ),
        ),
        id="service-url-of-another-cloud",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                as_china(env, fake),
                env.setenv("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.azure.net"),
            ),
            suggests="unset AZURE_SERVICE_KEYVAULT_SUFFIX (AzureChinaCloud's own: vault.azure.cn)",
            followed=lambda env, fake: env.delenv("AZURE_SERVICE_KEYVAULT_SUFFIX"),
            attempt=lambda: service_url("keyvault", "kv1"),
        ),
        id="service-suffix-of-another-cloud-unset",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                as_china(env, fake),
                env.setenv("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.azure.net"),
            ),
            suggests="or select AzureCloud with AZURE_CLOUD, if that is the cloud you mean",
            followed=lambda env, fake: env.setenv("AZURE_CLOUD", "AzureCloud"),
            attempt=lambda: service_url("keyvault", "kv1"),
        ),
        id="service-suffix-of-another-cloud-select-that-cloud",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                as_china(env, fake),
                env.setenv("AZURE_SERVICE_COSMOS_AUDIENCE", "https://cosmos.azure.com"),
            ),
            suggests="unset AZURE_SERVICE_COSMOS_AUDIENCE (AzureChinaCloud's own: https://cosmos.azure.cn)",
            followed=lambda env, fake: env.delenv("AZURE_SERVICE_COSMOS_AUDIENCE"),
            attempt=lambda: service_url("cosmos", "db1"),
        ),
        id="audience-of-another-cloud",
    ),
    pytest.param(
        Case(
            refused=lambda env, fake: (
                as_china(env, fake),
                env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", "files.contoso.example,st1.blob.core.windows.net"),
            ),
            suggests="remove it from the list",
            followed=lambda env, fake: env.setenv("AZENVCLOUD_ACCEPTED_HOSTS", "files.contoso.example"),
        ),
        id="accepted-host-of-another-cloud",
    ),
]

_FOLLOWED = False  # for the cases whose attempt itself is what the suggestion changes


@pytest.mark.parametrize("case", CASES)
def test_the_suggestion_of_a_refusal_resolves_when_followed(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, case: Case
) -> None:
    global _FOLLOWED  # noqa: PLW0603 - read by the attempt of the cases above
    _FOLLOWED = False
    case.refused(azenvcloud_env, azenvcloud_fake_cloud)
    with pytest.raises(ConfigurationError) as caught:
        case.attempt()
    assert case.suggests in str(caught.value)
    azenvcloud.reset()
    case.followed(azenvcloud_env, azenvcloud_fake_cloud)
    _FOLLOWED = True
    try:
        assert case.attempt() is not None
    finally:
        _FOLLOWED = False


def test_the_adfs_tenant_suggestion_resolves_when_followed(
    azure_stack_adfs: FakeCloud, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZURE_TENANT_ID", "contoso")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.get_credential()
    assert "Accepted: adfs, or leave AZURE_TENANT_ID unset." in str(caught.value)
    for followed in ("adfs", None):
        azenvcloud.reset()
        if followed is None:
            azenvcloud_env.delenv("AZURE_TENANT_ID")
        else:
            azenvcloud_env.setenv("AZURE_TENANT_ID", followed)
        assert azenvcloud.get_credential() is not None
