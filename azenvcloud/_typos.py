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

A named configuration's variables are its prefix and one of the names it reads: with ``gov``
declared in ``AZENVCLOUD_CONFIGURATIONS``, ``GOV_AZURE_CLUOD`` is reported as a slip of
``GOV_AZURE_CLOUD``, and ``GOV_AZENVCLOUD_ENV_FILE`` as a variable that is one for the whole
process; with ``gov`` not declared, ``GOV_AZURE_CLOUD`` is reported with the declaration that would
have it read (or as a slip of a declared name's: ``GOB_AZURE_CLOUD``). Names other tools prefix
(``VITE_AZURE_CLIENT_ID``, ``INPUT_AZURE_CREDENTIALS``) cannot name a configuration and stay quiet.

The check is bounded, whatever the environment or the file holds (a 4 MiB ``./.env`` of
131,069 near misses once took two minutes under the settings lock): it lists at most
:data:`LISTED` slips and says how many more it found in one line; it looks at no more than
:data:`NAMES_CHECKED` names and compares no more than :data:`COMPARISONS` candidates with them,
and says so in that line when it stopped early. A name's candidates come from an index of
azenvcloud's names by their pieces (:class:`_Index`): a few lookups per name, not a comparison
with each of azenvcloud's names, so the cost does not grow with how many names azenvcloud reads.
A prefixed name is cut at its first ``_`` and the rest looked up as an unprefixed name would be
(one set lookup for the prefix): the cost does not grow with how many configurations are
declared either.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping

from ._clouds import canonical_cloud_name
from ._configuration_names import DECLARATION, is_configuration_name
from ._errors import quote_value
from ._parsers import InvalidValue
from ._provenance import IDENTITY_VARIABLES
from ._services import is_service_variable
from ._variables import ALL, of_use

__all__ = ["CLOUD_SELECTORS", "COMPARISONS", "LISTED", "NAMES_CHECKED", "find_typos"]

# Other tools' variables that select a cloud by name, with the tool that reads them (each
# declared, with its source, in azenvcloud._variables).
CLOUD_SELECTORS: dict[str, str] = {
    variable.name: f"{variable.defined_by}'s" for variable in of_use("cloud selector")
}

_MAX_DISTANCE = 2
_MIN_LENGTH = 8  # shorter names are too close to too many others
# A name is cut into this many pieces: each edit spoils at most two (a transposition across a
# cut), so a name within _MAX_DISTANCE of one of ours keeps at least 3 of them intact, each within
# _MAX_DISTANCE characters of where it sits in ours.
_PIECES = 2 * _MAX_DISTANCE + 3
_INTACT = _PIECES - 2 * _MAX_DISTANCE

LISTED = 5
"""Slips listed one a line; how many more were found is said in one more line."""
NAMES_CHECKED = 4096
"""Names looked at, at most, per resolution (the environment's first, then the .env file's)."""
COMPARISONS = 1024
"""Candidates compared with a name, at most, per resolution: the costly step."""

# The names azenvcloud reads into its settings, by their exact spelling (every declared setting,
# alias and service variable, the .env file's, and the declaration of the named configurations).
_OURS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            *(
                name
                for variable in of_use("setting", "env file", "alias", "service")
                for name in variable.names()
            ),
            DECLARATION,
        )
    )
)
# What a case-insensitive match may be a slip of: ours, and azure-identity's (copied from .env).
_BY_UPPER: dict[str, str] = {name.upper(): name for name in (*_OURS, *IDENTITY_VARIABLES)}
_KNOWN = frozenset({*_OURS, *IDENTITY_VARIABLES, *CLOUD_SELECTORS})
_TARGETS = tuple(name for name in _OURS if len(name) >= _MIN_LENGTH)

# What a named configuration reads after its prefix: every variable declared per configuration,
# azure-identity's too (a named configuration's credential is built from them by azenvcloud).
_PER_CONFIGURATION: dict[str, str] = {
    name.upper(): name
    for variable in ALL
    if variable.scope == "configuration"
    and variable.use in ("setting", "alias", "service", "identity", "named identity")
    for name in variable.names()
}
# What no named configuration reads, though the default (or the process) does: a prefix on it is
# a misunderstanding, said as such (other tools' cloud selectors are not read at all: quiet).
_NOT_PER_CONFIGURATION: dict[str, tuple[str, str]] = {
    name.upper(): (name, variable.scope)
    for variable in ALL
    if variable.scope != "configuration" and variable.use != "cloud selector"
    for name in variable.names()
}
_PER_CONFIGURATION_NAMES = frozenset(_PER_CONFIGURATION.values())
_NAMED_TARGETS = tuple(name for name in _PER_CONFIGURATION_NAMES if len(name) >= _MIN_LENGTH)


