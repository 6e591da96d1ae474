"""The fake cloud for any process (issue 28): ``azenvcloud demo --serve --cloud NAME`` lets code
that never imports azenvcloud reach the fake on a cloud's real host names (the fake as its HTTPS
proxy, refusing every other host), prints the lines a shell sources (or JSON, dotenv), runs one
command with them, and logs every request as a JSON line.

The end-to-end tests run in a network namespace of their own where only loopback exists
(``unshare --net`` as root, as on this machine and in CI; in a user namespace otherwise). A
machine that cannot make one fails them; they never skip, since a fence that is not there proves
nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values
from test_docs_examples import _FENCE as LOOPBACK_FENCE

from azenvcloud._service_model import services_of
from azenvcloud.cli._serve import contradicting
from azenvcloud.clouds import cloud_from_name
from azenvcloud.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    PROXY_VARIABLES,
    FakeCloud,
    cloud_hosts,
    is_isolated_variable,
)
from azenvcloud.testing._dns import _match

DATA = Path(__file__).parent / "data"
CLIENT = DATA / "handwritten_sdk_client.py"
RUN_CLIENT = f"python {shlex.quote(str(CLIENT))}"  # as a shell line

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


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


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
        assert _match(line["host"], hosts) is not None, f"{line['host']} is no host of {cloud.name}: {line}"
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


# -- the lines a shell sources ------------------------------------------------------------------


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


# -- what it prints ------------------------------------------------------------------------------


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


# -- the fake as a proxy, in this process ---------------------------------------------------------


def connect(fake: FakeCloud, target: str) -> tuple[int, str, socket.socket]:
    """Send ``CONNECT target`` to the fake's proxy; its status, reason and the socket."""
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, head
        head += chunk
    status_line = head.split(b"\r\n", 1)[0].decode()
    _, status, reason = status_line.split(" ", 2)
    return int(status), reason, sock


def test_the_proxy_answers_only_for_the_hosts_routed_to_it(azenvcloud_fake_cloud: FakeCloud) -> None:
    fake = azenvcloud_fake_cloud
    status, reason, sock = connect(fake, "management.chinacloudapi.cn:443")
    sock.close()
    assert status == 403
    assert (
        reason
        == "Forbidden by the azenvcloud fake cloud: management.chinacloudapi.cn is no host the fake "
        + ("cloud answers for")
    )
    with fake.as_cloud("china"):
        status, _, sock = connect(fake, "management.chinacloudapi.cn:443")
        assert status == 200
        context = ssl.create_default_context(cafile=fake.ca_bundle)
        with context.wrap_socket(sock, server_hostname="management.chinacloudapi.cn") as tls:
            host = b"Host: management.chinacloudapi.cn\r\n"
            tls.sendall(b"GET /subscriptions HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 401")  # the fake's own answer: no token
        for target in ("management.azure.com:443", "management.chinacloudapi.cn:80", "127.0.0.1:443"):
            status, _, sock = connect(fake, target)
            sock.close()
            assert status == 403, target
    kinds = [(r.method, r.host, r.kind) for r in fake.requests]
    assert kinds == [
        ("CONNECT", "management.chinacloudapi.cn", "refused"),
        ("GET", "management.chinacloudapi.cn", "arm"),
        ("CONNECT", "management.azure.com", "refused"),
        ("CONNECT", "management.chinacloudapi.cn", "refused"),
        ("CONNECT", "127.0.0.1", "refused"),
    ]
    assert fake.routed_hosts == ()


def test_plain_http_is_never_passed_on(azenvcloud_fake_cloud: FakeCloud) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", azenvcloud_fake_cloud.port, timeout=10)
    connection.request("GET", "http://169.254.169.254/metadata/identity/oauth2/token")
    response = connection.getresponse()
    assert response.status == 403
    assert b"plain HTTP" in response.read()
    connection.close()
    (refused,) = azenvcloud_fake_cloud.requests_of("refused")
    assert (refused.host, refused.path) == ("169.254.169.254", "/metadata/identity/oauth2/token")


def test_a_subprocess_reaches_the_cloud_the_fake_acts_as(
    azenvcloud_fake_cloud: FakeCloud, tmp_path: Path
) -> None:
    fake = azenvcloud_fake_cloud
    fence = tmp_path / "fence"  # the child connects to and resolves nothing but loopback
    fence.mkdir()
    (fence / "sitecustomize.py").write_text(LOOPBACK_FENCE, encoding="utf-8")
    with fake.as_cloud("china"):
        result = subprocess.run(
            [sys.executable, str(CLIENT), "china"],
            env={**os.environ, **fake.environment(cloud="china"), "PYTHONPATH": str(fence)},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert {r.host for r in fake.requests} == {
        "login.chinacloudapi.cn",
        "management.chinacloudapi.cn",
        "kv1.vault.azure.cn",
    }


def test_requests_are_attributed_to_the_client_and_tenant_of_their_token(
    azenvcloud_fake_cloud: FakeCloud,
) -> None:
    import azenvcloud

    list(azenvcloud.get_resource_client().resource_groups.list())
    (token,) = azenvcloud_fake_cloud.requests_of("token")
    (arm,) = azenvcloud_fake_cloud.requests_of("arm")
    assert (
        (token.client_id, token.tenant)
        == (arm.client_id, arm.tenant)
        == (DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID)
    )
    (openid,) = azenvcloud_fake_cloud.requests_of("openid")
    assert (openid.client_id, openid.tenant) == (None, None)


def test_the_request_log_is_written_as_requests_come(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import azenvcloud

    log = tmp_path / "requests.jsonl"
    with FakeCloud(request_log=log) as fake:
        for name, value in fake.environment().items():
            azenvcloud_env.setenv(name, value)
        azenvcloud_env.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
        list(azenvcloud.get_resource_client().resource_groups.list())
        lines = log_lines(log)  # while it runs
        assert oct(log.stat().st_mode & 0o777) == "0o600"
    assert [(line["kind"], line["status"]) for line in lines] == [
        ("openid", 200),
        ("token", 200),
        ("arm", 200),
    ]
    assert lines[1]["scope"] == lines[2]["scope"] == f"{fake.audience}/.default"
    assert lines[2]["client_id"] == DEFAULT_CLIENT_ID
    assert fake.client_secret not in log.read_text(encoding="utf-8")
    assert all(
        set(line) == {"time", "method", "host", "path", "kind", "status", "scope", "client_id", "tenant"}
        for line in lines
    )


def test_a_fixed_port(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeCloud(port=port) as fake:
        assert fake.url == f"https://127.0.0.1:{port}"
        assert fake.proxy_url == f"http://127.0.0.1:{port}"


def test_demo_runs_the_chain_against_an_adfs_stamp_in_one_process(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from azenvcloud.cli import main

    assert main(["demo", "--azure-stack-adfs", "--log", str(tmp_path / "requests.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "a fake AzureStackCloud, an Azure Stack Hub stamp with ADFS on https://127.0.0.1:" in out
    assert "POST https://127.0.0.1/adfs/oauth2/token" in out
    kinds = [line["kind"] for line in log_lines(tmp_path / "requests.jsonl")]
    assert kinds == ["metadata", "openid", "token", "arm", "arm"]
