"""The metadata fetch's deadline holds on the socket: a server that trickles its TLS handshake,
status line, headers or body one byte at a time (each byte well within the per-read timeout)
is cut off at the deadline, and the command line then exits 3."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from azenvcloud import MetadataUnavailableError, Settings
from azenvcloud import _metadata_source as source
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

DEADLINE = 1.5  # seconds, for these tests (30 in use)
MARGIN = 2.0  # the promise: the deadline plus 2 s
PAUSE = 0.05  # between two bytes: far below any per-read timeout


class TricklingServer:
    """A loopback https server that answers every request with a metadata document, sending
    the bytes of one phase (``handshake``, ``status``, ``headers`` or ``body``) one at a time."""

    def __init__(self, phase: str, body: bytes, tmp_path: Path) -> None:
        self.phase = phase
        self.body = body
        ca = trustme.CA()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self.context)
        self.ca_bundle = str(tmp_path / "trickling-ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.context.wrap_bio(incoming, outgoing, server_side=True)
        with connection, contextlib.suppress(OSError, ssl.SSLError):
            connection.settimeout(30)
            while True:  # the handshake
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    self._send(connection, outgoing.read(), trickle=self.phase == "handshake")
                    data = connection.recv(65536)
                    if not data:
                        return
                    incoming.write(data)
            self._send(connection, outgoing.read(), trickle=self.phase == "handshake")
            request = b""
            while b"\r\n\r\n" not in request:
                try:
                    request += tls.read(65536)
                except ssl.SSLWantReadError:
                    data = connection.recv(65536)
                    if not data:
                        return
                    incoming.write(data)
            headers = (
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(self.body)}\r\n"
                + "".join(f"X-Padding-{index}: {'x' * 40}\r\n" for index in range(5))
                + "\r\n"
            )
            for phase, data in (
                ("status", b"HTTP/1.1 200 " + b"Fine " * 20 + b"\r\n"),  # a reason of 100 bytes
                ("headers", headers.encode()),
                ("body", self.body),
            ):
                if phase != self.phase:
                    tls.write(data)
                    self._send(connection, outgoing.read(), trickle=False)
                    continue
                for index in range(len(data)):  # one byte per TLS record, each after a pause
                    tls.write(data[index : index + 1])
                    self._send(connection, outgoing.read(), trickle=False, pause=True)

    def _send(self, connection: socket.socket, data: bytes, *, trickle: bool, pause: bool = False) -> None:
        if not trickle:
            if pause:
                time.sleep(PAUSE)
            connection.sendall(data)
            return
        for index in range(len(data)):
            time.sleep(PAUSE)
            connection.sendall(data[index : index + 1])


@pytest.fixture
def trickling(
    request: pytest.FixtureRequest,
    azenvcloud_fake_cloud: FakeCloud,
    azenvcloud_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[TricklingServer]:
    """The fake cloud's metadata, served by a server that trickles one phase of its answer,
    with a short deadline."""
    fake = azenvcloud_fake_cloud
    server = TricklingServer(request.param, json.dumps(fake.metadata_2022(fake.url)).encode(), tmp_path)
    for name in ("AZURE_AUTHORITY_HOST", "AZURE_RESOURCE_MANAGER", "AZURE_AUDIENCE"):
        azenvcloud_env.delenv(name)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", server.url)
    azenvcloud_env.setenv("REQUESTS_CA_BUNDLE", server.ca_bundle)
    azenvcloud_env.setattr(source, "TOTAL_TIMEOUT", DEADLINE)
    yield server
    server.close()


PHASES = [
    pytest.param("handshake", id="tls-handshake"),
    pytest.param("status", id="status-line"),
    pytest.param("headers", id="headers"),
    pytest.param("body", id="body"),
]


@pytest.mark.parametrize("trickling", PHASES, indirect=True)
def test_a_trickled_answer_ends_within_the_deadline(trickling: TricklingServer) -> None:
    started = time.monotonic()
    with pytest.raises(MetadataUnavailableError) as caught:
        Settings()
    seconds = time.monotonic() - started
    assert seconds < DEADLINE + MARGIN
    assert f"longer than {DEADLINE:g} s in all" in str(caught.value)


@pytest.mark.parametrize("trickling", [pytest.param("headers", id="headers")], indirect=True)
def test_a_trickled_answer_makes_the_command_line_exit_3(
    trickling: TricklingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert main(["check"]) == 3
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert "network or authentication failure" in capsys.readouterr().err


@pytest.mark.parametrize("trickling", [pytest.param("none", id="prompt")], indirect=True)
def test_a_prompt_answer_through_the_watched_connection_resolves(trickling: TricklingServer) -> None:
    settings = Settings()  # the watchdog lets an answer in time through untouched
    assert settings.cloud_metadata_url == trickling.url
