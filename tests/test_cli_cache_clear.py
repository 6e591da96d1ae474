"""``azenvcloud cache clear``: it deletes the token store's files (and, with ``--metadata``, the
metadata cache's documents) and nothing else: never through a symbolic link, never a sub-folder or
another file. On a configuration that does not resolve, it clears what it can find.

The folder then follows ``AZENVCLOUD_CACHE_DIR`` alone: the environment's, else a named .env
file's, else the user's cache folder; an implicit ``./.env`` never chooses it (the trust rule).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import entries, restart, tokens_dir

import azenvcloud
from azenvcloud import get_resource_client
from azenvcloud._cli import main
from azenvcloud._token_files import token_folder
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


def test_cache_clear_purges_the_disk(stored: FakeCloud, capsys: pytest.CaptureFixture[str]) -> None:
    restart()
    assert len(entries()) == 1
    assert main(["cache", "clear"]) == 0
    assert "deleted 1 token(s)" in capsys.readouterr().out
    assert entries() == []
    restart()
    assert len(stored.requests_of("token")) == 2


def test_cache_clear_with_metadata_purges_the_metadata_too(
    stored: FakeCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    restart()
    folder = Path(os.environ["AZENVCLOUD_CACHE_DIR"])
    assert list(folder.glob("*.json"))  # the authority's OpenID configuration
    assert main(["cache", "clear", "--metadata"]) == 0
    assert "metadata document(s)" in capsys.readouterr().out
    assert list(folder.glob("*.json")) == []
    assert entries() == []


def test_cache_clear_never_follows_a_symlinked_tokens_folder(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("id_rsa", "notes.txt", "0123456789abcdef0123456789abcdef.json"):
        (victim / name).write_text("precious")
    cache = tmp_path / "azcache"
    cache.mkdir()
    (cache / "tokens").symlink_to(victim)
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(cache))
    assert main(["cache", "clear"]) == 0
    assert len(os.listdir(victim)) == 3
    assert "is a symbolic link (not followed)" in capsys.readouterr().out


def test_cache_clear_never_follows_a_symlinked_cache_folder(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "project"
    (victim / "tokens").mkdir(parents=True)
    (victim / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    (victim / "tokens" / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    (tmp_path / "azcache").symlink_to(victim)
    azenvcloud_env.setenv("AZENVCLOUD_CACHE_DIR", str(tmp_path / "azcache"))
    assert main(["cache", "clear", "--metadata"]) == 0
    assert (victim / "0123456789abcdef0123456789abcdef.json").exists()
    assert (victim / "tokens" / "0123456789abcdef0123456789abcdef.json").exists()
    assert capsys.readouterr().out.count("is a symbolic link (not followed)") == 2


def test_cache_clear_deletes_only_the_stores_own_files(
    stored: FakeCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    restart()
    cache = Path(os.environ["AZENVCLOUD_CACHE_DIR"])
    (cache / "0123456789abcdef0123456789abcdef.lock").write_text("")  # a metadata entry's lock
    own = [*entries(), *tokens_dir().glob("*.lock"), *cache.glob("*.json"), *cache.glob("*.lock")]
    assert len(own) >= 4  # a token, its lock, the authority's OpenID configuration, a lock
    leftover = tokens_dir() / ".tmp-k2j4_x9a.json"  # a process killed between write and rename
    leftover.write_text("{}")
    theirs = [tokens_dir() / "github-pat.txt", cache / "package.json", cache / "tsconfig.json"]
    for path in theirs:
        path.write_text("{}")
    (tokens_dir() / "sub").mkdir()
    assert main(["cache", "clear", "--metadata"]) == 0
    out = capsys.readouterr().out
    assert not any(path.exists() for path in [*own, leftover])
    assert all(path.exists() for path in theirs)
    assert (tokens_dir() / "sub").is_dir()
    assert "deleted 1 token(s)" in out
    left = [line for line in out.splitlines() if line.startswith("left alone in")]
    assert len(left) == 2
    assert "'github-pat.txt'" in left[0]
    assert "'sub'" in left[0]
    assert "'package.json'" in left[1]
    assert ".lock" not in out


def test_cache_clear_with_a_sub_folder_never_tracebacks(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "tokens" / "sub").mkdir(parents=True)
    (cache / "tokens" / "0123456789abcdef0123456789abcdef.json").write_text("{}")
    env = {**os.environ, "AZENVCLOUD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "azenvcloud", "cache", "clear"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "deleted 1 token(s)" in done.stdout
    assert (cache / "tokens" / "sub").is_dir()
