"""``azenvcloud demo --serve``: the fake cloud for any process. Code that never imports azenvcloud
reaches the fake on a cloud's real host names (the fake as its HTTPS proxy, refusing every other
host) through the lines a shell sources (or JSON, dotenv), or as the one command it runs; every
request is logged as a JSON line; and no shell is left trusting a file another user can write.

The shell it configures trusts a CA bundle by path (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``,
``SSL_CERT_FILE``) and sends its client secret to an authority on 127.0.0.1. Those files live in
a new folder of the user's own (``$XDG_RUNTIME_DIR``, else the user cache folder), never under
``/tmp`` by a name another user could take once the demo deleted it; the fake CA's private key is
never written anywhere; after the demo stops, a shell that kept the lines fails TLS with whoever
listens on the freed port, and the closing lines say what to unset.

The end-to-end tests run in a network namespace of their own where only loopback exists
(``unshare --net`` as root, as on this machine and in CI; in a user namespace otherwise). A
machine that cannot make one fails them; they never skip, since a fence that is not there proves
nothing.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from dotenv import dotenv_values
from helpers import GUARDED_CHECK, HANDWRITTEN_SDK_CLIENT, log_lines

from azenvcloud._ca import CA_VARIABLES, ca_setting
from azenvcloud._cli import main
from azenvcloud._cli._serve import contradicting
from azenvcloud._clouds import cloud_from_name
from azenvcloud._services import services_of
from azenvcloud.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    PROXY_VARIABLES,
    FakeCloud,
    cloud_hosts,
    is_isolated_variable,
)
from azenvcloud.testing._dns import match

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
def audited_machine(tmp_path: Path) -> dict[str, str]:
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
def serve(audited_machine: dict[str, str], tmp_path: Path) -> Iterator[Served]:
    with subprocess.Popen(
        [sys.executable, "-c", _AUDITED_SERVE],
        stdout=subprocess.PIPE,
        text=True,
        env=audited_machine,
        cwd=tmp_path,
    ) as process:
        try:
            yield Served(process)
        finally:
            if process.poll() is None:
                process.kill()


def trusted_paths(exported: dict[str, str]) -> list[Path]:
    return [Path(exported[name]) for name in (*CA_VARIABLES, "AZENVCLOUD_CACHE_DIR")]


def test_the_files_a_shell_trusts_are_in_a_folder_of_the_users_own(
    serve: Served, audited_machine: dict[str, str]
) -> None:
    runtime = Path(audited_machine["XDG_RUNTIME_DIR"])
    paths = trusted_paths(serve.exported)
    (folder,) = {path.parent for path in paths}
    assert folder.parent == runtime / "azenvcloud"
    for place in (folder, folder.parent):
        info = place.lstat()
        assert stat.S_ISDIR(info.st_mode)
        assert info.st_uid == os.getuid()
        assert stat.S_IMODE(info.st_mode) == 0o700
    assert not any(Path(audited_machine["TMPDIR"]).iterdir())
    assert f"# its files: {folder} (yours alone; removed when it stops)\n" in serve.before
    serve.stop()
    assert not folder.exists()


def test_no_private_key_is_ever_written(serve: Served, audited_machine: dict[str, str]) -> None:
    folder = trusted_paths(serve.exported)[0].parent
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"ca-bundle.pem", "ca.pem"}
    for path in files:
        assert b"PRIVATE KEY" not in path.read_bytes()
    serve.stop()
    written = json.loads(Path(audited_machine["WRITTEN_LOG"]).read_text(encoding="utf-8"))
    assert written  # the audit saw the files it wrote: the bundle, the CA certificate, the cache folder
    mine = folder.parent  # $XDG_RUNTIME_DIR/azenvcloud
    assert all(Path(path).is_relative_to(mine) for path in written), written  # nothing else, anywhere


def test_the_closing_lines_say_which_variables_to_unset(serve: Served) -> None:
    closing = serve.stop()
    assert closing.splitlines()[-1] == f"unset {' '.join(serve.exported)}"
    assert closing.startswith("# stopped: the fake cloud and its files are gone")


def test_without_a_runtime_folder_the_files_go_to_the_user_cache_folder(
    audited_machine: dict[str, str], tmp_path: Path
) -> None:
    shared = Path(audited_machine["XDG_RUNTIME_DIR"])
    shared.chmod(0o777)  # not the user's alone: not used
    with subprocess.Popen(
        [sys.executable, "-m", "azenvcloud", "demo", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        env=audited_machine,
        cwd=tmp_path,
    ) as process:
        served = Served(process)
        served.stop()
    (folder,) = {path.parent for path in trusted_paths(served.exported)}
    assert folder.parent == Path(audited_machine["HOME"]) / ".cache" / "azenvcloud"
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
    serve: Served, audited_machine: dict[str, str], tmp_path: Path
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
            env={**audited_machine, **exported},
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


def test_demo_serve_with_a_cloud_it_does_not_know_blames_the_option_before_serving(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # demo --serve --cloud NAME serves a built-in cloud (the tests above)
    assert main(["demo", "--serve", "--cloud", "chnia"]) == 2
    assert capsys.readouterr().err.startswith(
        "azenvcloud: configuration error: --cloud='chnia' is not usable"
    )


RUN_CLIENT = f"python {shlex.quote(str(HANDWRITTEN_SDK_CLIENT))}"  # as a shell line


# A shell of someone who works with another cloud: every one of these would contradict the fake.
CONTRADICTING_SHELL = (
    "export AZURE_CLOUD=public AZURE_RESOURCE_MANAGER=https://management.azure.com "
    "AZURE_CLIENT_CERTIFICATE_PATH=/nowhere/cert.pem ALL_PROXY=socks5://proxy.invalid:1080 "
    "https_proxy=http://proxy.invalid:3128 no_proxy=.chinacloudapi.cn,.usgovcloudapi.net,.azure.cn\n"
)


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """The environment of a user's shell: this interpreter's environment on PATH (``python`` and
    ``azenvcloud``), a runtime folder of their own for the demo's files, no variable that could
    steer azenvcloud or the SDK."""
    run, home = tmp_path / "run", tmp_path / "home"
    run.mkdir(mode=0o700)
    home.mkdir()
    environment = {name: value for name, value in os.environ.items() if not is_isolated_variable(name)}
    return {
        **environment,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "XDG_RUNTIME_DIR": str(run),
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def in_network_namespace(
    script: str, *, cwd: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (bash) in a new network namespace with loopback up and no other interface."""
    unshare = shutil.which("unshare")
    assert unshare is not None, (
        "these tests need util-linux's unshare (and root, or user namespaces) for a loopback-only namespace"
    )
    fence = (
        "ip link set lo up || exit 97\n"
        '[ "$(ip -o link show | wc -l)" -eq 1 ] || { echo "more than loopback here" >&2; exit 97; }\n'
    )
    # As root, a network namespace of its own; otherwise in a user namespace that maps us to root.
    isolate = ["--net"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--net"]
    result = subprocess.run(
        [unshare, *isolate, "--", "bash", "-c", fence + script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode != 97, f"no loopback-only network namespace here: {result.stderr}"
    return result


def assert_only_this_cloud(lines: list[dict[str, Any]], name: str) -> None:
    """Every request went to ``name``'s hosts with its scopes, and both tokens were asked for by
    the fake's client in its tenant."""
    cloud = cloud_from_name(name)
    hosts = {host.lower(): 0 for host in cloud_hosts(cloud)}
    arm_scope = cloud.credential_scopes[0]
    vault_scope = f"https://{services_of(cloud)['keyvault'].suffix}/.default"
    assert lines, "nothing was logged"
    for line in lines:
        assert line["kind"] != "refused", line
        assert match(line["host"], hosts) is not None, f"{line['host']} is no host of {cloud.name}: {line}"
        assert line["scope"] in {None, arm_scope, vault_scope}, line
    tokens = [line for line in lines if line["kind"] == "token"]
    assert {line["scope"] for line in tokens} == {arm_scope, vault_scope}
    assert {(line["client_id"], line["tenant"]) for line in tokens} == {
        (DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID)
    }
    assert {line["status"] for line in tokens} == {200}
    (arm,) = [line for line in lines if line["kind"] == "arm"]
    assert (arm["scope"], arm["status"], arm["client_id"]) == (arm_scope, 200, DEFAULT_CLIENT_ID)
    assert [line["scope"] for line in lines if line["kind"] == "keyvault" and line["status"] == 200] == [
        vault_scope
    ]
    assert {line["host"] for line in lines} >= {
        cloud.authority_host.split("://")[1],
        cloud.resource_manager.split("://")[1],
    }


CLOUDS = [pytest.param("china", id="china"), pytest.param("usgovernment", id="usgovernment")]


@pytest.mark.parametrize("name", CLOUDS)
def test_handwritten_sdk_code_reaches_the_fake_through_the_lines_a_shell_sources(
    name: str, machine: dict[str, str], tmp_path: Path
) -> None:
    script = (
        CONTRADICTING_SHELL + f"azenvcloud demo --serve --cloud {name} --log requests.jsonl > fake.env &\n"
        "until grep -qs '^# serving' fake.env; do kill -0 $! || exit 98; sleep 0.1; done\n"
        ". ./fake.env\n"
        f"{RUN_CLIENT} {name}\n"
        'echo "client: $?"\n'
        "cp requests.jsonl while-serving.jsonl\n"  # readable while it runs
        'kill -TERM %1; wait %1; echo "demo: $?"\n'
    )
    result = in_network_namespace(script, cwd=tmp_path, environment=machine)
    assert result.stdout.splitlines() == [
        "rg-alpha rg-beta",
        "fake-value-of-db-password",
        "client: 0",
        "demo: 0",
    ], result.stderr
    assert_only_this_cloud(log_lines(tmp_path / "while-serving.jsonl"), name)
    assert log_lines(tmp_path / "requests.jsonl") == log_lines(tmp_path / "while-serving.jsonl")


@pytest.mark.parametrize("name", CLOUDS)
def test_handwritten_sdk_code_reaches_the_fake_as_the_command_it_runs(
    name: str, machine: dict[str, str], tmp_path: Path
) -> None:
    script = (
        CONTRADICTING_SHELL
        + f"azenvcloud demo --serve --cloud {name} --log requests.jsonl -- {RUN_CLIENT} {name}\n"
    )
    result = in_network_namespace(script, cwd=tmp_path, environment=machine)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["rg-alpha rg-beta", "fake-value-of-db-password"]
    assert_only_this_cloud(log_lines(tmp_path / "requests.jsonl"), name)
    assert not (tmp_path / "run" / "azenvcloud").exists() or not any(
        (tmp_path / "run" / "azenvcloud").iterdir()
    )


def test_code_for_another_cloud_is_refused_and_logged(machine: dict[str, str], tmp_path: Path) -> None:
    script = f"azenvcloud demo --serve --cloud china --log requests.jsonl -- {RUN_CLIENT} public\n"
    result = in_network_namespace(script, cwd=tmp_path, environment=machine)
    assert result.returncode == 1
    assert "Forbidden by the azenvcloud fake cloud: login.microsoftonline.com is no host" in result.stderr
    lines = log_lines(tmp_path / "requests.jsonl")
    assert lines
    assert {(line["method"], line["host"], line["kind"], line["status"]) for line in lines} == {
        ("CONNECT", "login.microsoftonline.com", "refused", 403)
    }


def test_the_command_gets_its_exit_status_and_signals(machine: dict[str, str], tmp_path: Path) -> None:
    script = (
        "azenvcloud demo --serve -- sh -c 'exit 7'; echo \"exit: $?\"\n"
        "azenvcloud demo --serve -- sh -c 'kill -TERM $$'; echo \"signal: $?\"\n"
        'azenvcloud demo --serve -- no-such-command-here; echo "missing: $?"\n'
        "AZURE_CLOUD=usgov azenvcloud demo --serve --port 47123 -- "
        "sh -c 'echo $AZURE_CLOUD-$AZURE_AUTHORITY_HOST'\n"
        "AZURE_CLOUD=usgov azenvcloud demo --serve --cloud china -- sh -c 'echo $AZURE_CLOUD'\n"
        "echo after: ${AZURE_CLOUD:-unset}\n"
    )
    result = in_network_namespace(script, cwd=tmp_path, environment=machine)
    lines = result.stdout.splitlines()
    assert lines[:3] == ["exit: 7", "signal: 143", "missing: 127"]
    # The shell's AZURE_CLOUD unset; --port kept (free: a namespace of its own).
    assert lines[3] == "-https://127.0.0.1:47123"
    assert lines[4:] == ["AzureChinaCloud", "after: unset"]  # its process tree only
    assert "no-such-command-here: command not found" in result.stderr


def serve_once(arguments: list[str], machine: dict[str, str], cwd: Path) -> tuple[str, str]:
    """Run ``demo --serve ARGUMENTS`` until it is serving, stop it; what it printed before and after."""
    with subprocess.Popen(
        [sys.executable, "-m", "azenvcloud", "demo", "--serve", *arguments],
        stdout=subprocess.PIPE,
        text=True,
        env=machine,
        cwd=cwd,
    ) as process:
        assert process.stdout is not None
        before = ""
        for line in process.stdout:
            before += line
            if line.startswith(("# serving", '{"event": "serving"')):
                break
        process.terminate()
        after, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    return before, after


def shell_lines(text: str) -> tuple[dict[str, str], list[str]]:
    exported: dict[str, str] = {}
    unset: list[str] = []
    for line in text.splitlines():
        if line.startswith("export "):
            name, value = shlex.split(line[len("export ") :])[0].split("=", 1)
            exported[name] = value
        elif line.startswith("unset "):
            unset += line.split()[1:]
    return exported, unset


def test_the_three_forms_say_the_same(machine: dict[str, str], tmp_path: Path) -> None:
    shell, _ = serve_once(["--cloud", "china"], machine, tmp_path)
    document, stopped = serve_once(["--cloud", "china", "--json"], machine, tmp_path)
    dotenv, _ = serve_once(["--cloud", "china", "--dotenv"], machine, tmp_path)
    exported, unset = shell_lines(shell)
    serving = json.loads(document)
    (tmp_path / "fake.env").write_text(dotenv, encoding="utf-8")
    from_dotenv = dotenv_values(tmp_path / "fake.env")

    assert serving["event"] == "serving"
    assert json.loads(stopped) == {"event": "stopped", "unset": list(serving["variables"])}
    urls = [_url_in(shell), serving["url"], _url_in(dotenv)]
    for variables, url in zip((exported, serving["variables"], from_dotenv), urls, strict=True):
        assert variables["AZURE_CLOUD"] == "AzureChinaCloud"
        assert variables["AZURE_AUTHORITY_HOST"] == "https://login.chinacloudapi.cn"
        assert {variables[name] for name in PROXY_VARIABLES} == {url.replace("https://", "http://")}
        assert variables["NO_PROXY"] == variables["no_proxy"] == "localhost,127.0.0.1,::1"
        assert "AZURE_RESOURCE_MANAGER" not in variables
    assert set(exported) == set(serving["variables"]) == set(from_dotenv)
    assert unset == serving["unset"]
    assert {"AZURE_RESOURCE_MANAGER", "AZURE_CLIENT_CERTIFICATE_PATH", "ALL_PROXY"} <= set(unset)
    assert serving["proxy"] == serving["url"].replace("https://", "http://")
    assert serving["hosts"][:2] == ["login.chinacloudapi.cn", "management.chinacloudapi.cn"]
    assert "*.vault.azure.cn" in serving["hosts"]
    assert "# These lines make every process of the shell that runs them trust the fake's CA" in shell
    assert "nothing passes through to the internet" in " ".join(shell.replace("# ", "").split())
    assert "start the process without these variables" in dotenv


def _url_in(text: str) -> str:
    """The fake's URL in the first line of the shell or dotenv form."""
    return next(word for word in text.splitlines()[0].split() if word.startswith("https://127.0.0.1:"))


def test_the_custom_cloud_unsets_the_shells_own_azure_cloud(machine: dict[str, str], tmp_path: Path) -> None:
    shell, after = serve_once([], machine, tmp_path)
    exported, unset = shell_lines(shell)
    assert "AZURE_CLOUD" in unset
    assert exported["AZURE_RESOURCE_MANAGER"].startswith("https://127.0.0.1:")
    assert not set(exported) & set(PROXY_VARIABLES)  # a custom cloud on 127.0.0.1 needs no proxy
    assert after.splitlines()[-1] == f"unset {' '.join(exported)}"


def test_the_azure_stack_adfs_stamp_is_served_by_its_metadata(
    machine: dict[str, str], tmp_path: Path
) -> None:
    script = "azenvcloud demo --serve --azure-stack-adfs --log requests.jsonl -- azenvcloud check --online\n"
    result = in_network_namespace(script, cwd=tmp_path, environment=machine)
    assert result.returncode == 0, result.stderr
    assert "configuration: ok, cloud AzureStackCloud" in result.stdout
    lines = log_lines(tmp_path / "requests.jsonl")
    assert [line["kind"] for line in lines][:1] == ["metadata"]
    tokens = [line for line in lines if line["kind"] == "token"]
    assert [(line["path"], line["tenant"]) for line in tokens] == [("/adfs/oauth2/token", "adfs")]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--json"], "--json needs --serve", id="json-without-serve"),
        pytest.param(["--serve", "--", "true", "--json"], None, id="options-after-the-command-are-its-own"),
        pytest.param(["--serve", "--json", "--", "true"], "-- CMD prints no lines", id="json-with-a-command"),
        pytest.param(["--serve", "--"], "nothing to run after --", id="nothing-after-dashes"),
        pytest.param(
            ["--serve", "--cloud", "china", "--azure-stack-adfs"], "one cloud at a time", id="two-clouds"
        ),
        pytest.param(["--port", "70000"], "a port is a number from 1 to 65535", id="port-out-of-range"),
        pytest.param(["--json", "--dotenv", "--serve"], "not allowed with argument", id="two-forms"),
    ],
)
def test_usage_errors_exit_64(
    arguments: list[str], message: str | None, machine: dict[str, str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "azenvcloud", "demo", *arguments],
        env=machine,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if message is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 64
    assert message in result.stderr


def test_a_port_in_use_or_a_log_it_cannot_write_is_one_line_exit_2(
    machine: dict[str, str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "azenvcloud", "demo", "--serve", "--port", str(port), "--", "true"],
            env=machine,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"azenvcloud: configuration error: --port {port} is not usable")
    missing = tmp_path / "no-such-folder" / "log.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "azenvcloud", "demo", "--log", str(missing)],
        env=machine,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert f"--log '{missing}' cannot be written" in result.stderr


def test_every_identity_variable_azure_identity_reads_is_set_or_unset() -> None:
    """A variable of azure-identity's the lines neither set nor unset could pick another identity
    or authority in the shell; only reviewed ones may be left alone."""
    from azure.identity._constants import EnvironmentVariables

    with FakeCloud() as fake:
        variables = fake.environment(cloud="china")
    known = {
        value
        for name, value in vars(EnvironmentVariables).items()
        if name.isupper() and isinstance(value, str)
    }
    reviewed = {
        "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH"
    }  # which tenants a token may be for, not where it goes
    assert known - set(variables) - set(contradicting(variables)) == reviewed


def test_demo_serve_runs_the_fake_for_check_online(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AZURE_")}
    (tmp_path / "run").mkdir(mode=0o700)  # its files go to the user's runtime folder: this test's own
    environment["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
    with subprocess.Popen(
        [sys.executable, "-m", "azenvcloud", "demo", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=tmp_path,
    ) as server:
        try:
            exported = _exports_until_serving(server)
            check = subprocess.run(
                [sys.executable, "-c", GUARDED_CHECK],
                env={**environment, **exported},
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            server.terminate()
        assert server.wait(timeout=10) == 0
    assert check.returncode == 0, check.stderr
    assert "1 listed" in check.stdout
    bundle = exported["SSL_CERT_FILE"]
    assert exported["REQUESTS_CA_BUNDLE"] == exported["CURL_CA_BUNDLE"] == bundle
    assert not Path(bundle).exists()  # its files went with it


def _exports_until_serving(server: subprocess.Popen[str]) -> dict[str, str]:
    """The variables ``demo --serve`` printed; checks its CA bundle while the fake still runs."""
    assert server.stdout is not None
    exported: dict[str, str] = {}
    for line in server.stdout:
        if line.startswith("# serving"):
            break
        if line.startswith("export "):
            name, value = shlex.split(line[len("export ") :])[0].split("=", 1)
            exported[name] = value
    bundle = Path(exported["SSL_CERT_FILE"]).read_text(encoding="utf-8")
    trusted = ca_setting().path
    assert trusted is not None
    assert bundle.startswith(Path(trusted).read_text(encoding="utf-8").rstrip("\n"))  # the shell's CAs
    assert (
        bundle.count("BEGIN CERTIFICATE")
        == Path(trusted).read_text(encoding="utf-8").count("BEGIN CERTIFICATE") + 1
    )  # ... and the fake's
    return exported
