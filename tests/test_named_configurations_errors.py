"""Errors for people, for a named configuration: each names ``gov``'s own variables where it means
them, and never calls one of ``gov``'s variables something ``gov`` does not use."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

import azenvcloud
import azenvcloud.aio
from azenvcloud import ConfigurationError


def test_no_identity_of_its_own_never_calls_its_own_variables_the_processes(
    azenvcloud_env: pytest.MonkeyPatch,
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_credential()
    message = str(caught.value)
    # What it never uses is the default configuration's (unprefixed) identity, not GOV_'s.
    never_used = re.search(r"never uses([^)]*)\)", message)
    assert never_used is not None, message
    assert "GOV_" not in never_used.group(1), message
    assert "unprefixed" in never_used.group(1)
    # What it accepts is its own.
    assert "Accepted: GOV_AZURE_TENANT_ID, GOV_AZURE_CLIENT_ID and GOV_AZURE_CLIENT_SECRET" in message


def test_a_bad_value_is_quoted_as_written_even_when_it_holds_a_variables_name(
    azenvcloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A .env file is not interpolated: ${AZURE_AUTHORITY_HOST} is the value, and the message must
    # show it as written (not as ${GOV_AZURE_AUTHORITY_HOST}, which the file never said).
    env_file = tmp_path / "deploy.env"
    env_file.write_text(
        "AZENVCLOUD_CONFIGURATIONS=gov\nGOV_AZURE_AUTHORITY_HOST=${AZURE_AUTHORITY_HOST}\n", encoding="utf-8"
    )
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", str(env_file))
    with pytest.raises(ConfigurationError) as caught:
        azenvcloud.configuration("gov").get_settings()
    message = str(caught.value)
    assert message.startswith("GOV_AZURE_AUTHORITY_HOST (from .env file")
    assert "='${AZURE_AUTHORITY_HOST}' is not usable" in message
    assert caught.value.variables == ("GOV_AZURE_AUTHORITY_HOST",)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "aio"])
def test_a_client_it_cannot_build_names_its_own_variable_in_either_twin(
    azenvcloud_env: pytest.MonkeyPatch, asynchronous: bool
) -> None:
    azenvcloud_env.setenv("AZENVCLOUD_ENV_FILE", "none")
    azenvcloud_env.setenv("AZENVCLOUD_CONFIGURATIONS", "gov")
    azenvcloud_env.setenv("GOV_AZURE_CLOUD", "usgovernment")
    for name, value in (("TENANT_ID", "contoso.us"), ("CLIENT_ID", "app"), ("CLIENT_SECRET", "s")):
        azenvcloud_env.setenv(f"GOV_AZURE_{name}", value)

    def build() -> None:  # no subscription: the recipe refuses, naming the variable that supplies one
        if not asynchronous:
            azenvcloud.configuration("gov").get_resource_client()
            return

        async def in_a_loop() -> None:
            twin = azenvcloud.aio.configuration("gov")
            try:
                twin.get_resource_client()
            finally:
                await twin.close()

        asyncio.run(in_a_loop())

    with pytest.raises(ConfigurationError) as caught:
        build()
    assert caught.value.variables == ("GOV_AZURE_SUBSCRIPTION_ID",)
    assert "set GOV_AZURE_SUBSCRIPTION_ID (a GUID)" in str(caught.value)
