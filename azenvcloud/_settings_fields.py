"""What a settings class declares, as pydantic-settings' environment-like sources look it up:
the keys of its fields and of its nested models' fields, the ``dict`` fields, and which fields a
state (the values earlier sources gave) fills.

No settings of azenvcloud's here: the classes are the user's, the rules pydantic-settings'.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import AliasChoices, AliasPath, BaseModel
from pydantic.fields import FieldInfo

__all__ = [
    "ABSENT",
    "EnvSource",
    "Wanted",
    "aliases",
    "covered",
    "given_fields",
    "merged",
    "missing_fields",
    "model_fields",
    "nested_types",
    "present",
]

NESTING = 10  # how deep nested models are followed (a model that contains itself stops here)


class EnvSource(Protocol):
    """What is read of a pydantic-settings environment-like source (``AzureKeyVaultSettingsSource``)."""

    @property
    def settings_cls(self) -> Any: ...
    @property
    def case_sensitive(self) -> bool | None: ...
    @property
    def env_nested_delimiter(self) -> str | None: ...
    @property
    def _dash_to_underscore(self) -> bool: ...
    @property
    def _snake_case_conversion(self) -> bool: ...

    def _extract_field_info(self, field: FieldInfo, field_name: str) -> list[tuple[str, str, bool]]: ...


@dataclass
class Wanted:
    """What pydantic-settings will look up for a class: every field's keys (a field, a nested
    model's field) with the field each is for, the prefixes under which nested values are
    gathered, and the ``dict`` fields (whose keys are unknowable without a listing)."""

    fields: dict[str, str]
    top: set[str]
    prefixes: dict[str, str]
    dict_fields: list[str]

    @classmethod
    def of(cls, source: EnvSource) -> Wanted:
        """What ``source`` will look up for its settings class."""
        wanted = cls({}, set(), {}, [])
        delimiter = source.env_nested_delimiter or ""
        for name, info in source.settings_cls.model_fields.items():
            for _, env_name, _ in source._extract_field_info(info, name):
                wanted.fields.setdefault(env_name, name)
                wanted.top.add(env_name)
                wanted._nested(source, env_name + delimiter, info.annotation, name, 0)
        return wanted

    def path_of(self, key: str) -> str:
        """The field (a dotted path) a secret filed under ``key`` is for."""
        return self.fields.get(key) or next(
            (self.prefixes[p] for p in sorted(self.prefixes, key=len, reverse=True) if key.startswith(p)), ""
        )

    def accepts(self, key: str) -> bool:
        """Whether pydantic-settings would use a secret filed under ``key``: looked up by a
        field, or gathered into a nested value."""
        return key in self.top or any(key.startswith(prefix) for prefix in self.prefixes)

    def _nested(self, source: EnvSource, prefix: str, annotation: Any, path: str, depth: int) -> None:
        models, is_dict = nested_types(annotation)
        if is_dict:
            self.dict_fields.append(path)
            self.prefixes.setdefault(prefix, path)
        if not models or depth >= NESTING:
            return
        self.prefixes.setdefault(prefix, path)
        for model in models:
            for name, info in model_fields(model).items():
                for segment in _segments(source, name, info):
                    self.fields.setdefault(prefix + segment, f"{path}.{name}")
                    delimiter = source.env_nested_delimiter or ""
                    self._nested(
                        source, prefix + segment + delimiter, info.annotation, f"{path}.{name}", depth + 1
                    )


def nested_types(annotation: Any) -> tuple[list[type], bool]:
    """The models a field's value may be gathered into, and whether it may be a ``dict``
    (through ``Optional``, unions, ``Annotated`` and type aliases, as pydantic-settings looks)."""
    models: list[type] = []
    is_dict = False
    pending = [annotation]
    while pending:
        current = pending.pop()
        value = getattr(current, "__value__", None)
        if value is not None and type(current).__name__ == "TypeAliasType":
            pending.append(value)
            continue
        origin = typing.get_origin(current)
        if origin is typing.Annotated:
            pending.append(typing.get_args(current)[0])
        elif origin is typing.Union or origin is types.UnionType:
            pending.extend(typing.get_args(current))
        elif current is dict or (isinstance(origin, type) and issubclass(origin, dict)):
            is_dict = True
        elif isinstance(current, type) and (
            issubclass(current, BaseModel) or hasattr(current, "__pydantic_fields__")
        ):
            models.append(current)
    return models, is_dict


def model_fields(model: type) -> dict[str, FieldInfo]:
    """The fields of a pydantic model or pydantic dataclass."""
    if issubclass(model, BaseModel):
        return dict(model.model_fields)
    return dict(getattr(model, "__pydantic_fields__", {}))


def aliases(name: str, info: FieldInfo) -> list[str]:
    """A field's name and the names its aliases give it (the first of each ``AliasPath``)."""
    names = [name]
    alias = info.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    for choice in choices:
        if isinstance(choice, str):
            names.append(choice)
        elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
            names.append(choice.path[0])
    if info.alias:
        names.append(info.alias)
    return list(dict.fromkeys(names))


