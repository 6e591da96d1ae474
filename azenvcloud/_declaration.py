"""What a variable's declaration holds: its name, meaning, trust decision, scope and parser.

The declarations themselves are in :mod:`azenvcloud._variables`; what the ``repeat`` and ``never``
rules compare a destination with, in :mod:`azenvcloud._own_values`.
"""

# No ``from __future__ import annotations`` here: typing.NamedTuple would compile every field's
# annotation from its text when the module is imported.
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from ._clouds import Cloud, variant_services
from ._services import Service, services_of

__all__ = [
    "Another",
    "Decision",
    "Judge",
    "NotOwn",
    "Own",
    "Rule",
    "Scope",
    "Selected",
    "Trust",
    "Use",
    "Variable",
    "cloud_name",
    "environment_only",
    "never",
    "no_destination",
    "repeat",
    "repeat_destinations",
]

Rule = Literal["cloud name", "repeat", "never"]
"""What a value from the implicit ``./.env`` may do with a destination variable: name a built-in
cloud (``cloud name``), repeat the selected cloud's own value (``repeat``), or nothing (``never``:
the cloud has no value of its own to repeat)."""

Decision = Literal["cloud name", "repeat", "never", "no destination", "environment only"]
"""A variable's trust decision: one of the :data:`Rule` for a destination; ``no destination``
(any source may set it: it decides no host a token, a secret or a request goes to); or
``environment only`` (no ``.env`` file's value is used)."""

Scope = Literal["configuration", "process", "default"]
"""``configuration``: each named configuration reads its own (``GOV_AZURE_CLOUD``); ``process``:
one for the process, never prefixed; ``default``: read by the default configuration alone (its
``DefaultAzureCredential``'s), never by a named one."""

Use = Literal[
    "setting",
    "alias",
    "service",
    "env file",
    "identity",
    "sdk cloud",
    "ca",
    "cloud selector",
    "telemetry",
    "configurations",
    "named identity",
]
"""What azenvcloud does with a variable: a setting (a ``Settings`` attribute), an alias read into
a setting below everything else (the Azure CLI's ``ARM_CLOUD_METADATA_URL``), a data-plane
service's value (pattern-declared), which ``.env`` file is read, azure-identity's (exported from a
``.env`` file for it), azure-core's cloud switch (must agree), the certificate authorities every
transport trusts, another tool's cloud selector (compared, never obeyed), a switch of the
Azure Monitor exporter's that ``azenvcloud.telemetry`` sets or checks, the names of the named
configurations, or an identity input only a named configuration's credential reads."""


class Selected:
    """The cloud a value from the implicit ``./.env`` is compared with by the ``repeat`` rule.

    Attributes:
        cloud: The selected cloud (built in, a variant, or described by trusted metadata), or
            ``None`` where no built-in cloud or trusted source describes it.
        name: ``AZURE_CLOUD`` as written, where it was set (a variant's name brings its services).
        authority_host: The authority the configuration resolves to, where it is known.
    """

    def __init__(
        self, cloud: Cloud | None, name: str | None = None, authority_host: str | None = None
    ) -> None:
        self.cloud = cloud
        self.name = name
        self.authority_host = authority_host

    @functools.cached_property
    def with_services(self) -> Cloud | None:
        """The selected cloud with the services its name brings (``dod``: the DoD Graph)."""
        if self.cloud is None:
            return None
        overrides = variant_services(self.name) if self.name else {}
        return self.cloud.model_copy(update={"service_overrides": overrides}) if overrides else self.cloud

    @functools.cached_property
    def services(self) -> Mapping[str, Service]:
        """The selected cloud's own services, before any ``AZURE_SERVICE_*`` variable (built only
        when a value from the implicit ``./.env`` is compared with one of them)."""
        return services_of(self.with_services) if self.with_services is not None else {}


class Own(NamedTuple):
    """The selected cloud's own value for a variable, and how to name that cloud in a message."""

    value: str | None
    cloud: str | None


class Another(NamedTuple):
    """The other built-in cloud(s) a value is of (the fix offered is then removing it), and, for a
    ``never`` value, what to say about it (``it lists x, a host of AzureCloud``)."""

    clouds: str
    why: str | None = None


Judge = Callable[[Any, Selected, str], Another | None]
"""Which other built-in cloud a (parsed) value is of, given the selected cloud and the variable."""


class NotOwn(NamedTuple):
    """Why a value that holds several destinations is not the selected cloud's own, and the other
    built-in cloud(s) it is of, if any (the refusal then offers removing it)."""

    why: str
    another_cloud: str | None = None


