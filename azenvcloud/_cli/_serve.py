"""``demo --serve``: the fake cloud for other processes, until it is stopped.

It acts as a built-in cloud (``--cloud``: other processes reach it on that cloud's real host names,
through the fake as their HTTPS proxy, which refuses every other host), as a custom cloud on
127.0.0.1 (no ``--cloud``), or as an Azure Stack Hub stamp with ADFS (``--azure-stack-adfs``: its
metadata). It prints the lines a shell sources (``export`` and ``unset``), or the same as JSON or
dotenv, or runs one command with them (``-- CMD``) and exits with its status. Its files live in a
new folder of the user's own (:mod:`._trust_files`); when it stops they are gone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .._ca import CA_VARIABLES
from .._cloud_selection import SDK_CLOUD_CONF
from .._errors import ConfigurationError
from .._parsers import host_of, scope_for_audience
from .._provenance import IDENTITY_VARIABLES
from .._services import SERVICE_FIELDS, SERVICE_NAMES, override_variable
from .._trust import RULES
from ._output import EXIT_OK, Redacted

if TYPE_CHECKING:
    from ..testing import FakeCloud

__all__ = ["act_as_adfs_stamp", "contradicting", "serve", "started"]

# What the lines unset unless they set it: every variable that chooses a cloud or describes one
# (azenvcloud's, azure-core's, the Azure CLI's, Terraform's and go-autorest's), another identity
# (azure-identity's variables, managed identity endpoints, MSAL's region) and another proxy.
# A shell's own AZURE_CLOUD=usgov would otherwise contradict a fake China, or its certificate
# path send the fake another identity.
_OTHER_SELECTORS = (
    "AZURE_API_PROFILE",
    "ARM_CLOUD_METADATA_URL",
    SDK_CLOUD_CONF,
    "ARM_ENVIRONMENT",
    "AZURE_ENVIRONMENT",
    "AZURE_REGIONAL_AUTHORITY_NAME",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_KUBERNETES_TOKEN_PROXY",
    "AZURE_KUBERNETES_SNI_NAME",
    "AZURE_KUBERNETES_CA_FILE",
    "AZURE_KUBERNETES_CA_DATA",
    "ALL_PROXY",
    "all_proxy",
)
_SERVICE_VARIABLES = tuple(
    override_variable(service, field) for service in SERVICE_NAMES for field in SERVICE_FIELDS
)
_ADFS_UNSET = ("AZURE_AUTHORITY_HOST", "AZURE_AUDIENCE", "AZURE_TENANT_ID")  # the stamp's metadata says


def contradicting(exported: Mapping[str, str]) -> list[str]:
    """The variables the lines unset: those that would contradict ``exported`` (another cloud's
    selector or description, another identity, another proxy), in a stable order."""
    names = [*RULES, *IDENTITY_VARIABLES, *_OTHER_SELECTORS, *_SERVICE_VARIABLES]
    return [name for name in dict.fromkeys(names) if name not in exported]


@dataclass(frozen=True)
class _Served:
    """What one ``demo --serve`` offers: what it is, the variables, and what they unset."""

    title: str  # "a fake AzureChinaCloud"
    variables: dict[str, str]
    unset: list[str]
    hosts: tuple[str, ...]  # the real host names it answers for through its proxy (none: custom)


def serve(arguments: argparse.Namespace, out: TextIO) -> int:
    """Serve until SIGINT or SIGTERM after printing the lines, or while ``arguments.program`` runs."""
    from ._trust_files import serve_folder

    program: list[str] = arguments.program
    with serve_folder() as folder, _serving(arguments, folder) as (fake, served):
        if program:
            return _run(program, fake, served)
        form = "json" if arguments.json else "dotenv" if arguments.dotenv else "shell"
        stop = threading.Event()
        with _handled({signal.SIGINT: lambda *_: stop.set(), signal.SIGTERM: lambda *_: stop.set()}):
            out.write(_opening(form, fake, served, folder, arguments.log))
            out.flush()
            stop.wait()
    out.write(_closing(form, served))
    return EXIT_OK


@contextlib.contextmanager
def _handled(handlers: Mapping[signal.Signals, Any]) -> Iterator[None]:
    """These signal handlers while open; the previous ones restored after."""
    previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _serving(arguments: argparse.Namespace, folder: Path) -> Iterator[tuple[FakeCloud, _Served]]:
    """A running fake for ``arguments`` and what it offers; its files in ``folder``."""
    from ._trust_files import write_trust_files

    with started(folder, arguments.port, arguments.log) as fake:
        if arguments.cloud:
            with fake.as_cloud(arguments.cloud) as cloud:
                variables = fake.environment(cloud=arguments.cloud)
                variables.update(write_trust_files(folder, fake.ca_bundle))
                # Its authority and Resource Manager first: what a reader looks for.
                first = [host_of(cloud.authority_host), host_of(cloud.resource_manager)]
                hosts = (*first, *(host for host in fake.routed_hosts if host not in first))
                selector = variables["AZURE_CLOUD"]  # dod: US Government with the DoD Graph
                title = f"a fake {cloud.name}" + (f" ({selector})" if selector != cloud.name else "")
                yield fake, _Served(title, variables, contradicting(variables), hosts)
            return
        if arguments.azure_stack_adfs:
            variables = act_as_adfs_stamp(fake)
            title = "a fake Azure Stack Hub stamp with ADFS (its metadata at /metadata/endpoints)"
        else:
            fake.accept_scopes(scope_for_audience(fake.audience))  # the scope a client asks for
            variables = fake.environment()
            title = "a fake custom cloud"
        variables.update(write_trust_files(folder, fake.ca_bundle))
        yield fake, _Served(title, variables, contradicting(variables), ())


def act_as_adfs_stamp(fake: FakeCloud) -> dict[str, str]:
    """Make ``fake`` an Azure Stack Hub stamp with ADFS (its metadata, its audience's scope), and
    return the variables that point at it: of the cloud's, only ``AZURE_RESOURCE_MANAGER``."""
    fake.serve_metadata({"2022-09-01": fake.metadata_azure_stack_adfs})
    fake.accept_scopes(scope_for_audience(f"{fake.audience}{fake.tenant_id}"))
    return {name: value for name, value in fake.environment().items() if name not in _ADFS_UNSET}


@contextlib.contextmanager
def started(folder: Path | None, port: int | None, log: str | None) -> Iterator[FakeCloud]:
    """A running ``FakeCloud`` (its files in ``folder``) on ``port``, logging to ``log``; a port
    it cannot listen on or a log it cannot write is a ``ConfigurationError`` naming the option.

    Raises:
        ConfigurationError: The port or the log file cannot be used.
    """
    from ..testing import FakeCloud

    try:
        fake = FakeCloud(directory=folder, port=port or 0, request_log=log)
    except OSError as exc:
        if log is not None and exc.filename == log:
            raise ConfigurationError(
                f"--log {log!r} cannot be written ({exc.strerror or exc}). Accepted: a file in a folder "
                "you can write (it is created anew).",
                variables=("--log",),
            ) from None
        raise ConfigurationError(
            f"--port {port} is not usable: 127.0.0.1:{port} cannot be listened on ({exc.strerror or exc}; "
            "another program may have it). Accepted: a free port, or no --port for one the system picks.",
            variables=("--port",),
        ) from None
    with fake:
        yield fake


def _opening(form: str, fake: FakeCloud, served: _Served, folder: Path, log: str | None) -> str:
    """What it prints once serving, in ``form``: ``shell``, ``dotenv`` or ``json``."""
    if form == "json":
        document = {
            "event": "serving",
            "what": served.title,
            "url": fake.url,
            "proxy": fake.proxy_url if served.hosts else None,
            "hosts": list(served.hosts),
            "pid": os.getpid(),
            "folder": str(folder),
            "log": log,
            "variables": served.variables,
            "unset": served.unset,
        }
        return json.dumps(document) + "\n"  # one line: a script reads it as the fake's readiness
    heading = [
        f"azenvcloud demo --serve: {served.title} on {fake.url} (loopback only), pid {os.getpid()}",
        f"its files: {folder} (yours alone; removed when it stops)",
    ]
    if log is not None:
        heading.append(f"its request log: {log} (one JSON line per request, written as it comes)")
    lines: list[str] = []
    trust = (
        "These lines make every process of the shell that runs them trust the fake's CA "
        f"({', '.join(CA_VARIABLES)} name a bundle of this shell's CAs plus the fake's)"
    )
    if served.hosts:
        shown = ", ".join(served.hosts[:3]) + (
            f" and {len(served.hosts) - 3} more" if len(served.hosts) > 3 else ""
        )
        trust += (
            " and send their HTTP and HTTPS through the fake (HTTPS_PROXY, HTTP_PROXY; not for loopback), "
            f"which answers on the cloud's real host names ({shown}) and refuses every other host: "
            "nothing passes through to the internet."
        )
    else:
        trust += "; the cloud is on 127.0.0.1."
    lines.append(trust)
    lines.append("The unset lines remove what would contradict them (a shell's own AZURE_CLOUD, say).")
    if form == "dotenv":
        lines.append(
            "A dotenv file cannot unset: start the process without these variables: " + " ".join(served.unset)
        )
        lines.append("Ctrl-C where it runs stops the fake.")
    else:
        lines.append("In another shell, run these lines (or save them and `. ./file`); Ctrl-C here stops it.")
    text = "".join(f"# {line}\n" for line in heading)
    text += "".join(
        textwrap.fill(line, 100, initial_indent="# ", subsequent_indent="# ") + "\n" for line in lines
    )
    if form == "dotenv":
        text += "".join(f"{name}={_dotenv_value(value)}\n" for name, value in served.variables.items())
    else:
        text += "".join(f"export {name}={shlex.quote(value)}\n" for name, value in served.variables.items())
        text += "".join(f"unset {' '.join(part)}\n" for part in _unset_lines(served.unset))
    return text + "# serving\n"


def _closing(form: str, served: _Served) -> str:
    """What it prints once stopped."""
    if form == "json":
        return json.dumps({"event": "stopped", "unset": list(served.variables)}) + "\n"
    text = (
        "# stopped: the fake cloud and its files are gone; a shell that ran the lines above now fails\n"
        "# to connect."
    )
    if form == "dotenv":
        return text + "\n"
    return (
        f"{text} What they unset was that shell's own: set it again where you need it. In each, run:\n"
        f"unset {' '.join(served.variables)}\n"
    )


def _unset_lines(names: Sequence[str]) -> list[list[str]]:
    """``names`` as a few ``unset`` lines: the service overrides on their own line."""
    services = [name for name in names if name in _SERVICE_VARIABLES]
    others = [name for name in names if name not in _SERVICE_VARIABLES]
    return [part for part in (others, services) if part]


def _dotenv_value(value: str) -> str:
    """``value`` as a dotenv line holds it: bare when plain, else in single quotes (literal for
    python-dotenv, a POSIX shell and docker alike; a quote inside cannot be written)."""
    if all(character.isalnum() or character in "_./:,@+-=" for character in value):
        return value
    if "'" in value:
        raise ConfigurationError(
            f"demo --serve --dotenv cannot write {value!r}: a dotenv value cannot hold a single quote. "
            "Accepted: the shell form (no --dotenv), or a folder whose path has no quote.",
            variables=("--dotenv",),
        )
    return f"'{value}'"


def _run(program: list[str], fake: FakeCloud, served: _Served) -> int:
    """Run ``program`` with the lines' variables (its process tree only) and return its exit
    status (128 + N when signal N ended it). Ctrl-C reaches it from the terminal; SIGTERM and
    SIGHUP sent here are passed on to it."""
    environment = {name: value for name, value in os.environ.items() if name not in served.unset}
    environment.update(served.variables)
    err = Redacted(sys.stderr)
    err.write(
        f"azenvcloud demo: {shlex.join(program)} against {served.title} on {fake.url} (loopback only)\n"
    )
    err.flush()
    try:
        child = subprocess.Popen(program, env=environment)  # noqa: S603 - the user's own command
    except FileNotFoundError:
        err.write(f"azenvcloud demo: {program[0]}: command not found\n")
        return 127
    except PermissionError:
        err.write(f"azenvcloud demo: {program[0]}: permission denied\n")
        return 126

    def pass_on(number: int, _: object) -> None:
        child.send_signal(number)

    # Ctrl-C: the terminal sends it to the child too, which decides what it means.
    with _handled({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: pass_on, signal.SIGHUP: pass_on}):
        status = child.wait()
    return 128 - status if status < 0 else status