def find_typos(
    environment: Mapping[str, str],
    env_file: Mapping[str, str],
    env_file_path: str | None,
    cloud_name: str,
    *,
    configurations: Collection[str] = (),
) -> list[str]:
    """Warnings, one a line, for the names in ``environment`` and ``env_file`` (a .env file's
    values) that look like azenvcloud's but are not, and for other tools' cloud selectors naming
    a cloud other than ``cloud_name`` (the resolved one). ``configurations`` are the declared
    configurations' names (``gov``: ``GOV_AZURE_CLOUD`` is read). Values are never quoted but a
    selector's (a cloud name). At most :data:`LISTED` slips are listed, and one more line says
    how many more were found, or where the check stopped (see the module's docstring)."""
    places = [("the environment", environment, os.name != "nt")]
    if env_file_path is not None:
        places.append((f"the .env file {env_file_path}", env_file, True))
    check = _Check(configurations)
    slips: list[str] = []
    looked_at = 0
    with contextlib.suppress(_Spent):  # the names left are not looked at
        for where, values, case_sensitive in places:
            for name in values:
                why = check.why(name, case_sensitive=case_sensitive)
                looked_at += 1
                if why is not None:
                    slips.append(f"{name} in {where} is not read: {why}")
    sizes = {where: len(values) for where, values, _ in places}
    summary = _summary(len(slips) - LISTED, sum(sizes.values()) - looked_at, sizes)
    others = [line for where, values, _ in places for line in _other_clouds(values, where, cloud_name)]
    return [*slips[:LISTED], *([summary] if summary else []), *others]


class _Spent(Exception):
    """The check's budget is spent before a name could be judged."""


def _summary(more: int, unchecked: int, sizes: dict[str, int]) -> str | None:
    """The one line after the listed slips: how many more there are, and where the check
    stopped; ``None`` when there is nothing to say."""
    if not unchecked:
        if more <= 0:
            return None
        return (
            f"{more:,} more names look like azenvcloud's variables but are not read; the first {LISTED} "
            "are listed above"
        )
    total = sum(sizes.values())
    line = (
        f"azenvcloud stopped looking for slips after {total - unchecked:,} of the {total:,} names in "
        f"{' and '.join(sizes)} (it looks at no more than {NAMES_CHECKED:,} names and {COMPARISONS:,} "
        "candidates, so that a large environment or .env file cannot slow resolution down)"
    )
    if more <= 0:
        return line
    return (
        f"{line}; of the names it looked at, {more:,} more look like azenvcloud's variables but are not read"
    )


class _Check:
    """One resolution's check: the declared configurations, and the names and comparisons it may
    still spend."""

    def __init__(self, configurations: Collection[str] = ()) -> None:
        self.names = NAMES_CHECKED
        self.comparisons = COMPARISONS
        self.declared = tuple(dict.fromkeys(name.lower() for name in configurations))

    def why(self, name: str, *, case_sensitive: bool) -> str | None:
        """Why ``name`` is not read, when it looks like azenvcloud's (what follows "is not read:"),
        or ``None``.

        Raises:
            _Spent: The budget is spent before ``name`` could be judged.
        """
        if self.names <= 0:
            raise _Spent
        self.names -= 1
        if name in _KNOWN or is_service_variable(name):
            return None
        head, _, rest = name.partition("_")
        if rest and head.lower() in self.declared:
            return self._prefixed(name, head, rest, case_sensitive=case_sensitive)
        if rest and is_configuration_name(head.lower()) and _read_per_configuration(rest.upper()):
            return self._undeclared(head, rest)
        meant = self._meant(name.upper(), _BY_UPPER, _index, case_sensitive=case_sensitive)
        return None if meant is None else f"did you mean {meant}? ({_how(name, meant)})"

    def _meant(
        self, upper: str, by_upper: Mapping[str, str], index: Callable[[], _Index], *, case_sensitive: bool
    ) -> str | None:
        """The name of ``by_upper``'s that ``upper`` is most likely a slip of, or ``None``."""
        if upper in by_upper:
            return by_upper[upper] if case_sensitive else None
        if upper in _KNOWN:  # another tool's name in another case: not ours to judge
            return None
        candidates = index().candidates(upper)
        self._spend(len(candidates))
        close = [(edits, target) for target in candidates if (edits := _edits(upper, target)) is not None]
        return min(close)[1] if close else None

    def _spend(self, comparisons: int) -> None:
        if comparisons > self.comparisons:
            raise _Spent
        self.comparisons -= comparisons

    def _prefixed(self, name: str, head: str, rest: str, *, case_sensitive: bool) -> str | None:
        """Why ``name``, ``rest`` under a declared configuration's prefix, is not read, or ``None``."""
        prefix = head.upper()
        upper = rest.upper()
        if upper in _NOT_PER_CONFIGURATION and upper not in _PER_CONFIGURATION:
            plain, scope = _NOT_PER_CONFIGURATION[upper]
            if scope == "process":
                return f"{plain} is one for the whole process, never read per configuration: set {plain}"
            return f"{plain} is not read per configuration"
        if rest in _PER_CONFIGURATION_NAMES or is_service_variable(rest):
            meant: str | None = rest
        else:
            meant = self._meant(upper, _PER_CONFIGURATION, _named_index, case_sensitive=case_sensitive)
        if meant is None or (head == prefix and meant == rest):
            return None  # read, or nothing of ours
        meant = f"{prefix}_{meant}"
        if meant.upper() == name.upper() and not case_sensitive:
            return None
        return f"did you mean {meant}? ({_how(name, meant)})"

    def _undeclared(self, head: str, rest: str) -> str:
        """Why ``rest`` under the prefix ``head``, which names no declared configuration, is not
        read: a slip of a declared name's prefix (``GOB_`` for ``GOV_``), or a missing declaration."""
        lowered = head.lower()
        self._spend(len(self.declared))
        near = [
            declared
            for declared in self.declared
            if min(len(declared), len(lowered)) >= 3 and _edits(lowered.upper(), declared.upper()) == 1
        ]
        if near:
            return (
                f"did you mean {near[0].upper()}_{rest}? ({lowered} is no declared configuration: "
                f"{DECLARATION}={','.join(self.declared)})"
            )
        declaration = ",".join((*self.declared, lowered))
        return (
            f"{lowered} is no declared configuration; declare it to have {head.upper()}_ variables read: "
            f"{DECLARATION}={declaration}"
        )


