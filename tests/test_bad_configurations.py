"""A bad configuration is one ``ConfigurationError`` naming its variable: an adversarial corpus of
bad configurations, kept as data, and secret canaries.

Every entry of ``data/bad_configurations.json`` must give one ``ConfigurationError`` naming the
variable at fault (first), never another exception; the command line must exit 2 with one
line and no traceback. A secret canary is set throughout and must appear in no output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import DATA

import azenvcloud
from azenvcloud._cli import main

CORPUS: list[dict[str, Any]] = json.loads((DATA / "bad_configurations.json").read_text(encoding="utf-8"))
SECRET_CANARY = "canary-secret-4b1d-do-not-print"
PASSWORD_CANARY = "canary-password-77e2-do-not-print"

PUBLIC_METADATA = (DATA / "metadata-2022-09-01-public.json").read_text(encoding="utf-8")
ADFS_METADATA = json.dumps(
    {
        "name": "AzureStack",
        "resourceManager": "https://management.local.azurestack.external/",
        "authentication": {
            "loginEndpoint": "https://adfs.local.azurestack.external/adfs",
            "audiences": ["https://management.adfs.azurestack.external/0000"],
            "identityProvider": "ADFS",
        },
    }
)
PLACEHOLDERS = {"__public_metadata__": PUBLIC_METADATA, "__adfs_metadata__": ADFS_METADATA}


def entry_id(entry: dict[str, Any]) -> str:
    shown = {**entry["env"], **({".env": entry["dotenv"]} if "dotenv" in entry else {})}
    text = ",".join(f"{k}={v}" for k, v in shown.items())
    return f"{entry['category']}:{text[:60]!r}"


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 200
    assert {entry["category"] for entry in CORPUS} >= {
        "wrong scheme",
        "user-info URL",
        "unicode look-alike host",
        "whitespace or control character",
        "very long value",
        "non-GUID subscription ID",
        "mixed-cloud triple",
        "unknown or retired cloud name",
        "malformed .env file",
        "malformed metadata or az cloud show file",
        "mixed-cloud through metadata",
        "unusable .env file",
        "cache setting",
        "identity variable",
        "untrusted destination in ./.env",
    }


def apply(entry: dict[str, Any], env: pytest.MonkeyPatch, folder: Path) -> None:
    env.setenv("AZURE_CLIENT_ID", "0c0ffee0-0000-4000-8000-000000000001")
    env.setenv("AZURE_CLIENT_SECRET", SECRET_CANARY)
    env.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", PASSWORD_CANARY)
    for name, content in entry.get("files", {}).items():
        (folder / name).write_text(PLACEHOLDERS.get(content, content), encoding="utf-8")
    if "dotenv" in entry:
        dotenv = folder / ".env"
        if entry["dotenv"] == "__not_utf8__":
            dotenv.write_bytes(b"AZURE_CLOUD=\xff\xfechina\n")
        else:
            dotenv.write_text(entry["dotenv"], encoding="utf-8")
    for name, value in entry["env"].items():
        env.setenv(name, value.replace("{tmp}", str(folder)))


@pytest.mark.parametrize("entry", CORPUS, ids=[entry_id(entry) for entry in CORPUS])
def test_bad_configuration_names_the_variable_and_the_cli_says_one_line(
    entry: dict[str, Any],
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    apply(entry, azenvcloud_env, tmp_path)
    with pytest.raises(azenvcloud.ConfigurationError) as caught:
        azenvcloud.get_credential()  # resolves the settings first
    assert caught.value.variables[0] == entry["variable"]
    assert entry["variable"] in str(caught.value)
    azenvcloud.reset()
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("azenvcloud: configuration error: ")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    for canary in (SECRET_CANARY, PASSWORD_CANARY):
        assert canary not in str(caught.value)
        assert canary not in repr(caught.value)
        assert canary not in captured.err
