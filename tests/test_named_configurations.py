"""Named configurations: ``AZENVCLOUD_CONFIGURATIONS=gov`` declares ``gov``, whose settings are its
own ``GOV_`` variables (derived from the one declaration of each variable), read from the same
sources with the same precedence and trust rule as the default's, never falling back to an
unprefixed value; ``azenvcloud.configuration("gov")`` is its cached object."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import ConfigurationError
from azenvcloud._variables import FIELDS, own_values

US_GOV = "https://login.microsoftonline.us"


@pytest.fixture
def env(azenvcloud_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    return azenvcloud_env


def test_a_declared_configuration_reads_its_own_prefixed_variables(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov,backup")
    env.setenv("AZURE_CLOUD", "china")
    env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    env.setenv("GOV_AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000000a")
    gov = azenvcloud.configuration("gov")
    assert gov is azenvcloud.configuration("gov")  # cached
    assert gov.settings.cloud_name == "AzureUSGovernment"
    assert gov.settings.authority_host == US_GOV
    assert gov.settings.subscription_id == "00000000-0000-0000-0000-00000000000a"
    assert gov.settings.configuration == "gov"
    assert azenvcloud.get_settings().cloud_name == "AzureChinaCloud"  # the default, unchanged
    assert azenvcloud.get_settings().configuration is None
    assert gov.service_url("keyvault", "kv1") == "https://kv1.vault.usgovcloudapi.net"


def test_an_unprefixed_value_never_fills_a_named_configuration(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("AZURE_CLOUD", "china")
    env.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000000b")
    env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    settings = azenvcloud.configuration("gov").settings
    assert settings.cloud_name == "AzureCloud"  # its own default, not AZURE_CLOUD
    assert settings.subscription_id is None
    assert settings.token_cache == "off"


def test_every_per_configuration_setting_is_read_under_the_prefix() -> None:
    environment = {f"GOV_{variable.name}": "x" for variable in FIELDS}
    environment |= {variable.name: "y" for variable in FIELDS}
    own = own_values("gov", environment)
    assert set(own) == {variable.name for variable in FIELDS if variable.scope == "configuration"}
    assert set(own.values()) == {"x"}
    assert own_values("gov", {"GOV_AZENVCLOUD_ENV_FILE": "f", "GOV_AZURE_SDK_CLOUD_CONF": "c"}) == {}
    assert own_values("gov", {"GOV_AZURE_TOKEN_CREDENTIALS": "dev", "GOV_AZURE_USERNAME": "u"}) == {}


@pytest.mark.parametrize(
    ("declared", "why"),
    [
        pytest.param("gov,GOV", "declared twice", id="duplicate-case-insensitively"),
        pytest.param("gov,default", "reserved", id="reserved-default"),
        pytest.param("tf", "reserved", id="reserved-other-tool"),
        pytest.param("gov_east", "no configuration name", id="underscore"),
        pytest.param("1gov", "no configuration name", id="digit-first"),
        pytest.param("a" * 21, "no configuration name", id="too-long"),
        pytest.param("Gov", "no configuration name", id="uppercase"),
    ],
)
def test_a_bad_declaration_is_one_error_naming_the_variable_value_and_what_is_accepted(
    env: pytest.MonkeyPatch, declared: str, why: str
) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", declared)
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov")
    message = str(caught.value)
    assert f"AZENVCLOUD_CONFIGURATIONS='{declared}'" in message
    assert why in message
    assert "Accepted: comma-separated names" in message
    assert caught.value.variables == ("AZENVCLOUD_CONFIGURATIONS",)


@pytest.mark.parametrize(
    "declared",
    ["gov", "gov,backup", " gov , backup ,", "a" * 20, "gov,Gov", "Gov", "gov,tf", "gov_east,x1", "", " , "],
)
def test_the_strict_and_the_lenient_reading_of_a_declaration_are_one_rule(declared: str) -> None:
    """The named configurations read the declaration strictly; the typo check leniently (it must
    never fail): where the strict reading accepts, both give the same names; where it refuses, the
    lenient one keeps only words that (in lower case) are names, and never fails."""
    from azenvcloud._configuration_names import declared_names, is_configuration_name, parse_declaration

    lenient = declared_names({"AZENVCLOUD_CONFIGURATIONS": declared}, {})
    try:
        strict = parse_declaration(declared, "in the environment")
    except ConfigurationError:
        assert all(is_configuration_name(name) for name in lenient)
        assert any(word.strip() and word.strip() not in lenient for word in declared.split(","))
    else:
        assert lenient == strict


def test_the_name_rule_is_one_for_prefixes_variables_and_the_fake() -> None:
    from azenvcloud._configuration_names import RESERVED, prefix_of, variable_of
    from azenvcloud.testing import FakeCloud

    assert prefix_of("gov") == "GOV_"
    assert variable_of("gov", "AZURE_CLOUD") == "GOV_AZURE_CLOUD"
    assert variable_of(None, "AZURE_CLOUD") == "AZURE_CLOUD"
    assert own_values("gov", {"GOV_AZURE_CLOUD": "china"}) == {"AZURE_CLOUD": "china"}
    for name in (*RESERVED, "gov_east", "Gov", "1gov"):
        with pytest.raises(ValueError, match="cannot name a configuration"):
            prefix_of(name)
    with FakeCloud() as fake, pytest.raises(ValueError, match="cannot name a configuration"):
        fake.as_clouds(tf="usgov").__enter__()


def test_the_environments_declaration_wins_unless_blank(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("AZENVCLOUD_CONFIGURATIONS=backup\n", encoding="utf-8")
    env.setenv("AZENVCLOUD_ENV_FILE", str(dotenv))
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    assert azenvcloud.configuration("gov").name == "gov"
    with pytest.raises(ConfigurationError, match="declares gov\\)"):
        azenvcloud.configuration("backup")
    env.setenv("AZENVCLOUD_CONFIGURATIONS", " ")  # blank: no value, as for every setting
    azenvcloud.reset()
    assert azenvcloud.configuration("backup").name == "backup"
    dotenv.write_text("AZENVCLOUD_CONFIGURATIONS=backup,tf\n", encoding="utf-8")
    azenvcloud.reset()
    with pytest.raises(ConfigurationError, match=re.escape(f"from the .env file {dotenv}) is not usable")):
        azenvcloud.configuration("backup")


def test_an_undeclared_name_is_refused_naming_the_declaration(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("BACKUP_AZURE_CLOUD", "china")
    with pytest.raises(ConfigurationError, match="AZENVCLOUD_CONFIGURATIONS=gov,backup"):
        azenvcloud.configuration("backup")


def test_a_bad_value_names_the_prefixed_variable(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    env.setenv("GOV_AZURE_RESOURCE_MANAGER", "https://management.chinacloudapi.cn")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_settings()
    assert "GOV_AZURE_RESOURCE_MANAGER" in str(caught.value)
    assert "GOV_AZURE_RESOURCE_MANAGER" in caught.value.variables
    assert all(name.startswith("GOV_") for name in caught.value.variables)


@pytest.mark.parametrize(
    "asked",
    [
        lambda gov: gov.service_url("appconfig", "store1"),
        lambda gov: gov.service_scope("appconfig"),
        lambda gov: gov.check_service_url("appconfig", "https://store1.azconfig.azure.com"),
    ],
    ids=["service_url", "service_scope", "check_service_url"],
)
def test_a_service_of_a_named_configuration_names_its_prefixed_variables(
    env: pytest.MonkeyPatch, asked
) -> None:
    """Asked of ``configuration("gov")`` directly (not only through a settings source), a service
    its cloud has no value for names gov's own variables, never the default's."""
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZURE_CLOUD", "bleu")  # no sourced App Configuration values
    with pytest.raises(ConfigurationError) as caught:
        asked(azenvcloud.configuration("gov"))
    variables = caught.value.variables
    assert any(name.startswith("GOV_") for name in variables), variables
    assert not [name for name in variables if name.startswith(("AZURE_", "AZENVCLOUD_"))], variables
    assert re.search(r"(?<![A-Z_])AZ(URE|ENVCLOUD)_", str(caught.value)) is None, str(caught.value)


def test_the_sdk_cloud_switch_is_checked_against_the_default_only(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("AZURE_CLOUD", "china")
    env.setenv("AZURE_SDK_CLOUD_CONF", "AZURE_CHINA_CLOUD")
    env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    assert azenvcloud.configuration("gov").settings.cloud_name == "AzureUSGovernment"
    assert azenvcloud.get_settings().cloud_name == "AzureChinaCloud"


def test_named_values_in_a_dotenv_file_are_read_never_exported(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv = tmp_path / "deploy.env"
    dotenv.write_text(
        "AZENVCLOUD_CONFIGURATIONS=gov\nGOV_AZURE_CLOUD=usgovernment\nGOV_AZURE_TENANT_ID=t1\n"
        "GOV_AZURE_CLIENT_ID=c1\nGOV_AZURE_CLIENT_SECRET=Xk4e1b9d7c3a5f08e2d6b4c1a9f7e3d5b2\n",
        encoding="utf-8",
    )
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(dotenv))
    gov = azenvcloud.configuration("gov")
    assert gov.settings.cloud_name == "AzureUSGovernment"
    gov.get_credential()
    azenvcloud.get_credential()  # the default's exports azure-identity's variables from the file
    assert not [name for name in os.environ if name.startswith("GOV_")]
    assert "Xk4e1b9d7c3a5f08e2d6b4c1a9f7e3d5b2" not in os.environ.values()


def test_an_implicit_dotenv_may_declare_a_name_and_select_a_builtin_cloud_for_it(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("AZENVCLOUD_CONFIGURATIONS=gov\nGOV_AZURE_CLOUD=usgov\n", encoding="utf-8")
    assert azenvcloud.configuration("gov").settings.cloud_name == "AzureUSGovernment"


@pytest.mark.parametrize(
    ("line", "variable"),
    [
        pytest.param(
            "GOV_AZURE_AUTHORITY_HOST=https://login.evil.example", "GOV_AZURE_AUTHORITY_HOST", id="authority"
        ),
        pytest.param(
            "GOV_AZURE_RESOURCE_MANAGER=https://arm.evil.example", "GOV_AZURE_RESOURCE_MANAGER", id="arm"
        ),
        pytest.param(
            "GOV_AZURE_CLOUD_METADATA_URL=https://evil.example/meta",
            "GOV_AZURE_CLOUD_METADATA_URL",
            id="metadata",
        ),
        pytest.param(
            "GOV_AZENVCLOUD_ACCEPTED_HOSTS=*.evil.example", "GOV_AZENVCLOUD_ACCEPTED_HOSTS", id="accepted"
        ),
        pytest.param(
            "GOV_AZURE_SERVICE_KEYVAULT_SUFFIX=vault.evil.example",
            "GOV_AZURE_SERVICE_KEYVAULT_SUFFIX",
            id="service",
        ),
        pytest.param(
            "GOV_AZENVCLOUD_TOKEN_CACHE=unencrypted", "GOV_AZENVCLOUD_TOKEN_CACHE", id="token-cache"
        ),
        pytest.param(
            "GOV_AZURE_FEDERATED_TOKEN_FILE=/etc/passwd", "GOV_AZURE_FEDERATED_TOKEN_FILE", id="token-file"
        ),
    ],
)
def test_an_implicit_dotenv_cannot_point_a_named_destination_anywhere(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, line: str, variable: str
) -> None:
    (tmp_path / ".env").write_text(
        f"AZENVCLOUD_CONFIGURATIONS=gov\nGOV_AZURE_CLOUD=usgovernment\n{line}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_settings()
    assert variable in caught.value.variables
    assert "found in the working directory without being named" in str(caught.value)


def test_an_implicit_dotenv_may_repeat_the_named_clouds_own_value(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"AZENVCLOUD_CONFIGURATIONS=gov\nGOV_AZURE_CLOUD=usgovernment\nGOV_AZURE_AUTHORITY_HOST={US_GOV}\n",
        encoding="utf-8",
    )
    assert azenvcloud.configuration("gov").settings.authority_host == US_GOV


def test_a_named_configuration_without_an_identity_of_its_own_never_uses_the_unprefixed_one(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    env.setenv("AZURE_TENANT_ID", "tenant-of-the-default")
    env.setenv("AZURE_CLIENT_ID", "client-of-the-default")
    env.setenv("AZURE_CLIENT_SECRET", "secret-of-the-default")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_credential()
    message = str(caught.value)
    assert "GOV_AZURE_CLIENT_ID" in message
    assert "GOV_AZURE_CLIENT_SECRET" in message
    assert "secret-of-the-default" not in message
    assert set(caught.value.variables) >= {"GOV_AZURE_CLIENT_ID", "GOV_AZURE_TENANT_ID"}


def test_an_incomplete_identity_names_what_is_missing(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("AZURE_TENANT_ID", "tenant-of-the-default")
    env.setenv("GOV_AZURE_CLIENT_ID", "c1")
    env.setenv("GOV_AZURE_CLIENT_SECRET", "s1")
    with pytest.raises(
        ConfigurationError, match="GOV_AZURE_CLIENT_SECRET is set but GOV_AZURE_TENANT_ID not"
    ):
        azenvcloud.configuration("gov").get_credential()


def test_the_chain_has_only_the_configurations_own_members(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token_file = tmp_path / "gov-token"
    token_file.write_text("projected", encoding="utf-8")
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    env.setenv("GOV_AZURE_TENANT_ID", "t1")
    env.setenv("GOV_AZURE_CLIENT_ID", "c1")
    env.setenv("GOV_AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    env.setenv("GOV_AZENVCLOUD_MANAGED_IDENTITY", "system")
    # The process's own workload identity: the managed identity member must not wrap it.
    env.setenv("AZURE_TENANT_ID", "t0")
    env.setenv("AZURE_CLIENT_ID", "c0")
    env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "process-token"))
    chain = azenvcloud.configuration("gov").get_credential().credential
    names = [type(member).__name__ for member in chain.credentials]
    assert names == ["WorkloadIdentityCredential", "ManagedIdentityCredential"]
    workload, managed = chain.credentials
    assert workload._token_file_path == str(token_file)
    assert type(managed._credential).__name__ != "WorkloadIdentityCredential"


def test_a_client_id_alone_is_a_user_assigned_managed_identity(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZURE_CLIENT_ID", "c1")
    chain = azenvcloud.configuration("gov").get_credential().credential
    assert [type(member).__name__ for member in chain.credentials] == ["ManagedIdentityCredential"]


def test_a_bad_managed_identity_value_names_its_variable(env: pytest.MonkeyPatch) -> None:
    env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    env.setenv("GOV_AZENVCLOUD_MANAGED_IDENTITY", "user")
    with pytest.raises(ConfigurationError, match="GOV_AZENVCLOUD_MANAGED_IDENTITY='user'"):
        azenvcloud.configuration("gov").get_credential()