class _Index:
    """azenvcloud's names by their pieces: where a name's piece ``i`` (of :data:`_PIECES`, each
    ``size`` characters) could sit in each of them, give or take :data:`_MAX_DISTANCE`
    characters. A name's candidates are the names holding at least :data:`_INTACT` of its pieces
    where they could be: a few lookups per name, never one comparison per name indexed."""

    def __init__(self, targets: tuple[str, ...]) -> None:
        self.places: dict[tuple[int, int, str], list[str]] = {}
        self.short: list[str] = []  # names a name too short to cut could be a slip of
        for target in targets:
            length = len(target)
            if length - _MAX_DISTANCE < _PIECES:
                self.short.append(target)
            sizes = {n // _PIECES for n in range(length - _MAX_DISTANCE, length + _MAX_DISTANCE + 1)}
            for size in sizes - {0}:
                for piece in range(_PIECES):
                    starts = range(
                        max(0, piece * size - _MAX_DISTANCE),
                        min(length - size, piece * size + _MAX_DISTANCE) + 1,
                    )
                    for key in {(size, piece, target[start : start + size]) for start in starts}:
                        self.places.setdefault(key, []).append(target)

    def candidates(self, upper: str) -> list[str]:
        """azenvcloud's names that ``upper`` may be within :data:`_MAX_DISTANCE` of (a superset)."""
        length = len(upper)
        size = length // _PIECES
        if size == 0:
            return [target for target in self.short if abs(len(target) - length) <= _MAX_DISTANCE]
        found: Counter[str] = Counter()
        for piece in range(_PIECES):
            found.update(self.places.get((size, piece, upper[piece * size : (piece + 1) * size]), ()))
        return [
            target
            for target, count in found.items()
            if count >= _INTACT and abs(len(target) - length) <= _MAX_DISTANCE
        ]


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(_TARGETS)  # built on first use: most resolutions meet no name to look up


@functools.lru_cache(maxsize=1)
def _named_index() -> _Index:
    """The names a named configuration reads after its prefix, indexed once: whatever the number
    of declared configurations (their prefixes are cut off before the lookup)."""
    return _Index(_NAMED_TARGETS)


def _read_per_configuration(upper: str) -> bool:
    """Whether a named configuration reads ``upper`` (in upper case) after its prefix."""
    return upper in _PER_CONFIGURATION or is_service_variable(upper)


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


def _edits(a: str, b: str) -> int | None:
    """The optimal string alignment distance of ``a`` and ``b`` (edits, adjacent transpositions
    included) when it is at most :data:`_MAX_DISTANCE`, else ``None``."""
    if not _within(a, b, _MAX_DISTANCE):
        return None
    return next(limit for limit in range(_MAX_DISTANCE + 1) if _within(a, b, limit))


def _within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` becomes ``b`` in at most ``limit`` edits: past their common start, the first
    difference is a substitution, a deletion, an insertion or a transposition, and the rest must
    take one edit fewer (at most ``4 ** limit`` branches, each a few string comparisons)."""
    start = _common_start(a, b)
    a, b = a[start:], b[start:]
    if a == b:
        return True
    if limit == 0 or abs(len(a) - len(b)) > limit:
        return False
    limit -= 1
    return (
        _within(a[1:], b[1:], limit)
        or _within(a[1:], b, limit)
        or _within(a, b[1:], limit)
        or (len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0] and _within(a[2:], b[2:], limit))
    )


def _common_start(a: str, b: str) -> int:
    """The length of the longest common start of ``a`` and ``b``, by halving (string
    comparisons run in C: a few of them instead of a loop over characters)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
