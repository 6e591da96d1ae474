"""Nothing silently ignored: variables azenvcloud would have read but for a slip.

``AZURE_CLUOD=china`` or ``azure_cloud=china`` resolves the public cloud without a word, since
azenvcloud reads its variables by their exact names. Here the names in the environment and the
.env file are compared with azenvcloud's: one of them in another case (in a .env file always; in
the environment where names are case-sensitive, not on Windows), or within a Damerau-Levenshtein
distance of 2 of one of 8 characters or more (``AZURE_AUTHORITYHOST``, ``AZURE_SUBSCRIPTON_ID``,
``AZENVCLOUD_CACHEDIR``), is reported. So is another tool's cloud selector (Terraform's
``ARM_ENVIRONMENT``, go-autorest's ``AZURE_ENVIRONMENT``) naming a cloud other than the one
resolved: the user most likely meant both tools to use one cloud. Names other tools own
(``AZURE_OPENAI_ENDPOINT``, ``AZURE_STORAGE_CONNECTION_STRING``, azure-identity's) are not
azenvcloud's and are never reported; their distance to azenvcloud's names is more than 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from ._env_file import ENV_FILE_VARIABLE
from ._service_model import SERVICE_FIELDS, SERVICE_NAMES, is_service_variable, override_variable
from ._values import InvalidValue
from .clouds import canonical_cloud_name
from .errors import quote_value
from .provenance import IDENTITY_VARIABLES, VARIABLES

__all__ = ["CLOUD_SELECTORS", "find_typos"]

# Other tools' variables that select a cloud by name, with the tool that reads them.
CLOUD_SELECTORS: dict[str, str] = {
    # hashicorp/terraform-provider-azurerm internal/provider/provider.go
    # (commit 1a563be65801751a593806cf05a0951d322f3a62): "environment", EnvDefaultFunc("ARM_ENVIRONMENT",
    # "public"): public, usgovernment, china (Pulumi's azure-native reads it too).
    "ARM_ENVIRONMENT": "Terraform's",
    # Azure/go-autorest autorest/azure/auth/auth.go (commit 90128b0cbed977972cdf104474875758e9fe97d0):
    # NewAuthorizerFromEnvironment reads AZURE_ENVIRONMENT (AzurePublicCloud, AzureChinaCloud, ...).
    "AZURE_ENVIRONMENT": "go-autorest's",
}

_MAX_DISTANCE = 2
_MIN_LENGTH = 8  # shorter names are too close to too many others
# The names azenvcloud reads, by their exact spelling.
_OURS: tuple[str, ...] = (
    *VARIABLES.values(),
    ENV_FILE_VARIABLE,
    "ARM_CLOUD_METADATA_URL",
    *(override_variable(service, field) for service in SERVICE_NAMES for field in SERVICE_FIELDS),
)
# What a case-insensitive match may be a slip of: ours, and azure-identity's (copied from .env).
_BY_UPPER: dict[str, str] = {name.upper(): name for name in (*_OURS, *IDENTITY_VARIABLES)}
_KNOWN = frozenset({*_OURS, *IDENTITY_VARIABLES, *CLOUD_SELECTORS})
_TARGETS = tuple(name for name in _OURS if len(name) >= _MIN_LENGTH)


def find_typos(
    environment: Mapping[str, str], env_file: Mapping[str, str], env_file_path: str | None, cloud_name: str
) -> list[str]:
    """Warnings, one a line, for the names in ``environment`` and ``env_file`` (a .env file's
    values) that look like azenvcloud's but are not, and for other tools' cloud selectors naming
    a cloud other than ``cloud_name`` (the resolved one). Values are never quoted but a
    selector's (a cloud name)."""
    places = [("environment", "the environment", environment, os.name != "nt")]
    if env_file_path is not None:
        places.append((".env", f"the .env file {env_file_path}", env_file, True))
    warnings = []
    for _, where, values, case_sensitive in places:
        for name in values:
            meant = _meant(name, case_sensitive=case_sensitive)
            if meant is not None:
                warnings.append(f"{name} in {where} is not read: did you mean {meant}? ({_how(name, meant)})")
        warnings.extend(_other_clouds(values, where, cloud_name))
    return warnings


def _meant(name: str, *, case_sensitive: bool) -> str | None:
    """The name of azenvcloud's that ``name`` is most likely a slip of, or ``None``."""
    if name in _KNOWN or is_service_variable(name):
        return None
    upper = name.upper()
    if upper in _BY_UPPER:
        return _BY_UPPER[upper] if case_sensitive else None
    if upper in _KNOWN:  # another tool's name in another case: not ours to judge
        return None
    close = [target for target in _TARGETS if _within(upper, target, _MAX_DISTANCE)]
    return min(close, key=lambda target: (_distance(upper, target, _MAX_DISTANCE), target)) if close else None


def _how(name: str, meant: str) -> str:
    if name.upper() == meant.upper():
        return "variable names are case-sensitive"
    return "azenvcloud reads variables by their exact names"


def _other_clouds(values: Mapping[str, str], where: str, cloud_name: str) -> Iterator[str]:
    for selector, tool in CLOUD_SELECTORS.items():
        value = values.get(selector, "").strip()
        if not value:
            continue
        try:
            named = canonical_cloud_name(value)
        except InvalidValue:  # a name azenvcloud does not know: it cannot say it differs
            continue
        if named != cloud_name:
            yield (
                f"{selector}={quote_value(value)} in {where} names {named}, but azenvcloud resolved "
                f"{cloud_name}: {selector} is {tool} cloud selector, which azenvcloud does not read; set "
                f"AZURE_CLOUD={value} too if both are meant to use one cloud"
            )


def _within(a: str, b: str, limit: int) -> bool:
    """Whether the Damerau-Levenshtein (optimal string alignment) distance of ``a`` and ``b`` is
    at most ``limit``. Cheap refusals first, as most names are nowhere near: lengths too far
    apart, or none of ``b``'s ``2 * limit + 1`` pieces found in ``a`` (an edit, a transposition
    included, spoils at most two pieces, so one survives intact)."""
    if abs(len(a) - len(b)) > limit:
        return False
    count = 2 * limit + 1
    size = max(1, len(b) // count)
    pieces = [b[index * size : (index + 1) * size] for index in range(count - 1)] + [b[(count - 1) * size :]]
    if not any(piece in a for piece in pieces if piece):
        return False
    return _distance(a, b, limit) <= limit


def _distance(a: str, b: str, limit: int = 1 << 30) -> int:
    """The optimal string alignment distance, computed in the band of ``limit`` around the
    diagonal (more than ``limit``: ``limit + 1``)."""
    far = limit + 1
    while a and b and a[0] == b[0]:  # a common start or end costs nothing: most of AZURE_...
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    before: list[int] = []
    previous = [j if j <= limit else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [far] * (len(b) + 1)
        if i <= limit:
            current[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cell = min(cell, before[j - 2] + 1)  # a transposition
            current[j] = min(cell, far)
        if min(current) >= far:
            return far
        before, previous = previous, current
    return previous[-1]
