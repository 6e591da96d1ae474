"""Property-based: whatever a variable holds, resolution gives settings or ConfigurationError."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azenvcloud import BUILTIN_CLOUDS, ConfigurationError, Settings, cloud_from_name
from azenvcloud._parsers import InvalidValue, parse_endpoint
from azenvcloud._provenance import VARIABLES
from azenvcloud.testing import is_isolated_variable


@pytest.fixture(autouse=True, scope="module")
def _hermetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No variable of another test applies here, and a relative path that a generated value
    names (AZENVCLOUD_CACHE_DIR=False) lands in a temporary folder, not the checkout."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if is_isolated_variable(name)]:
            if name != "AZENVCLOUD_CACHE_DIR":  # the session's temporary metadata cache
                patch.delenv(name)
        patch.chdir(tmp_path_factory.mktemp("properties"))
        yield


# Environment values cannot hold NUL; everything else is fair game.
env_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300
)
url_like = st.builds(
    lambda scheme, userinfo, host, port, path, tail: f"{scheme}{userinfo}{host}{port}{path}{tail}",
    st.sampled_from(["https://", "http://", "", "HTTPS://", "ftp://", "https:/"]),
    st.sampled_from(["", "user@", "a:b@"]),
    st.one_of(
        st.from_regex(r"[a-z0-9][a-z0-9.-]{0,40}", fullmatch=True),
        st.sampled_from(
            [
                "management.azure.com",
                "127.0.0.1",
                "[::1]",
                "login.chinacloudapi.cn",
                "xn--e1awd7f.com",
                "mаnagement.azure.com",  # noqa: RUF001 - look-alike hosts are the point
            ]
        ),
    ),
    st.sampled_from(["", ":443", ":8443", ":0", ":99999", ":x"]),
    st.sampled_from(["", "/", "/adfs", "/a/b/", "//"]),
    st.sampled_from(["", "?q=1", "#f", " ", "\t", "\u200b"]),
)


def settings_from(**values: str) -> Settings | None:
    try:
        return Settings(**values, _env_file=False)  # type: ignore[arg-type]
    except ConfigurationError:
        return None


@pytest.mark.parametrize("field", sorted(VARIABLES))
@given(value=st.one_of(env_text, url_like))
def test_any_value_of_any_variable_gives_settings_or_configuration_error(field: str, value: str) -> None:
    settings = settings_from(**{field: value})
    if settings is not None:
        assert settings.authority_host.startswith("https://")
        assert settings.resource_manager.startswith("https://")
        assert all(scope.endswith("/.default") for scope in settings.credential_scopes)


@given(url=url_like)
def test_accepted_endpoints_are_normalised_https_without_userinfo(url: str) -> None:
    try:
        normalised = parse_endpoint(url)
    except InvalidValue:
        return
    assert normalised.startswith("https://")
    assert "@" not in normalised
    assert "?" not in normalised
    assert "#" not in normalised
    assert not normalised.endswith("/")
    assert normalised.isascii()
    assert parse_endpoint(normalised) == normalised


@given(name=env_text)
def test_any_cloud_name_is_known_or_a_configuration_error(name: str) -> None:
    try:
        cloud = cloud_from_name(name)
    except ConfigurationError as exc:
        variables = exc.variables
    else:
        assert cloud in BUILTIN_CLOUDS.values()
        return
    assert variables == ("AZURE_CLOUD",)


@given(guid=st.uuids())
def test_every_guid_is_a_subscription_id(guid: object) -> None:
    settings = settings_from(subscription_id=str(guid).upper())
    assert settings is not None
    assert settings.subscription_id == str(guid)


@pytest.mark.fuzz
@given(
    values=st.fixed_dictionaries({}, optional={field: st.one_of(env_text, url_like) for field in VARIABLES})
)
def test_any_combination_gives_settings_or_configuration_error(values: dict[str, str]) -> None:
    settings_from(**values)


# -- the metadata parsers: any document gives a Cloud or MetadataProblem, nothing else ---------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=5),
    max_leaves=20,
)
_URLS = st.sampled_from(
    [
        "https://login.example",
        "http://login.example",
        "https://l\u043egin.example",  # a Cyrillic o
        "https://a@b.example",
        "",
        "x",
    ]
)
_METADATA_LIKE = st.fixed_dictionaries(
    {
        "authentication": st.fixed_dictionaries(
            {"loginEndpoint": _URLS | _JSON, "audiences": st.lists(_URLS | _JSON, max_size=2) | _JSON},
            optional={"identityProvider": st.sampled_from(["AAD", "ADFS", "adfs", ""]) | _JSON},
        ),
        "resourceManager": _URLS | _JSON,
    },
    optional={"name": st.text(max_size=20) | _JSON, "suffixes": _JSON},
)
_AZ_CLOUD_SHOW_LIKE = st.fixed_dictionaries(
    {
        "endpoints": st.dictionaries(
            st.sampled_from(
                ["activeDirectory", "activeDirectoryResourceId", "resourceManager", "management"]
            ),
            _URLS | _JSON,
        )
    },
    optional={"name": st.text(max_size=20), "suffixes": _JSON},
)


def _parses_or_says_why(document: object) -> None:
    from azenvcloud._metadata import MetadataProblem, cloud_from_metadata

    try:
        cloud = cloud_from_metadata(document)
    except MetadataProblem as exc:
        problem = str(exc)
        assert problem, "a MetadataProblem must say what is wrong"
    else:
        assert cloud.authority_host.startswith("https://")
        assert cloud.resource_manager.startswith("https://")
        assert cloud.credential_scopes


@given(_JSON | _METADATA_LIKE | _AZ_CLOUD_SHOW_LIKE | st.lists(_METADATA_LIKE, max_size=3))
def test_metadata_parser_gives_a_cloud_or_a_metadata_problem(document: object) -> None:
    _parses_or_says_why(document)


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_metadata_parser_survives_any_text(text: str | bytes) -> None:
    _parses_or_says_why(text)


@pytest.mark.fuzz
@given(_JSON | _METADATA_LIKE | _AZ_CLOUD_SHOW_LIKE | st.lists(_METADATA_LIKE, max_size=3) | st.text())
def test_metadata_parser_fuzz(document: object) -> None:
    _parses_or_says_why(document)
