"""The fake cloud for another process: its port is also an HTTPS proxy that answers only for the
hosts routed to it (and passes nothing on), ``environment(cloud=...)`` gives a subprocess what it
needs to reach the cloud the fake acts as, each request is attributed to the client and tenant of
its token, and the request log is written as requests come.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import HANDWRITTEN_SDK_CLIENT, LOOPBACK_FENCE, log_lines

from azenvcloud.testing import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    FakeCloud,
)

# -- the lines a shell sources ------------------------------------------------------------------


# -- what it prints ------------------------------------------------------------------------------


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
            [sys.executable, str(HANDWRITTEN_SDK_CLIENT), "china"],
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
        set(line)
        == {
            "time",
            "method",
            "host",
            "path",
            "kind",
            "status",
            "scope",
            "client_id",
            "tenant",
            "configuration",
        }
        for line in lines
    )


def test_a_fixed_port(azenvcloud_env: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeCloud(port=port) as fake:
        assert fake.url == f"https://127.0.0.1:{port}"
        assert fake.proxy_url == f"http://127.0.0.1:{port}"
