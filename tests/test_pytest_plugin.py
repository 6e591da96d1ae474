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
