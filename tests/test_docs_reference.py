"""The reference pages name everything there is: every variable, command, option and fixture.

A new command or option of the CLI, or a new fixture of the pytest plugin, fails here until
docs/reference/ documents it. The variables reference is generated from the declarations when the
site is built (docs/_hooks.py): here, the page as the site shows it has every variable's row.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import pytest_plugin
from azenvcloud._cli import _parser, main
from azenvcloud._provenance import VARIABLES
from azenvcloud.testing import FakeCloud

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _page(name: str) -> str:
    """A reference page as the site shows it: its generated parts filled in by the docs hook."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return str(hooks.generated((DOCS / "reference" / name).read_text(encoding="utf-8")))


def _table_rows(page: str) -> dict[str, str]:
    """First cell (without backticks) -> the whole row, for every Markdown table row."""
    rows = {}
    for line in page.splitlines():
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match:
            rows[match[1]] = line
    return rows


@pytest.mark.parametrize(("attribute", "variable"), sorted(VARIABLES.items()))
def test_every_variable_has_a_row_with_its_attribute(attribute: str, variable: str) -> None:
    row = _table_rows(_page("variables.md")).get(variable)
    assert row is not None, f"{variable} has no row in docs/reference/variables.md"
    assert f"`{attribute}`" in row


def test_the_variables_reference_lists_every_service_in_order() -> None:
    from azenvcloud import SERVICE_NAMES

    page = " ".join(_page("variables.md").split())
    start = page.index("`<SERVICE>` is one of:")
    listed = re.findall(r"`(\w+)` \(", page[start : page.index("## ", start)])
    assert listed == list(SERVICE_NAMES)


def test_the_env_file_variable_has_a_row() -> None:
    assert "AZENVCLOUD_ENV_FILE" in _table_rows(_page("variables.md"))


def test_every_declared_variable_has_a_row_with_its_trust_rule() -> None:
    from azenvcloud._variables import ALL

    rows = _table_rows(_page("variables.md"))
    for variable in ALL:
        assert variable.name in rows, f"{variable.name} has no row in the variables reference"
        assert variable.trust.reason in rows[variable.name]
    assert "<!-- generated" not in _page("variables.md")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_command_and_option_is_in_the_command_line_reference(command: str) -> None:
    page = _page("cli.md")
    section = page.split(f"### `azenvcloud {command}`", 1)
    assert len(section) == 2, f"no section for `azenvcloud {command}` in docs/reference/cli.md"
    body = section[1].split("\n### ", 1)[0]
    for action in _subcommands()[command]._actions:
        for option in action.option_strings:
            if option not in {"-h", "--help"}:
                assert f"`{option}" in body, f"{command} {option} is not documented"
    assert f"`{command}" in page.split("## Options", 1)[0], f"{command} is not in the commands table"


def test_every_exit_status_is_in_the_command_line_reference() -> None:
    from azenvcloud._cli import _output

    statuses = {value for name, value in vars(_output).items() if name.startswith("EXIT_")}
    rows = {
        line.split("|")[1].strip() for line in _page("cli.md").splitlines() if re.match(r"^\| \d+ \|", line)
    }
    assert {str(status) for status in statuses} == rows


def test_every_fixture_is_in_the_fixtures_reference() -> None:
    fixtures = {name for name in vars(pytest_plugin) if name.startswith("azenvcloud_")}
    assert fixtures, "the plugin defines its fixtures as azenvcloud_* functions"
    assert fixtures <= set(_table_rows(_page("testing.md")))


def test_the_readme_states_no_figure_that_drifts() -> None:
    """A count of tests, a duration or a size measured once is wrong a week later: the README
    says what stays true and how to get today's figure (the performance page keeps dated
    measurements, with how they were taken)."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    figures = re.findall(r"\b\d[\d,.]*\s*(?:tests?|seconds?|minutes?|hours?|[KMG]i?B)\b", readme)
    assert figures == []


CLI_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"


# Containers whose keys are names (settings, variables, services, clouds), not fixed keys.
_NAMED_KEYS = {"values", "identity_variables", "services", "variables", "variants", "configurations"}


def _keys(document: Any, below: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(document, list):
        for item in document:
            found |= _keys(item, below)
    elif isinstance(document, dict):
        for key, value in document.items():
            if below not in _NAMED_KEYS:
                found.add(key)
            # A variant (dod) holds services by name, as "services" does.
            found |= _keys(
                value, key if below not in _NAMED_KEYS else "services" if below == "variants" else ""
            )
    return found


def test_every_key_of_every_json_document_is_documented(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azenvcloud_env.setenv("AZURE_SERVICE_KEYVAULT_SUFFIX", "vault.fake.azenvcloud.test")  # a *_source key
    documents = []
    for command in (
        ["show", "--json"],
        ["check", "--json"],
        ["check", "--online", "--json"],
        ["clouds", "--json"],
    ):
        assert main(command) == 0
        documents.append(json.loads(capsys.readouterr().out))
    snapshot = Path("cloud.json")
    snapshot.write_text(
        json.dumps(azenvcloud_fake_cloud.metadata_2022(azenvcloud_fake_cloud.url)), encoding="utf-8"
    )
    assert main(["env", "--from-metadata", str(snapshot), "--json"]) == 0
    documents.append(json.loads(capsys.readouterr().out))
    # Named configurations: one of them, then all (one with an error, the process-wide part).
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov,broken")
    for name, value in {**azenvcloud_fake_cloud.environment(), "AZURE_CLOUD": None}.items():
        if name.startswith("AZURE_") and value is not None:
            azenvcloud_env.setenv(f"GOV_{name}", value)
    azenvcloud_env.setenv("BROKEN_AZURE_CLOUD", "nowhere")
    azenvcloud_env.setenv("AZURE_SDK_CLOUD_CONF", "AZURE_CHINA_CLOUD")  # a note
    azenvcloud.reset()
    for command, status in (
        (["show", "--configuration", "gov", "--json"], 0),
        (["check", "--configuration", "gov", "--online", "--json"], 0),
        (["check", "--all", "--json"], 2),
    ):
        assert main(command) == status, command
        documents.append(json.loads(capsys.readouterr().out))
    for name in ("AZENVCLOUD_CONFIGURATIONS", "AZURE_SDK_CLOUD_CONF"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLUOD", "x")
    azenvcloud.reset()  # the next process
    assert main(["check", "--strict", "--json"]) == 2
    documents.append(json.loads(capsys.readouterr().out))
    with azenvcloud_fake_cloud.route_hosts("login.microsoftonline.com"):
        assert main(["tenant", azenvcloud_fake_cloud.tenant_id, "--cloud", "public", "--json"]) == 0
    documents.append(json.loads(capsys.readouterr().out))
    page = CLI_REFERENCE.read_text(encoding="utf-8").split("## `--json` output", 1)[1].split("\n## ", 1)[0]
    undocumented = sorted(key for key in set().union(*map(_keys, documents)) if f'"{key}"' not in page)
    assert undocumented == []
