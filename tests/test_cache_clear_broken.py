"""``azenvcloud cache clear`` on a configuration that does not resolve: it clears what it can find.

The folder then follows ``AZENVCLOUD_CACHE_DIR`` alone: the environment's, else a named .env
file's, else the user's cache folder; an implicit ``./.env`` never chooses it (the trust rule).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import azenvcloud
from azenvcloud import get_resource_client
from azenvcloud._cli import main
from azenvcloud._token_store import token_folder
from azenvcloud.testing import FakeCloud


def start() -> None:
    """A process start with the store on: one token stored on disk."""
    azenvcloud.reset()
    get_resource_client().resource_groups.list().next()


def planted(cache_dir: Path) -> Path:
    """A token entry in the store under ``cache_dir`` (its content does not matter to a purge)."""
    folder = token_folder(str(cache_dir))
    folder.mkdir(parents=True)
    entry = folder / "0123456789abcdef0123456789abcdef.json"
    entry.write_text("{}")
    return entry


@pytest.fixture
def user_cache(azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user's cache folder (``XDG_CACHE_HOME``) in ``tmp_path``; no ``AZENVCLOUD_CACHE_DIR``."""
    azenvcloud_env.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    azenvcloud_env.delenv("AZENVCLOUD_CACHE_DIR")
    return tmp_path / "xdg" / "azenvcloud" / "metadata"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("AZENVCLOUD_TOKEN_CACHE", "encrypted", id="a-refused-token-store-mode"),
        pytest.param("AZENVCLOUD_METADATA_TTL", "soon", id="a-malformed-ttl"),
        pytest.param("AZURE_RESOURCE_MANAGER", "http://arm.example", id="a-plain-http-endpoint"),
    ],
)
def test_a_broken_configuration_still_clears_the_stored_tokens(
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    start()
    folder = token_folder(os.environ["AZENVCLOUD_CACHE_DIR"])
    assert len(list(folder.glob("*.json"))) == 1
    azenvcloud_env.setenv(variable, value)
    azenvcloud.reset()  # a new process: the settings are read again
    with pytest.raises(azenvcloud.ConfigurationError):
        azenvcloud.get_settings()  # the configuration is broken indeed
    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "the configuration does not resolve" in out
    assert f"deleted 1 token(s) from {folder}" in out
    assert list(folder.glob("*.json")) == []


def test_a_named_env_file_names_the_folder(
    user_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = planted(tmp_path / "named-cache")
    env_file = tmp_path / "app.env"
    folder = tmp_path / "named-cache"
    env_file.write_text(f"AZENVCLOUD_CACHE_DIR={folder}\nAZENVCLOUD_TOKEN_CACHE=encrypted\n")
    assert main(["cache", "clear", "--env-file", str(env_file)]) == 0
    assert "deleted 1 token(s)" in capsys.readouterr().out
    assert not entry.exists()


def test_an_implicit_env_file_never_names_the_folder(
    user_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = planted(tmp_path / "planted-cache")
    mine = planted(user_cache)
    Path(".env").write_text(f"AZENVCLOUD_CACHE_DIR={tmp_path / 'planted-cache'}\n")  # refused: broken
    assert main(["cache", "clear"]) == 0
    assert f"deleted 1 token(s) from {token_folder(str(user_cache))}" in capsys.readouterr().out
    assert elsewhere.exists()
    assert not mine.exists()


def test_a_relative_cache_folder_clears_nothing_and_says_why(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = planted(Path("relative-cache").absolute())
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", "relative-cache")
    assert main(["cache", "clear"]) == 2
    err = capsys.readouterr().err
    assert "AZENVCLOUD_CACHE_DIR='relative-cache'" in err
    assert entry.exists()
