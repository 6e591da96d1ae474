"""``AZENVCLOUD_CONNECTION_TIMEOUT``: how long azenvcloud's transports wait for a connection.

A host that accepts the connection and then says nothing (a firewall that black-holes TLS, a
stuck proxy) holds every client and every token request azure-core's default 300 s per attempt.
With the variable set, a client's request and the credential's token request give up after it;
the real azure-identity, MSAL and azure-mgmt code against a loopback port that never answers.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import azenvcloud
from azenvcloud import ConfigurationError, aio, get_credential, get_resource_client, get_settings
from azenvcloud._cli import main
from azenvcloud.testing import FakeCloud

TIMEOUT = "1"
BOUND = 60.0  # seconds: far below azure-core's 300 s default, far above the timeout and its retries


@pytest.fixture
def silent_host() -> Iterator[str]:
    """``https://127.0.0.1:<port>``, where a connection is accepted and nothing is ever said."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in held:
            connection.close()


def _gives_up(call: Callable[[], object]) -> BaseException:
    """What ``call`` raises, provided it returns within :data:`BOUND` seconds."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # whatever it is, the test examines it
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"still waiting after {BOUND} s: the connection timeout was not used"
    assert outcome, "the call to a host that never answers succeeded"
    return outcome[0]


def test_unset_it_is_azure_cores_default_and_shown_so(
    azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = get_settings()
    assert settings.connection_timeout is None
    assert str(settings.sources["connection_timeout"]) == "derived when unset: azure-core's default, 300 s"
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"AZENVCLOUD_CONNECTION_TIMEOUT +\(not set\)\n +<- derived when unset: azure-core's default, 300 s\n",
        out,
    )


@pytest.mark.parametrize(
    ("where", "source"),
    [
        pytest.param("environment", "environment", id="environment"),
        pytest.param("implicit-env-file", ".env file {}", id="implicit-env-file-decides-no-destination"),
        pytest.param("argument", "argument", id="configure"),
    ],
)
def test_it_is_read_from_every_source_and_shown_with_it(
    where: str, source: str, azenvcloud_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if where == "environment":
        azenvcloud_env.setenv("AZENVCLOUD_CONNECTION_TIMEOUT", "7")
    elif where == "implicit-env-file":
        Path(".env").write_text("AZENVCLOUD_CONNECTION_TIMEOUT=7\n", encoding="utf-8")
    else:
        azenvcloud.configure(connection_timeout=7)
    settings = get_settings()
    assert settings.connection_timeout == 7
    shown = source.format(Path(".env").resolve())
    assert str(settings.sources["connection_timeout"]) == shown
    if where != "argument":  # the command line resolves the process's own configuration
        assert main(["show", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["values"]["connection_timeout"] == {
            "value": 7,
            "source": shown,
        }


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param("0", "it is less than 1 second", id="zero"),
        pytest.param("ten", "it is not a whole number of seconds", id="words"),
        pytest.param("-5", "it is not a whole number of seconds", id="negative"),
        pytest.param("2.5", "it is not a whole number of seconds", id="fraction"),
    ],
)
def test_a_bad_value_is_one_configuration_error_naming_it(
    raw: str, problem: str, azenvcloud_env: pytest.MonkeyPatch
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_CONNECTION_TIMEOUT", raw)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert str(caught.value) == (
        f"AZENVCLOUD_CONNECTION_TIMEOUT={raw!r} is not usable: {problem}. Accepted: a whole number of "
        "seconds, 1 or more, such as 10 (unset: azure-core's default, 300 s)."
    )
    assert caught.value.variables == ("AZENVCLOUD_CONNECTION_TIMEOUT",)


def _transport_timeout(client: Any) -> float:
    return float(client._client._pipeline._transport.connection_config.timeout)


SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"


def test_every_client_transport_gets_it_and_a_callers_own_wins(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.resources.aio import ResourceManagementClient as AsyncClient

    azenvcloud_env.setenv("AZENVCLOUD_CONNECTION_TIMEOUT", "7")
    assert _transport_timeout(get_resource_client(SUBSCRIPTION)) == 7
    assert (
        _transport_timeout(
            azenvcloud.get_client(ResourceManagementClient, SUBSCRIPTION, connection_timeout=3)
        )
        == 3
    )

    async def built() -> float:
        client = aio.get_client(AsyncClient, SUBSCRIPTION)  # in the running loop: its registry
        try:
            return _transport_timeout(client)
        finally:
            await aio.close()

    assert asyncio.run(built()) == 7


def test_a_resource_manager_that_never_answers_is_given_up_after_it(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, silent_host: str
) -> None:
    azenvcloud_env.setenv("AZURE_RESOURCE_MANAGER", silent_host)
    azenvcloud_env.setenv("AZENVCLOUD_CONNECTION_TIMEOUT", TIMEOUT)
    client = azenvcloud.get_client(type(get_resource_client()), retry_total=0)
    error = _gives_up(lambda: list(client.resource_groups.list()))
    assert "timed out" in str(error).lower()
    assert azenvcloud_fake_cloud.requests_of("token")  # the token came from the fake authority


def test_a_token_request_to_an_authority_that_never_answers_is_given_up_after_it(
    azenvcloud_fake_cloud: FakeCloud, azenvcloud_env: pytest.MonkeyPatch, silent_host: str
) -> None:
    azenvcloud_env.setenv("AZURE_AUTHORITY_HOST", silent_host)
    azenvcloud_env.setenv("AZENVCLOUD_CONNECTION_TIMEOUT", TIMEOUT)
    # The chain is EnvironmentCredential alone (the fake's environment): nothing falls through.
    error = _gives_up(lambda: get_credential().get_token(*get_settings().credential_scopes))
    assert "timed out" in str(error).lower()
    assert azenvcloud_fake_cloud.requests_of("token") == []
