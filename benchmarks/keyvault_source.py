"""Key Vault as a settings source (issue 34): azenvcloud's ``KeyVaultSettingsSource`` against
pydantic-settings' ``AzureKeyVaultSettingsSource``, same settings class, vault and credential.

    .venv/bin/python benchmarks/keyvault_source.py [--rounds N]

A settings class of 10 secret fields, a vault of the loopback fake acting as US Government, each
of the vault's answers 100 ms late (a process talking to its cloud), the token already cached
(a settings object made once before by each source). The two sources alternate round by round;
medians of whole settings objects made (``Settings()``). Also counted: List requests made by
azenvcloud's source (target: none).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr
from pydantic_settings import (
    AzureKeyVaultSettingsSource,
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from rows import Row, row

from azenvcloud import KeyVaultSettingsSource, get_credential
from azenvcloud.testing import FakeCloud, isolated_environment

LATENCY = 0.100  # seconds before each answer of the vault
VAULT = "kvbench"
HOST = f"{VAULT}.vault.usgovcloudapi.net"
FIELDS = [f"secret{index}" for index in range(10)]


class TenSecrets(BaseSettings):
    model_config = SettingsConfigDict(hide_input_in_errors=True)
    secret0: SecretStr
    secret1: SecretStr
    secret2: SecretStr
    secret3: SecretStr
    secret4: SecretStr
    secret5: SecretStr
    secret6: SecretStr
    secret7: SecretStr
    secret8: SecretStr
    secret9: SecretStr


def with_source(source: Callable[[type[BaseSettings]], PydanticBaseSettingsSource]) -> type[BaseSettings]:
    class Reading(TenSecrets):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (source(settings_cls),)

    return Reading


def timed(settings_class: type[BaseSettings]) -> float:
    started = time.perf_counter()
    made: Any = settings_class()
    elapsed = time.perf_counter() - started
    assert [made.__dict__[name].get_secret_value() for name in FIELDS] == [f"value-{n}" for n in FIELDS]
    return elapsed


def keyvault_source(fake: FakeCloud, rounds: int) -> Row:
    """Row 12: ``Settings()`` with 10 secret fields, each source's median, and azenvcloud's List
    requests. Leaves the fake reset (its latency and accepted scopes gone): run it last."""
    url = f"https://{HOST}"
    ours = with_source(lambda cls: KeyVaultSettingsSource(cls, vault=VAULT))
    theirs = with_source(lambda cls: AzureKeyVaultSettingsSource(cls, url, get_credential()))
    fake.set_secrets(VAULT, {name: f"value-{name}" for name in FIELDS})
    with isolated_environment(fake.environment()), fake.as_cloud("usgov"):
        timed(ours)  # the token (and the vault's challenge) cached, as in a running process
        timed(theirs)
        fake.latency("/secrets", LATENCY)
        azenvcloud_times, pydantic_times = [], []
        lists_by_ours = 0
        for _ in range(rounds):
            before = len(fake.requests)
            azenvcloud_times.append(timed(ours))
            lists_by_ours += _lists_in(fake, before, len(fake.requests))
            pydantic_times.append(timed(theirs))
    fake.reset()
    mine, baseline = statistics.median(azenvcloud_times), statistics.median(pydantic_times)
    ratio = mine / baseline
    return row(
        12,
        f"Settings() with 10 Key Vault secret fields, {LATENCY * 1000:.0f} ms per response, token cached; "
        f"List requests: {lists_by_ours}",
        f"{mine * 1000:.0f} ms",
        f"{baseline * 1000:.0f} ms pydantic-settings' AzureKeyVaultSettingsSource (List + 10 Gets)",
        ratio,
        "<= 0.30x, 0 List",
        ratio <= 0.30 and lists_by_ours == 0,
    )


def _lists_in(fake: FakeCloud, start: int, end: int) -> int:
    """List requests (first pages, with a token) among the fake's requests ``start:end``."""
    return sum(
        1
        for request in fake.requests[start:end]
        if request.host == HOST and request.path.rstrip("/") == "/secrets" and request.bearer
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="settings objects per source (default 5)")
    arguments = parser.parse_args()
    with FakeCloud() as fake:
        result = keyvault_source(fake, arguments.rounds)
    print(f"{result['measure']}: {result['azenvcloud']} vs {result['baseline']}: {result['ratio']:.2f}x")
    print(f"target {result['target']}: {'met' if result['met'] else 'MISSED'}")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
