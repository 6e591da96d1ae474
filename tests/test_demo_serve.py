"""``demo --serve`` never leaves a shell trusting a file another user can write.

The shell it configures trusts a CA bundle by path (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``,
``SSL_CERT_FILE``) and sends its client secret to an authority on 127.0.0.1. Those files live in
a new folder of the user's own (``$XDG_RUNTIME_DIR``, else the user cache folder), never under
``/tmp`` by a name another user could take once the demo deleted it; the fake CA's private key is
never written anywhere; after the demo stops, a shell that kept the lines fails TLS with whoever
listens on the freed port, and the closing lines say what to unset.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from helpers import GUARDED_CHECK

from azenvcloud._ca import CA_VARIABLES

# `demo --serve` with every file it creates, and every file it opens for writing, noted (Python's
# audit events): what it writes is what a test can then look at.
_AUDITED_SERVE = """
import json, os, sys
written = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        if (args[2] or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC):
            written.append(os.path.abspath(os.fsdecode(args[0])))
    elif event == "os.mkdir":
        written.append(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
from azenvcloud._cli import main
status = main(["demo", "--serve"])
noted = list(written)
with open(os.environ["WRITTEN_LOG"], "w") as log:
    json.dump(noted, log)
sys.exit(status)
"""


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """An environment for the demo's process: a /tmp others can write (1777, as /tmp is), the
    user's runtime folder (0700, as /run/user/UID is) and home, no AZURE_ variable."""
    folders = {"TMPDIR": (tmp_path / "tmp", 0o1777), "XDG_RUNTIME_DIR": (tmp_path / "run", 0o700)}
    for folder, mode in folders.values():
        folder.mkdir()
        folder.chmod(mode)
    (tmp_path / "home").mkdir()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AZURE_")}
    environment.pop("AZENVCLOUD_CACHE_DIR", None)
    return {
        **environment,
        **{name: str(folder) for name, (folder, _) in folders.items()},
        "HOME": str(tmp_path / "home"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "WRITTEN_LOG": str(tmp_path / "written.json"),
    }


class Served:
    """A running ``demo --serve``: what it printed before ``# serving``, and after it stopped."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.exported: dict[str, str] = {}
        self.before: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            self.before.append(line)
            if line.startswith("# serving"):
                break
            if line.startswith("export "):
                name, value = shlex.split(line[len("export ") :])[0].split("=", 1)
                self.exported[name] = value

    def stop(self) -> str:
        """Stop it as Ctrl-C does; what it printed then."""
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0
        return rest


@pytest.fixture
def serve(machine: dict[str, str], tmp_path: Path) -> Iterator[Served]:
    with subprocess.Popen(
        [sys.executable, "-c", _AUDITED_SERVE], stdout=subprocess.PIPE, text=True, env=machine, cwd=tmp_path
    ) as process:
        try:
            yield Served(process)
        finally:
            if process.poll() is None:
                process.kill()


def trusted_paths(exported: dict[str, str]) -> list[Path]:
    return [Path(exported[name]) for name in (*CA_VARIABLES, "AZENVCLOUD_CACHE_DIR")]


def test_the_files_a_shell_trusts_are_in_a_folder_of_the_users_own(
    serve: Served, machine: dict[str, str]
) -> None:
    runtime = Path(machine["XDG_RUNTIME_DIR"])
    paths = trusted_paths(serve.exported)
    (folder,) = {path.parent for path in paths}
    assert folder.parent == runtime / "azenvcloud"
    for place in (folder, folder.parent):
        info = place.lstat()
        assert stat.S_ISDIR(info.st_mode)
        assert info.st_uid == os.getuid()
        assert stat.S_IMODE(info.st_mode) == 0o700
    assert not any(Path(machine["TMPDIR"]).iterdir())
    assert f"# its files: {folder} (yours alone; removed when it stops)\n" in serve.before
    serve.stop()
    assert not folder.exists()


def test_no_private_key_is_ever_written(serve: Served, machine: dict[str, str]) -> None:
    folder = trusted_paths(serve.exported)[0].parent
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"ca-bundle.pem", "ca.pem"}
    for path in files:
        assert b"PRIVATE KEY" not in path.read_bytes()
    serve.stop()
    written = json.loads(Path(machine["WRITTEN_LOG"]).read_text(encoding="utf-8"))
    assert written  # the audit saw the files it wrote: the bundle, the CA certificate, the cache folder
    mine = folder.parent  # $XDG_RUNTIME_DIR/azenvcloud
    assert all(Path(path).is_relative_to(mine) for path in written), written  # nothing else, anywhere


def test_the_closing_lines_say_which_variables_to_unset(serve: Served) -> None:
    closing = serve.stop()
    assert closing.splitlines()[-1] == f"unset {' '.join(serve.exported)}"
    assert closing.startswith("# stopped: the fake cloud and its files are gone")


def test_without_a_runtime_folder_the_files_go_to_the_user_cache_folder(
    machine: dict[str, str], tmp_path: Path
) -> None:
    shared = Path(machine["XDG_RUNTIME_DIR"])
    shared.chmod(0o777)  # not the user's alone: not used
    with subprocess.Popen(
        [sys.executable, "-m", "azenvcloud", "demo", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        env=machine,
        cwd=tmp_path,
    ) as process:
        served = Served(process)
        served.stop()
    (folder,) = {path.parent for path in trusted_paths(served.exported)}
    assert folder.parent == Path(machine["HOME"]) / ".cache" / "azenvcloud"
    assert not any(shared.iterdir())


# -- after it stops: another user takes the port ----------------------------------------------


class Listener:
    """Another user's TLS server on 127.0.0.1:port with a CA of their own making, noting every byte
    a client sends it once TLS is up."""

    def __init__(self, port: int, ca: trustme.CA) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._context = context
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen()
        self._server.settimeout(0.2)
        self.received = b""
        self.handshakes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            try:
                with self._context.wrap_socket(connection, server_side=True) as tls:
                    self.handshakes += 1
                    self.received += tls.recv(65536)
            except (ssl.SSLError, OSError):
                connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._server.close()


def take_over(path: Path, pem: bytes) -> bool:
    """What another user can do with a path: write it, if the nearest folder of it that exists is
    one anyone may write in (``/tmp``; the demo's own folder there was deleted when it stopped)."""
    existing = next(parent for parent in path.parents if parent.exists())
    if not existing.stat().st_mode & stat.S_IWOTH:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    return True


def test_after_it_stops_the_shell_sends_nothing_to_whoever_takes_the_port(
    serve: Served, machine: dict[str, str], tmp_path: Path
) -> None:
    exported = serve.exported
    port = int(exported["AZURE_AUTHORITY_HOST"].rsplit(":", 1)[1])
    serve.stop()
    theirs = trustme.CA()
    taken = {
        take_over(path, theirs.cert_pem.bytes()) for path in {Path(exported[name]) for name in CA_VARIABLES}
    }
    listener = Listener(port, theirs)
    try:
        check = subprocess.run(
            [sys.executable, "-c", GUARDED_CHECK],
            env={**machine, **exported},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        listener.close()
    assert listener.received == b""  # no request, no secret: TLS failed, or nothing was sent
    assert check.returncode != 0
    assert taken == {False}
