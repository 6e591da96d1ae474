"""One trust rule for every value that decides where a token, a secret or a request goes.

Code arguments, command-line options, the process environment and a ``.env`` file the user
named (``AZENVCLOUD_ENV_FILE``, ``--env-file``, ``_env_file=``) are trusted. The ``./.env`` found
implicitly in the working directory is not: anyone who can put a file there (a cloned
repository, an image's working folder) would otherwise choose where tokens and secrets go. From
it, a destination value is accepted only when it

- is ``AZURE_CLOUD`` naming a built-in cloud or a variant of one (``dod``), or
- repeats the selected cloud's own value for that variable (the selected cloud being built in,
  a variant, or described by a trusted source).

Anything else is a :class:`~azenvcloud.ConfigurationError` before any request or file read,
naming the variable, the file and the two fixes that work. Every variable's rule is part of its
declaration (:mod:`azenvcloud._variables`): a new destination is its declaration there, and the
rules here apply to it, ``repeat`` included (:func:`check_repeated` compares it with the selected
cloud's own value as its declaration says). Values that are not destinations (subscription,
tenant, client ID, profile) are unaffected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ._declaration import Rule, Selected
from ._errors import ConfigurationError, quote_value
from ._parsers import InvalidValue
from ._provenance import VARIABLES, Source
from ._variables import ALL, declaration_of, of_use

__all__ = [
    "RULES",
    "Rule",
    "check_env_file_variables",
    "check_repeated",
    "check_settings",
    "is_trusted",
    "refuse",
    "require_own_value",
    "require_trusted",
    "rule_of",
    "weakest",
]

RULES: Mapping[str, Rule] = {
    variable.name: variable.trust.rule for variable in ALL if variable.trust.rule and variable.pattern is None
}
"""Every destination variable and its rule, from the declarations. ``AZURE_SERVICE_<SERVICE>_SUFFIX``,
``_AUDIENCE`` and ``_ENDPOINT`` follow ``repeat`` too (:func:`rule_of`)."""


def rule_of(variable: str) -> Rule | None:
    """The rule for ``variable``, or ``None`` when it decides no destination."""
    declared = declaration_of(variable)
    return declared.trust.rule if declared is not None else None


def is_trusted(source: Source) -> bool:
    """Whether a value from ``source`` may decide a destination on its own."""
    return not (source.kind == "dotenv" and source.implicit)


def weakest(*sources: Source | None) -> Source | None:
    """The least trusted of ``sources`` (``None`` ignored): what a value that depends on all of
    them (metadata served from a cache: its URL and the cache folder) is trusted as."""
    present = [source for source in sources if source is not None]
    untrusted = [source for source in present if not is_trusted(source)]
    chosen = untrusted or present
    return chosen[0] if chosen else None


def refuse(
    variable: str, raw: object, source: Source, why: str, *, another_cloud: str | None = None
) -> ConfigurationError:
    """The one error for a destination value an untrusted file chose.

    ``why`` says what was wrong with it (``it is no built-in cloud's name``). ``another_cloud``:
    the built-in cloud (other than the selected one) the value is of, if any; naming the file or
    moving the value to the environment would then make the mixed-cloud error, so the fix offered
    is removing it.
    """
    path = source.detail
    if another_cloud is None:
        fixes = (
            f"name the file if you trust it (AZENVCLOUD_ENV_FILE={path}, --env-file or _env_file=), or set "
            f"{variable} in the environment"
        )
    else:
        fixes = (
            f"remove {variable} from that file: a value of {another_cloud} would be the mixed-cloud error "
            "from any source, the environment or a named file included"
        )
    return ConfigurationError(
        f"{variable}={quote_value(raw)} comes from the .env file {path}, found in the working directory "
        f"without being named, which may only select a built-in cloud (AZURE_CLOUD) or repeat the selected "
        f"cloud's own values; {why}. A file anyone can leave in a working directory (a cloned repository) "
        f"must not choose where tokens and secrets go. Accepted: {fixes}.",
        variables=(variable,),
    )


def require_trusted(variable: str, raw: object, source: Source | None, why: str) -> None:
    """Raise :func:`refuse`'s error unless ``source`` is trusted (used for ``never`` values and
    for values read or requested before they could be compared with a cloud)."""
    if source is not None and not is_trusted(source):
        raise refuse(variable, raw, source, why)


def check_settings(
    values: Mapping[str, object],
    sources: Mapping[str, Source],
    *,
    is_cloud_name: Callable[[str], bool],
    selected: Selected,
) -> None:
    """Before anything is read or requested: the ``never`` and ``cloud name`` rules for the
    settings' winning values (``is_cloud_name``: whether a name selects a built-in cloud).

    First, a ``never`` value of another built-in cloud than ``selected`` (as far as the cloud's
    name tells, before its values are read) is refused offering to remove it: naming the file or
    moving the value to the environment would be the mixed-cloud error.
    """
    untrusted = [
        (field, raw, source, declared)
        for field, raw in values.items()
        if (source := sources.get(field)) is not None
        and isinstance(source, Source)
        and not is_trusted(source)
        and (declared := declaration_of(VARIABLES.get(field, ""))) is not None
    ]
    for _field, raw, source, declared in untrusted:
        judge = declared.trust.another_cloud
        if (
            declared.trust.rule != "never"
            or judge is None
            or selected.cloud is None
            or declared.parse is None
        ):
            continue
        try:
            another = judge(declared.parse(raw), selected, declared.name)
        except InvalidValue:
            continue  # a malformed value: the rule's usual refusal below
        if another is not None:
            raise refuse(declared.name, raw, source, another.why or "", another_cloud=another.clouds)
    for _field, raw, source, declared in untrusted:
        if declared.trust.rule == "never":
            raise refuse(declared.name, raw, source, "the selected cloud has no value of its own for it")
        if declared.trust.rule == "cloud name" and not is_cloud_name(str(raw)):
            raise refuse(declared.name, raw, source, "it names no built-in cloud")


def check_repeated(selected: Selected, given: Iterable[tuple[str, object, object, Source]]) -> None:
    """The ``repeat`` rule, for every declared variable: each value (``(variable, raw, parsed,
    source)``) from an untrusted source must be the ``selected`` cloud's own value, as the
    variable's declaration finds it; the refusal offers removing a value of another built-in cloud.
    Values from trusted sources, and of variables with another rule, are left alone."""
    for variable, raw, value, source in given:
        declared = declaration_of(variable)
        trust = declared.trust if declared is not None else None
        if trust is None or trust.rule != "repeat" or is_trusted(source):
            continue
        if trust.own_destinations is not None:  # several destinations in one value, each judged
            not_own = trust.own_destinations(value, selected)
            if not_own is not None:
                raise refuse(variable, raw, source, not_own.why, another_cloud=not_own.another_cloud)
            continue
        if trust.own is None:
            continue
        own = trust.own(selected, variable)
        judged = trust.another_cloud
        another = (
            judged(value, selected, variable) if judged is not None and selected.cloud is not None else None
        )
        require_own_value(
            variable,
            raw,
            source,
            value=str(value).lower() if isinstance(value, bool) else str(value),
            own=own.value,
            cloud=own.cloud,
            another_cloud=another.clouds if another is not None else None,
        )


def require_own_value(
    variable: str,
    raw: object,
    source: Source,
    *,
    value: str,
    own: str | None,
    cloud: str | None,
    another_cloud: str | None = None,
) -> None:
    """The ``repeat`` rule: an untrusted ``value`` must equal ``own``, the selected ``cloud``'s
    value (``None`` where that cloud has none, or no trusted source described the cloud).
    ``another_cloud``: the other built-in cloud the value is of, if any (:func:`refuse`)."""
    if is_trusted(source) or (own is not None and _same(value, own)):
        return
    if cloud is None:
        why = "no built-in cloud or trusted source describes the cloud it would belong to"
    elif own is None:
        why = f"{cloud} has no value of its own for it"
    else:
        why = f"it is not {cloud}'s own value ({own})"
    raise refuse(variable, raw, source, why, another_cloud=another_cloud)


def _same(value: str, own: str) -> bool:
    return value.strip().rstrip("/").lower() == own.strip().rstrip("/").lower()


def check_env_file_variables(
    values: Mapping[str, str], source: Source, environment: Mapping[str, str]
) -> None:
    """The ``never`` variables of an implicit ``./.env`` that azure-identity would read once
    azenvcloud exported them (the environment's own value wins and is used instead)."""
    if is_trusted(source):
        return
    for declared in of_use("identity"):
        variable = declared.name
        value = values.get(variable, "")
        if declared.trust.rule == "never" and value.strip() and not environment.get(variable, "").strip():
            raise refuse(variable, value, source, "it names a file whose secret would go to the authority")