def _segments(source: EnvSource, name: str, info: FieldInfo) -> list[str]:
    """The key segments of a nested model's field, as its secret names spell them."""
    segments = []
    for each in aliases(name, info):
        segment = each if source.case_sensitive else each.lower()
        if source._dash_to_underscore and not source._snake_case_conversion:
            segment = segment.replace("_", "-")
        segments.append(segment)
    return list(dict.fromkeys(segments))


def merged(first: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    """``then`` deep-merged over by ``first`` (an earlier source wins, as pydantic-settings merges)."""
    result = dict(then)
    for key, value in first.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(value, result[key])
        else:
            result[key] = value
    return result


ABSENT: Any = object()


def present(values: Mapping[str, Any], name: str, info: FieldInfo, case_sensitive: bool) -> Any:
    """The value given for a field under its name or an alias, or ``ABSENT``."""
    for each in aliases(name, info):
        if each in values:
            return values[each]
        if not case_sensitive:
            for key, value in values.items():
                if isinstance(key, str) and key.lower() == each.lower():
                    return value
    return ABSENT


def given_fields(
    model: type, state: Mapping[str, Any], case_sensitive: bool, prefix: str = ""
) -> tuple[set[str], bool]:
    """The fields (dotted paths) an earlier source gave whole, whose secrets need not be read (a
    value that is no mapping wins over the vault's; a nested model every field of which is given
    is given), and whether every field of ``model`` is."""
    given: set[str] = set()
    complete = True
    for name, info in model_fields(model).items():
        path = prefix + name
        value = present(state, name, info, case_sensitive)
        models, _ = nested_types(info.annotation)
        if value is ABSENT:
            complete = False
        elif not isinstance(value, Mapping):
            given.add(path)
        elif len(models) == 1:  # merged with the vault's: only what it holds is given
            inner, whole = given_fields(models[0], value, case_sensitive, f"{path}.")
            given |= {path} if whole else inner
            complete = complete and whole
        else:
            complete = False
    return given, complete


def covered(path: str, given: set[str]) -> bool:
    """Whether ``path`` or a field it is part of was given whole."""
    return any(path == each or path.startswith(f"{each}.") for each in given)


def missing_fields(model: type, values: Mapping[str, Any], path: str, case_sensitive: bool) -> list[str]:
    """The required fields (dotted paths) of ``model`` that ``values`` does not fill; a missing
    model field is its own missing required fields, when it has some."""
    missing = []
    for name, info in model_fields(model).items():
        dotted = f"{path}{name}"
        value = present(values, name, info, case_sensitive)
        models, _ = nested_types(info.annotation)
        nested = models[0] if len(models) == 1 else None
        if value is ABSENT and not info.is_required():
            continue
        if nested is not None and (value is ABSENT or isinstance(value, Mapping)):
            given = {} if value is ABSENT else value
            inner = missing_fields(nested, given, f"{dotted}.", case_sensitive)
            missing += inner or ([dotted] if value is ABSENT else [])
        elif value is ABSENT:
            missing.append(dotted)
    return missing