# The records below are NamedTuples, not dataclasses: immutable all the same, and ten times
# cheaper to define (every declaration module is imported by `import azenvcloud`'s first use).
class Trust(NamedTuple):
    """A variable's trust decision: what a value from the implicit ``./.env`` may do, and why.

    Attributes:
        decision: See :data:`Decision`.
        reason: Why, in a few words: what the value decides (for a destination), or why it decides
            none.
        refused_in_env_file: For ``environment only``: a ``.env`` file that sets it is an error
            (otherwise its value there is not read).
        own: For ``repeat``: the selected cloud's own value for the variable (given its name).
        another_cloud: The other built-in cloud a value (parsed) is of, given the selected cloud
            and the variable's name: a refusal then offers removing it, never naming the file or
            the environment (either would be the mixed-cloud error).
        own_destinations: For ``repeat``, in place of ``own``, for a value that holds several
            destinations (an Application Insights connection string's endpoints and audience):
            ``None`` when every one is the selected cloud's own, else why not (:class:`NotOwn`).
    """

    decision: Decision
    reason: str
    refused_in_env_file: bool = False
    own: Callable[[Selected, str], Own] | None = None
    another_cloud: Judge | None = None
    own_destinations: Callable[[Any, Selected], NotOwn | None] | None = None

    @property
    def rule(self) -> Rule | None:
        """The destination rule, or ``None`` for a variable that decides no destination."""
        if self.decision in ("cloud name", "repeat", "never"):
            return self.decision
        return None


class Variable(NamedTuple):
    """The declaration of one variable (or, with ``pattern``, of one kind of variable).

    Attributes:
        name: The variable (``AZURE_SERVICE_<SERVICE>_SUFFIX`` for a pattern).
        description: Its meaning, in one line (Markdown).
        trust: Its trust decision.
        scope: Per configuration, or one for the process.
        use: What azenvcloud does with it (:data:`Use`).
        parse: The parser of a value (:mod:`azenvcloud._parsers`), for what azenvcloud parses.
        unset: What applies while it is unset, in words (for a setting that is none of the
            cloud's own values, ``show`` gives it as the source: ``derived when unset: ...``).
        derive: For a setting whose value, unset, comes from the resolved cloud: that value and
            how it was derived.
        of_cloud: For a setting that is one of the cloud's own values (``AZURE_CLOUD`` and the
            three endpoints): resolution's rules set it, not its parser alone.
        field: The ``Settings`` attribute (a setting), or the one an alias sets.
        defined_by: Whose variable it is: ``azenvcloud``, ``azure-identity``, the Azure CLI, ...
        pattern: For a kind of variable, the regular expression every name of that shape matches
            (names of no known service included: those are refused as typos).
        instances: For a kind of variable, every name azenvcloud knows of that shape.
    """

    name: str
    description: str
    trust: Trust
    scope: Scope
    use: Use = "setting"
    parse: Callable[[Any], Any] | None = None
    unset: str | None = None
    derive: Callable[[Cloud], tuple[Any, str]] | None = None
    of_cloud: bool = False
    field: str = ""
    defined_by: str = "azenvcloud"
    pattern: str | None = None
    instances: tuple[str, ...] = ()

    def __repr__(self) -> str:  # short: it appears in every setting's annotation (help(Settings))
        return f"Variable({self.name!r}, {self.trust.decision!r})"

    def matches(self, name: str) -> bool:
        """Whether ``name`` is this variable, or of its shape."""
        # A regular expression compiled on first use (re keeps it), not at import.
        return name == self.name if self.pattern is None else re.fullmatch(self.pattern, name) is not None

    def names(self) -> tuple[str, ...]:
        """Every name of the variable: itself, or each of a pattern's known instances."""
        return self.instances if self.pattern is not None else (self.name,)


def cloud_name(reason: str) -> Trust:
    """A destination the implicit ``./.env`` may set to a built-in cloud's name."""
    return Trust("cloud name", reason)


def repeat(reason: str, *, own: Callable[[Selected, str], Own], another_cloud: Judge | None = None) -> Trust:
    """A destination the implicit ``./.env`` may set only to the selected cloud's own value."""
    return Trust("repeat", reason, own=own, another_cloud=another_cloud)


def repeat_destinations(reason: str, *, own: Callable[[Any, Selected], NotOwn | None]) -> Trust:
    """A value holding several destinations the implicit ``./.env`` may set only when each of them
    is the selected cloud's own (``own`` says whether, and why not)."""
    return Trust("repeat", reason, own_destinations=own)


def never(reason: str, *, another_cloud: Judge | None = None) -> Trust:
    """A destination the implicit ``./.env`` may not set at all (no cloud has a value to repeat)."""
    return Trust("never", reason, another_cloud=another_cloud)


def no_destination(reason: str) -> Trust:
    """A variable that decides no destination: any source may set it."""
    return Trust("no destination", reason)


def environment_only(reason: str, *, refused_in_env_file: bool) -> Trust:
    """A variable read from the process environment alone."""
    return Trust("environment only", reason, refused_in_env_file=refused_in_env_file)
