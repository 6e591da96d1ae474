"""Named configurations on the command line: ``show --configuration NAME`` and ``check
--configuration NAME`` inspect one configuration through its own prefixed variables (``--online``
signs in with its own credential); ``check --all`` checks the default and every declared
configuration, one line each, prints the process-wide inputs once, and exits with the worst status
of its lines; ``show`` lists the declared configurations. Against the fake cloud acting as China for
the default and US Government for ``gov``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest

from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud, FakeConfiguration

Clouds = Callable[..., dict[str, FakeConfiguration]]


@contextmanager
def changed(**values: str | None) -> Iterator[None]:
    """The environment with ``values`` changed (``None``: removed) until the block ends, whatever
    the fixtures set before (restored exactly, so no fixture's restoring sees our values)."""
    with mock.patch.dict(os.environ):
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield


@pytest.fixture
def china_and_gov(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_fake_clouds: Clouds
) -> dict[str, FakeConfiguration]:
    return azenvcloud_fake_clouds(default="china", gov="usgov")


def line_of(out: str, name: str) -> str:
    found = [line for line in out.splitlines() if line.split()[:1] == [name]]
    assert len(found) == 1, out
    return found[0]


# -- check --all ----------------------------------------------------------------------------------


def test_check_all_with_every_configuration_right_exits_0_one_line_each(
    azenvcloud_fake_cloud: FakeCloud,
    china_and_gov: dict[str, FakeConfiguration],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--all"]) == 0
    out = capsys.readouterr().out
    assert line_of(out, "default").split()[1:3] == ["ok", "AzureChinaCloud"]
    assert line_of(out, "gov").split()[1:3] == ["ok", "AzureUSGovernment"]
    assert azenvcloud_fake_cloud.requests == []  # offline: nothing contacted


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GOV_AZURE_CLOUD", "usgovt"),  # a slip in a cloud name
        ("GOV_AZURE_RESOURCE_MANAGER", "https://management.chinacloudapi.cn"),  # another cloud's
    ],
)
def test_check_all_with_a_wrong_gov_value_exits_2_naming_it(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    with changed(**{variable: value}):
        assert main(["check", "--all"]) == 2
    captured = capsys.readouterr()
    assert line_of(captured.out, "default").split()[1:3] == ["ok", "AzureChinaCloud"]
    gov = line_of(captured.out, "gov")
    assert gov.split()[1] == "error"
    assert variable in gov
    assert variable in captured.err  # the one error line names it too
    assert "configuration error" in captured.err


def test_check_all_json_has_an_entry_per_configuration_and_the_process_part(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(GOV_AZURE_CLOUD="usgovt", AZURE_IDENTITY_DISABLE_MULTITENANTAUTH="true"):
        assert main(["check", "--all", "--json"]) == 2
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "error"
    assert document["exit_status"] == 2
    default, gov = document["configurations"]["default"], document["configurations"]["gov"]
    assert (default["status"], default["cloud_name"]) == ("ok", "AzureChinaCloud")
    assert gov["status"] == "error"
    assert gov["error"]["variables"][0] == "GOV_AZURE_CLOUD"
    assert document["process"]["variables"]["AZURE_IDENTITY_DISABLE_MULTITENANTAUTH"]["value"] == "true"
    assert document["process"]["variables"]["AZENVCLOUD_CONFIGURATIONS"]["value"] == "gov"


def test_check_all_prints_the_process_wide_inputs_once(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(AZURE_REGIONAL_AUTHORITY_NAME="usgovvirginia", HTTPS_PROXY="http://user:pw@127.0.0.1:9"):
        assert main(["check", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("AZURE_REGIONAL_AUTHORITY_NAME") == 1
    assert out.count(".env file") == 1
    assert "http://<redacted>@127.0.0.1:9" in out
    assert "user:pw" not in out  # a proxy's credentials never


def test_check_all_reads_the_env_file_it_is_given_for_every_configuration(
    china_and_gov: dict[str, FakeConfiguration],
    capsys: pytest.CaptureFixture[str],
    tmp_path: os.PathLike[str],
) -> None:
    env_file = os.path.join(tmp_path, "deploy.env")
    with open(env_file, "w", encoding="utf-8") as handle:
        handle.write("AZENVCLOUD_CONFIGURATIONS=gov,backup\nBACKUP_AZURE_CLOUD=usgovt\n")
    with changed(AZENVCLOUD_CONFIGURATIONS=None):
        assert main(["check", "--all", "--env-file", env_file, "--json"]) == 2
        document = json.loads(capsys.readouterr().out)
        assert list(document["configurations"]) == ["default", "gov", "backup"]
        assert document["configurations"]["backup"]["error"]["variables"][0] == "BACKUP_AZURE_CLOUD"
        assert document["process"]["env_file"] == os.path.realpath(env_file)
        assert document["process"]["variables"]["AZENVCLOUD_CONFIGURATIONS"]["source"].startswith(".env file")
        assert main(["check", "--all", "--no-env-file", "--json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert list(document["configurations"]) == ["default"]
        assert "AZENVCLOUD_ENV_FILE" not in document["process"]["variables"]  # the .env file's row says it
    assert "AZENVCLOUD_ENV_FILE" not in os.environ  # set for the command only


def test_check_all_notes_an_sdk_cloud_switch_of_another_cloud_than_a_named_configuration(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(AZURE_SDK_CLOUD_CONF="AZURE_CHINA_CLOUD"):
        assert main(["check", "--all"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "AZURE_SDK_CLOUD_CONF" in notes[0]
    assert "gov" in notes[0]
    assert "AzureUSGovernment" in notes[0]


def test_check_all_strict_makes_a_configurations_warning_exit_2(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(GOV_AZURE_CLUOD="usgov"):
        assert main(["check", "--all"]) == 0
        gov = line_of(capsys.readouterr().out, "gov")
        assert gov.split()[1] == "warnings"
        assert "GOV_AZURE_CLUOD" in gov  # the typo is gov's, on its line
        assert main(["check", "--all", "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err


def test_check_all_online_signs_in_with_each_configurations_own_credential(
    azenvcloud_fake_cloud: FakeCloud,
    china_and_gov: dict[str, FakeConfiguration],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--all", "--online"]) == 0
    out = capsys.readouterr().out
    assert "1 subscription" in line_of(out, "gov")
    tokens = {(r.host, r.configuration) for r in azenvcloud_fake_cloud.requests if r.kind == "token"}
    assert tokens == {("login.chinacloudapi.cn", "default"), ("login.microsoftonline.us", "gov")}
    listings = {(r.host, r.configuration) for r in azenvcloud_fake_cloud.requests if r.kind == "arm"}
    assert listings == {("management.chinacloudapi.cn", "default"), ("management.usgovcloudapi.net", "gov")}


def test_check_all_with_a_malformed_declaration_exits_2_naming_it(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(AZENVCLOUD_CONFIGURATIONS="gov,Bad_Name"):
        assert main(["check", "--all"]) == 2
    assert "AZENVCLOUD_CONFIGURATIONS" in capsys.readouterr().err


# -- check --configuration NAME ------------------------------------------------------------------


def test_check_configuration_reports_the_named_one_with_its_prefixed_variables(
    azenvcloud_fake_cloud: FakeCloud,
    china_and_gov: dict[str, FakeConfiguration],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with changed(GOV_AZURE_SUBSCRIPTION_ID=None):
        assert main(["check", "--configuration", "gov"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("configuration gov: ok, cloud AzureUSGovernment\n")
    assert "https://login.microsoftonline.us" in out
    assert "(not set; GOV_AZURE_SUBSCRIPTION_ID)" in out
    assert "first credential  ClientSecretCredential" in out
    assert azenvcloud_fake_cloud.requests == []


def test_check_configuration_online_gets_a_token_with_its_own_credential(
    azenvcloud_fake_cloud: FakeCloud,
    china_and_gov: dict[str, FakeConfiguration],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--configuration", "gov", "--online", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["name"] == "gov"
    assert document["token"]["credential"] == "ClientSecretCredential"
    assert document["scope"] == "https://management.core.usgovcloudapi.net/.default"
    assert document["subscription_listed"] is True
    tokens = [(r.host, r.configuration) for r in azenvcloud_fake_cloud.requests if r.kind == "token"]
    assert tokens == [("login.microsoftonline.us", "gov")]  # gov's chain, never the default's


def test_check_configuration_with_a_wrong_value_exits_2_naming_the_prefixed_variable(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(GOV_AZURE_CLOUD="usgovt"):
        assert main(["check", "--configuration", "gov"]) == 2
    assert "GOV_AZURE_CLOUD='usgovt'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "show"])
@pytest.mark.parametrize("name", ["backup", "Bad_Name!"])
def test_an_undeclared_or_malformed_configuration_is_exit_2_naming_the_option_and_the_declared_names(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str], command: str, name: str
) -> None:
    assert main([command, "--configuration", name]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--configuration" in err
    assert "Accepted: default, gov" in err


def test_configuration_and_all_are_one_or_the_other(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--all", "--configuration", "gov"])
    assert exited.value.code == 64


# -- show -----------------------------------------------------------------------------------------


def test_show_configuration_shows_its_values_sources_and_identity_under_prefixed_names(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    gov = china_and_gov["gov"]
    assert main(["show", "--configuration", "gov"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("azenvcloud ")
    assert "configuration gov: cloud AzureUSGovernment" in out.splitlines()[0]
    assert "GOV_AZURE_AUTHORITY_HOST" in out
    assert "GOV_AZURE_CLIENT_ID" in out
    assert "GOV_AZURE_CLIENT_SECRET" in out
    assert gov.client_secret not in out
    assert "ClientSecretCredential" in out
    assert "GOV_AZURE_SERVICE_" in out


def test_show_configuration_json(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    gov = china_and_gov["gov"]
    assert main(["show", "--configuration", "gov", "--json"]) == 0
    text = capsys.readouterr().out
    assert gov.client_secret not in text
    document = json.loads(text)
    assert document["name"] == "gov"
    assert document["cloud_name"] == "AzureUSGovernment"
    assert document["values"]["authority_host"]["value"] == "https://login.microsoftonline.us"
    assert document["identity_variables"]["GOV_AZURE_CLIENT_SECRET"] == {
        "value": None,
        "hidden": True,
        "source": "environment",
    }
    assert [item["credential"] for item in document["credential_chain"]] == ["ClientSecretCredential"]


def test_show_lists_the_declared_configurations(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("named configurations")] == [
        "named configurations: gov (AZENVCLOUD_CONFIGURATIONS; show --configuration NAME, check --all)"
    ]
    assert main(["show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["configurations"] == ["gov"]


def test_show_with_a_malformed_declaration_warns_and_still_shows_the_default(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(AZENVCLOUD_CONFIGURATIONS="gov,Bad_Name"):
        assert main(["show"]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    assert any("AZENVCLOUD_CONFIGURATIONS" in line for line in warnings)


# -- check: Application Insights of another cloud -------------------------------------------------

_PUBLIC_CONNECTION_STRING = (
    "InstrumentationKey=00000000-0000-4000-8000-000000000000;"
    "IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/;"
    "LiveEndpoint=https://eastus.livediagnostics.monitor.azure.com/"
)


def test_check_refuses_an_application_insights_connection_string_of_another_cloud(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "usgovernment")
    azenvcloud_env.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", _PUBLIC_CONNECTION_STRING)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" in err
    assert "AzureCloud" in err


def test_check_accepts_an_application_insights_connection_string_of_its_cloud(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_CLOUD", "public")
    azenvcloud_env.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", _PUBLIC_CONNECTION_STRING)
    assert main(["check"]) == 0


def test_check_all_refuses_a_named_configurations_connection_string_of_another_cloud(
    china_and_gov: dict[str, FakeConfiguration], capsys: pytest.CaptureFixture[str]
) -> None:
    with changed(GOV_APPLICATIONINSIGHTS_CONNECTION_STRING=_PUBLIC_CONNECTION_STRING):
        assert main(["check", "--all"]) == 2
    assert "GOV_APPLICATIONINSIGHTS_CONNECTION_STRING" in line_of(capsys.readouterr().out, "gov")
