"""What a user's project gets from the pytest plugin: fixtures that need no Azure account.

The user's test files below run in a separate pytest process, which loads the plugin through
its ``pytest11`` entry point exactly as in a project that installed azenvcloud.
"""

from __future__ import annotations

import pytest

# The fence a user adds with azenvcloud[testing]: only loopback connections.
FENCED = ("-p", "no:cacheprovider", "--allow-hosts=127.0.0.1,::1", "-W", "error")

USER_TEST = """
from azenvcloud import get_resource_client

def test_lists_resource_groups(azenvcloud_fake_cloud):
    assert [g.name for g in get_resource_client().resource_groups.list()] == ["rg-alpha", "rg-beta"]
    assert azenvcloud_fake_cloud.requests_of("arm")[0].host == "127.0.0.1"
"""

USER_MULTICLOUD_TEST = """
import pytest
from azenvcloud import get_resource_client

@pytest.mark.parametrize("cloud", ["china", "usgov", "bleu"])
def test_every_cloud_gets_its_own_scope(azenvcloud_fake_cloud, cloud):
    with azenvcloud_fake_cloud.as_cloud(cloud) as expected:
        list(get_resource_client().resource_groups.list())
    (call,) = azenvcloud_fake_cloud.requests_of("arm")
    assert (call.host, call.scope) == (expected.resource_manager[8:], expected.credential_scopes[0])

def test_env_is_isolated(azenvcloud_env):
    import os
    assert not [name for name in os.environ if name.startswith("AZURE_")]
    azenvcloud_env.setenv("AZURE_CLOUD", "atlantis")
    import azenvcloud
    with pytest.raises(azenvcloud.ConfigurationError):
        azenvcloud.get_settings()
"""


def test_a_users_five_line_test_runs_against_the_fake_cloud(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess(*FENCED)
    result.assert_outcomes(passed=1)


def test_a_users_multicloud_tests_pass_without_an_azure_account(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_CLOUD", "AzureCloud")  # the user's shell; the fixtures must hide it
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "from-the-users-shell")
    pytester.makepyfile(test_multicloud=USER_MULTICLOUD_TEST)
    result = pytester.runpytest_subprocess(*FENCED)
    result.assert_outcomes(passed=4)


def test_a_failing_user_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST.replace('"rg-beta"]', '"rg-gamma"]'))
    result = pytester.runpytest_subprocess(*FENCED)
    result.assert_outcomes(failed=1)


def test_the_plugin_is_registered_and_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_light="""
import sys

def test_plugin_loaded_but_nothing_heavy(request):
    assert request.config.pluginmanager.has_plugin("azenvcloud")
    assert [m for m in sys.modules if m.startswith(("azure", "msal", "trustme", "azenvcloud.testing"))] == []
"""
    )
    result = pytester.runpytest_subprocess(*FENCED)
    result.assert_outcomes(passed=1)


USER_CONFIGURATIONS_TEST = """
import os

import pytest

import azenvcloud


def test_a_developers_named_configurations_never_reach_a_test(azenvcloud_env):
    assert not [name for name in os.environ if name.startswith(("GOV_", "BACKUP_"))]
    assert "AZENVCLOUD_CONFIGURATIONS" not in os.environ
    with pytest.raises(azenvcloud.ConfigurationError, match="declares none"):
        azenvcloud.configuration("gov")


def test_one_changes_a_variable_the_fake_set(azenvcloud_fake_clouds, monkeypatch):
    gov = azenvcloud_fake_clouds(default="china", gov="usgov")["gov"]
    assert os.environ["GOV_AZURE_CLIENT_ID"] == gov.client_id
    monkeypatch.delenv("GOV_AZURE_CLIENT_SECRET")
    monkeypatch.setenv("GOV_AZURE_CLIENT_ID", "changed-by-the-test")


def test_and_the_next_finds_the_environment_as_before():
    assert os.environ["GOV_AZURE_CLIENT_SECRET"] == "from-the-developers-shell"
    assert os.environ["AZENVCLOUD_CONFIGURATIONS"] == "gov,backup"
    assert "GOV_AZURE_CLIENT_ID" not in os.environ
"""


def test_the_fixtures_clear_and_restore_named_configurations_variables(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A developer's shell declares configurations and holds their secrets: an isolated test sees
    none of it, and a test that changes a variable ``azenvcloud_fake_clouds`` set leaves the
    environment as it found it for the next test."""
    monkeypatch.setenv("AZENVCLOUD_CONFIGURATIONS", "gov,backup")
    monkeypatch.setenv("GOV_AZURE_CLIENT_SECRET", "from-the-developers-shell")
    monkeypatch.setenv("BACKUP_AZENVCLOUD_TOKEN_CACHE", "unencrypted")
    pytester.makepyfile(test_configurations=USER_CONFIGURATIONS_TEST)
    result = pytester.runpytest_subprocess(*FENCED, "-p", "no:randomly")
    result.assert_outcomes(passed=3)


USER_DIRECT_WRITE_TEST = """
import os


def test_one_writes_the_environment_directly(azenvcloud_env):
    os.environ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=x"
    os.environ["AZURE_CLIENT_SECRET"] = "set-behind-monkeypatchs-back"


def test_and_the_next_finds_neither():
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" not in os.environ
    assert "AZURE_CLIENT_SECRET" not in os.environ


def test_one_undoes_its_monkeypatch_itself(azenvcloud_env):
    azenvcloud_env.undo()
    os.environ["AZURE_CLIENT_SECRET"] = "set-after-the-undo"


def test_and_the_next_finds_the_shells_variables_as_they_were():
    assert os.environ["AZURE_CLOUD"] == "from-the-developers-shell"
    assert "AZURE_CLIENT_SECRET" not in os.environ
"""


def test_a_variable_a_test_sets_behind_monkeypatchs_back_is_gone_after_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``azenvcloud_env`` takes away what a test (or a ``.env`` export) wrote straight into
    ``os.environ``, and puts back the shell's own variables even after a test undid its
    monkeypatch itself: the next test finds the environment as it was."""
    monkeypatch.setenv("AZURE_CLOUD", "from-the-developers-shell")
    pytester.makepyfile(test_direct=USER_DIRECT_WRITE_TEST)
    result = pytester.runpytest_subprocess(*FENCED, "-p", "no:randomly")
    result.assert_outcomes(passed=4)
