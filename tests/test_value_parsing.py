"""Single values: endpoints, audiences, subscription IDs and flags are parsed strictly."""

from __future__ import annotations

import pytest

from azenvcloud._parsers import (
    InvalidValue,
    parse_audience,
    parse_endpoint,
    parse_flag,
    parse_subscription_id,
    scope_for_audience,
)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        pytest.param("login.chinacloudapi.cn", "https://login.chinacloudapi.cn", id="bare-host-gets-https"),
        pytest.param(
            "https://management.azure.com/", "https://management.azure.com", id="trailing-slash-dropped"
        ),
        pytest.param(
            "  https://Management.Azure.COM  ", "https://management.azure.com", id="host-lower-cased"
        ),
        pytest.param(
            "https://management.azure.com:443", "https://management.azure.com", id="default-port-dropped"
        ),
        pytest.param("https://127.0.0.1:8443/", "https://127.0.0.1:8443", id="loopback-with-port"),
        pytest.param("localhost:8443", "https://localhost:8443", id="bare-host-with-port"),
        pytest.param("https://[::1]:8443", "https://[::1]:8443", id="ipv6-literal"),
        pytest.param(
            "https://arm.local.azurestack.external/base/",
            "https://arm.local.azurestack.external/base",
            id="path-kept",
        ),
        pytest.param(
            "https://xn--bcher-kva.example", "https://xn--bcher-kva.example", id="punycode-accepted"
        ),
    ],
)
def test_endpoint_normalised(raw: str, normalised: str) -> None:
    assert parse_endpoint(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param("http://management.azure.com", "only https", id="http-scheme"),
        pytest.param("ftp://management.azure.com", "only https", id="ftp-scheme"),
        pytest.param("https://evil@management.azure.com", "user-info", id="user-info"),
        pytest.param("https://user:pw@management.azure.com", "user-info", id="user-info-with-password"),
        pytest.param("https://management.azure.com?x=1", "query", id="query"),
        pytest.param("https://management.azure.com/#frag", "fragment", id="fragment"),
        pytest.param("https://", "no host", id="no-host"),
        pytest.param("https://:443", "no host", id="port-without-host"),
        pytest.param("https://management.azure.com:99999", "port", id="port-out-of-range"),
        pytest.param("https://managément.azure.com", "non-ASCII", id="idn-look-alike"),
        pytest.param("https://mаnagement.azure.com", "non-ASCII", id="cyrillic-a-look-alike"),  # noqa: RUF001
        pytest.param("https://manage ment.azure.com", "whitespace", id="inner-space"),
        pytest.param("https://management.azure.com\x00", "control", id="nul-byte"),
        pytest.param("https://management.azure.com\u200b", "control", id="zero-width-space"),
        pytest.param("https://-bad-.azure.com", "DNS name", id="label-with-hyphen-edges"),
        pytest.param("https://a_b.azure.com", "DNS name", id="underscore-in-host"),
        pytest.param("https://" + "a" * 2100 + ".com", "longer than", id="too-long"),
        pytest.param("   ", "empty", id="blank"),
        pytest.param("https:/user@management.azure.com", "scheme is malformed", id="one-slash-scheme"),
        pytest.param("https://management.azure.com/@evil.com", "user-info", id="at-sign-in-path"),
        pytest.param("https://management.azure.com\\@evil.com", "backslash", id="backslash"),
    ],
)
def test_endpoint_refused_with_reason(raw: str, problem: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_endpoint(raw)
    assert problem in caught.value.problem
    assert "https" in caught.value.accepted


def test_endpoint_without_path_refuses_a_path() -> None:
    with pytest.raises(InvalidValue, match="has a path"):
        parse_endpoint("https://login.microsoftonline.com/contoso", allow_path=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "https://management.core.windows.net/",
            ("https://management.core.windows.net/", None),
            id="audience-kept-verbatim",
        ),
        pytest.param(
            "https://management.azure.com/.default",
            ("https://management.azure.com", "https://management.azure.com/.default"),
            id="scope",
        ),
        pytest.param(
            "https://management.core.windows.net//.default",
            ("https://management.core.windows.net/", "https://management.core.windows.net//.default"),
            id="cli-double-slash-scope-kept",
        ),
        pytest.param(
            "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155",
            ("https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155", None),
            id="azure-stack-audience-with-path",
        ),
    ],
)
def test_audience_and_scope(raw: str, expected: tuple[str, str | None]) -> None:
    assert parse_audience(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("management.azure.com", id="bare-host-is-not-an-audience"),
        pytest.param("https://management.azure.com.default", id="default-without-slash"),
        pytest.param("http://management.azure.com/", id="http"),
    ],
)
def test_audience_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        parse_audience(raw)


@pytest.mark.parametrize(
    ("audience", "scope"),
    [
        pytest.param(
            "https://api.contoso.example/", "https://api.contoso.example//.default", id="trailing-slash-kept"
        ),
        pytest.param("https://api.contoso.example", "https://api.contoso.example/.default", id="no-slash"),
        pytest.param(
            "https://management.adfs.azurestack.local/4de154de",
            "https://management.adfs.azurestack.local/4de154de/.default",
            id="path",
        ),
    ],
)
def test_scope_for_audience_is_the_audience_as_written_plus_default(audience: str, scope: str) -> None:
    # azure-cli-core resource_to_scopes: Microsoft's guidance keeps the trailing slash.
    assert scope_for_audience(audience) == scope


def test_subscription_id_is_a_guid_in_lower_case() -> None:
    assert (
        parse_subscription_id(" 5B5C41B0-0000-4000-8000-000000000001 ")
        == "5b5c41b0-0000-4000-8000-000000000001"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "5b5c41b0000040008000000000000001",
        "{5b5c41b0-0000-4000-8000-000000000001}",
        "5b5c41b0-0000-4000-8000-00000000000g",
    ],
)
def test_subscription_id_refused(raw: str) -> None:
    with pytest.raises(InvalidValue, match="not a GUID"):
        parse_subscription_id(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("true", True), ("1", True), ("Yes", True), (" off ", False), ("0", False), (False, False)],
)
def test_flag(raw: str | bool, value: bool) -> None:
    assert parse_flag(raw) is value


def test_flag_refused() -> None:
    with pytest.raises(InvalidValue, match="not a boolean"):
        parse_flag("maybe")
