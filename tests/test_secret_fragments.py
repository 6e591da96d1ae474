"""No fragment of a secret in any output: no run of 8 or more characters of a secret value in a
message, a log line, a ``--json`` document or a ``repr``, whatever the secret holds (``:/?#@=%``)
and wherever a tool expanded it (SECURITY.md, "Secrets never appear").

A parser that quotes the piece of a value it choked on (``Port could not be cast to integer
value as 'w0rdSecretTail42.attacker.example'``) or a message that cuts a value before redacting
it would print the part of a secret that the redaction of the whole secret cannot find.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import azenvcloud
from azenvcloud import _metadata_source, _secret_values, _trust
from azenvcloud._cli import main
from azenvcloud._secret_values import SECRET_VARIABLES
from azenvcloud._services import SERVICE_FIELDS, SERVICE_NAMES, override_variable
from azenvcloud.testing import is_isolated_variable

SECRET = "Pa55:w0rdSecretTail42"
FRAGMENT = 8  # no run of this many characters of a secret is ever shown
OUTPUTS = [["check"], ["check", "--json"], ["show"], ["show", "--json"]]
DESTINATIONS = sorted(
    {
        *_trust.RULES,
        *(override_variable(service, field) for service in SERVICE_NAMES for field in SERVICE_FIELDS),
    }
)
PATHS = {"AZENVCLOUD_CACHE_DIR", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH"}


def fragments(secret: str, text: str) -> set[str]:
    """The runs of ``FRAGMENT`` characters of ``secret`` that ``text`` shows, in any case, also
    once percent-decoded, and inside a JSON document once its escapes are undone."""
    shown = [text, unquote(text)]
    with contextlib.suppress(ValueError):
        shown.append(json.dumps(json.loads(text), ensure_ascii=False))
    lowered = [form.lower() for form in shown]
    value = secret.lower()
    size = min(FRAGMENT, len(value))
    return {
        value[i : i + size]
        for i in range(len(value) - size + 1)
        if any(value[i : i + size] in form for form in lowered)
    }


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def printed(argv: list[str]) -> str:
    """Everything ``azenvcloud ARGV`` writes (stdout, stderr) and azenvcloud logs meanwhile."""
    azenvcloud.reset()
    out, err, logs = io.StringIO(), io.StringIO(), _Collected()
    logger = logging.getLogger("azenvcloud")
    logger.addHandler(logs)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(argv)
    finally:
        logger.removeHandler(logs)
    return "\n".join([out.getvalue(), err.getvalue(), *logs.lines])


# -- the reproduced cases -------------------------------------------------------------------


@pytest.mark.parametrize("argv", OUTPUTS, ids=" ".join)
@pytest.mark.parametrize(
    "variable", ["AZURE_RESOURCE_MANAGER", "AZURE_AUTHORITY_HOST", "AZURE_SERVICE_KEYVAULT_ENDPOINT"]
)
@pytest.mark.parametrize(
    "secret",
    [pytest.param(SECRET, id="colon"), pytest.param("Pa55/w0rdSecretTail42", id="slash")],
)
def test_a_secret_expanded_into_an_endpoint_shows_no_fragment(
    azenvcloud_env: pytest.MonkeyPatch, variable: str, argv: list[str], secret: str
) -> None:
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", secret)
    azenvcloud_env.setenv(variable, f"https://{secret}.attacker.example")
    assert fragments(secret, printed(argv)) == set()


def test_a_metadata_value_is_redacted_before_it_is_cut(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The secret starts at character 71 of the value: a message that cut at 80 first would show 9
    # of its characters, which the redaction of the whole secret cannot find.
    login = "https://" + "a" * 62 + "." + SECRET + ".attacker.example"
    snapshot = tmp_path / "cloud.json"
    snapshot.write_text(
        json.dumps(
            {
                "authentication": {
                    "loginEndpoint": login,
                    "audiences": ["https://management.core.x.example/"],
                },
                "resourceManager": "https://management.x.example/",
            }
        ),
        encoding="utf-8",
    )
    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET)
    azenvcloud_env.setenv("AZURE_CLOUD_METADATA_URL", str(snapshot))
    for argv in OUTPUTS:
        text = printed(argv)
        assert "authentication.loginEndpoint" in text
        assert fragments(SECRET, text) == set()


def test_a_secret_shown_in_part_elsewhere_is_redacted_in_part(azenvcloud_env: pytest.MonkeyPatch) -> None:
    from azenvcloud._secret_values import redact_secrets

    azenvcloud_env.setenv("AZURE_CLIENT_SECRET", SECRET)
    assert redact_secrets("as 'w0rdSecretTail42.attacker.example'") == "as '<redacted>.attacker.example'"
    assert redact_secrets("('/W0RDSECRETTAIL42')") == "('/<redacted>')"  # any case
    assert redact_secrets("Pa55%3Aw0rdSe") == "<redacted>"  # percent-encoded, cut
    assert redact_secrets("Pa55:w0 and Tail42") == "Pa55:w0 and Tail42"  # 7 characters: not a fragment


# -- the property: any secret, expanded anywhere, in every output -----------------------------

_SECRET_TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ0189~._-:/?#@=%"), min_size=FRAGMENT, max_size=48
).filter(lambda text: any(char in text for char in ":/?#@=%") and text == text.strip())
_TEMPLATES = [
    "{secret}",
    "https://{secret}.attacker.example",
    "https://{secret}.attacker.example/",
    "https://attacker.example/{secret}",
    "https://{secret}@attacker.example",
    "https://attacker.example:{secret}",
    "{secret}.attacker.example",
]


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No variable of another test applies; metadata fetches give up at once (the fence refuses
    every name but loopback); a folder for the .env file and the paths a value may name."""
    folder = tmp_path_factory.mktemp("fragments")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if is_isolated_variable(name)]:
            patch.delenv(name)
        patch.setenv("AZENVCLOUD_CACHE_DIR", str(folder / "cache"))
        patch.setenv("AZENVCLOUD_TOKEN_PREFETCH", "false")
        patch.setattr(_metadata_source, "TOTAL_TIMEOUT", 0.5)
        patch.setattr(_metadata_source, "RETRY_BACKOFF_FACTOR", 0.01)
        patch.setattr(_secret_values, "_remembered", set())  # the .env files' secrets: forgotten after
        patch.chdir(folder)
        yield folder
    azenvcloud.reset()


@settings(max_examples=1000)
@given(
    secret=_SECRET_TEXT,
    secret_variable=st.sampled_from(SECRET_VARIABLES),
    variable=st.sampled_from(DESTINATIONS),
    template=st.sampled_from(_TEMPLATES),
    in_env_file=st.booleans(),
)
def test_no_output_shows_a_fragment_of_any_secret_expanded_into_any_destination(
    isolated: Path, secret: str, secret_variable: str, variable: str, template: str, in_env_file: bool
) -> None:
    value = template.format(secret=secret)
    if variable in PATHS and not value.startswith("https://"):
        value = f"{isolated}/{value}"  # never a folder made outside the test's own
    values = {secret_variable: secret, variable: value}
    env_file = isolated / ".env"
    with pytest.MonkeyPatch.context() as patch:
        if in_env_file:  # the implicit ./.env, as a cloned repository's
            env_file.write_text(
                "".join(f"{name}='{text}'\n" for name, text in values.items()), encoding="utf-8"
            )
        else:
            env_file.unlink(missing_ok=True)
            for name, text in values.items():
                patch.setenv(name, text)
        for argv in OUTPUTS:
            assert fragments(secret, printed(argv)) == set(), (argv, values)
