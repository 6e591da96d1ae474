"""Every example in README.md and docs/ runs, and says what it really prints.

``console`` blocks run in bash (stdout and stderr together, in a fresh folder whose ``.venv`` is
this interpreter's environment), against the fake cloud where the block asks for it; ``python``
blocks run in this process against the fake cloud, test modules through pytester; ``dotenv``
blocks name only documented variables. How they are read: ``tests/helpers/docs_examples.py``.
What cannot run here is on ``EXEMPT`` below, each with its reason; an entry that matches no block
fails.

Loopback only, like every test: the commands run with a ``sitecustomize`` that refuses to connect
to, or resolve, anything but loopback.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import LOOPBACK_FENCE
from helpers.docs_examples import (
    ROOT,
    Block,
    all_blocks,
    console_commands,
    matches,
    normalise,
    rewrite_block,
    with_outputs,
)

from azenvcloud import SERVICE_NAMES
from azenvcloud._clouds import canonical_cloud_name
from azenvcloud._parsers import scope_for_audience
from azenvcloud._provenance import IDENTITY_VARIABLES, VARIABLES
from azenvcloud.testing import FakeCloud, KeyVaultReference

# (file, first line of the block) -> why it cannot run here. Shown in docs/reference/examples.md.
EXEMPT: dict[tuple[str, str], str] = {
    (
        "README.md",
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python -m azenvcloud",
    ): "installs from the package index into a new environment; .ci/run runs the test command "
    "exactly as written (test_ci_runs_the_readmes_test_command)",
    (
        "README.md",
        "pip install '/path/to/azenvcloud[aio]'                  # or in requirements.txt: azenvcloud[aio] @ file:///path/to/azenvcloud",
    ): "a pip install from a checkout path into your own project",
    (
        "docs/tutorial.md",
        "pip install '/path/to/azenvcloud[testing,aio]'",
    ): "a pip install from a checkout path into your own project",
    (
        "docs/how-to/several-clouds.md",
        "spec:",
    ): "needs a Kubernetes cluster with workload identity and an app registration in US Government",
    (
        "docs/how-to/several-clouds.md",
        "AZURE_CLOUD=china                    # the default configuration: Azure China",
    ): "a deployment's environment, shown as text; the test module below runs the same against the fake",
    (
        "docs/how-to/deploy.md",
        "FROM python:3.12-slim",
    ): "needs a container runtime and the package index",
    (
        "docs/how-to/deploy.md",
        "apiVersion: v1",
    ): "needs a Kubernetes cluster with workload identity",
    (
        "docs/how-to/deploy.md",
        "apiVersion: apps/v1",
    ): "needs a Kubernetes cluster; its app, gunicorn configuration and test run (test_workers.py)",
    (
        "docs/reference/cli.md",
        "$ azenvcloud tenant 72f988bf-0000-4000-8000-00000000fa4e",
    ): "asks Microsoft's authorities; tests/test_cli_tenant.py runs it in-process against the fake cloud "
    "acting as them and compares this output",
    (
        "docs/how-to/data-plane.md",
        "from azenvcloud import get_credential, service_scope, service_url",
    ): "needs azure-ai-textanalytics, which the test extra does not install "
    "(service_url and service_scope are tested in tests/test_services.py)",
    (
        "docs/how-to/migrate.md",
        "from azure.identity import AzureAuthorityHosts, DefaultAzureCredential",
    ): "the hand-written code being replaced: its import fails on azure-mgmt-resource 26, as its "
    "comment says",
    (
        "docs/reference/development.md",
        ".venv/bin/python -m pytest                               # the suite (offline; loopback only)",
    ): "the suite itself, the benchmarks and CI: .ci/run runs them",
}

# Commands inside console blocks that cannot run here, with what runs instead and why.
EXEMPT_COMMANDS: dict[str, tuple[str, str]] = {
    "az cloud show --name USSec > ussec.json     # on a machine inside that cloud": (
        f"cp {ROOT / 'tests/data/az-cloud-show-ussec.json'} ussec.json",
        "needs the Azure CLI logged in to an air-gapped cloud; a saved answer of it is copied instead",
    ),
}

RUN = {"console", "python", "dotenv"}

BLOCKS = all_blocks()


def _exemption(block: Block) -> str | None:
    return EXEMPT.get((block.path, block.first_line))


def test_every_exemption_names_a_block_and_a_reason() -> None:
    keys = {(block.path, block.first_line) for block in BLOCKS}
    assert [key for key in EXEMPT if key not in keys] == []
    assert all(reason.strip() for reason in EXEMPT.values())
    texts = "\n".join(block.text for block in BLOCKS if block.lang == "console")
    assert [command for command in EXEMPT_COMMANDS if command not in texts] == []


def test_every_block_runs_or_is_exempt() -> None:
    # A block saved as a file of the page's project (file=) is used by the tests that run it.
    unchecked = [
        b.id for b in BLOCKS if b.lang not in RUN and _exemption(b) is None and "file" not in b.directives
    ]
    assert unchecked == [], "a block of a language that is not run: run it, or exempt it with a reason"


def test_the_exemption_list_is_published() -> None:
    page = (ROOT / "docs/reference/examples.md").read_text(encoding="utf-8")
    for (path, _), reason in EXEMPT.items():
        assert f"`{path}`" in page
        assert reason.split(";")[0].split("(")[0].strip() in page
    for _, reason in EXEMPT_COMMANDS.values():
        assert reason.split(";")[0] in page


def _of(lang: str, *, tests: bool | None = None) -> list[pytest.ParameterSet]:
    """The blocks of ``lang`` that run; for ``python``, only test modules or only the others."""
    return [
        pytest.param(block, id=block.id)
        for block in BLOCKS
        if block.lang == lang
        and _exemption(block) is None
        and (tests is None or ("def test_" in block.text) is tests)
    ]


# --- console ---------------------------------------------------------------------------------


_MARK = "@@docs-example-command@@"


@pytest.fixture
def shell(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder to run commands in, like a checkout with its ``.venv``, and a clean environment."""
    fence = tmp_path / "fence"
    fence.mkdir()
    (fence / "sitecustomize.py").write_text(LOOPBACK_FENCE)
    work = tmp_path / "me"
    work.mkdir()
    (work / ".venv").symlink_to(sys.prefix)
    environment = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(work),  # shown as /home/me: the user cache folder is /home/me/.cache/azenvcloud
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(fence),
        "COLUMNS": "100",
    }
    return work, environment


def _run_console(block: Block, work: Path, environment: dict[str, str]) -> list[tuple[str, str, str]]:
    commands = console_commands(block.text)
    script = "status=0\n"
    for number, command in enumerate(commands):
        run = EXEMPT_COMMANDS.get(command.command, (command.command, ""))[0]
        # The marker splits the output; `(exit $status)` gives `echo $?` the last command's status.
        script += f"printf '%s\\n' '{_MARK}{number}'\n(exit $status)\n{run}\nstatus=$?\n"
    log = work.parent / "console.log"  # a file, not a pipe: what the block leaves running keeps a pipe open
    with log.open("w") as output:
        process = subprocess.Popen(
            ["/bin/bash", "-c", script],
            cwd=work,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=120)
        finally:
            # What the block left in the background (demo --serve &): its own process group only.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    out = log.read_text()
    out = out.replace(str(work), "/home/me")
    pieces = out.split(_MARK)[1:]
    results = []
    for number, command in enumerate(commands):
        actual = pieces[number].split("\n", 1)[1] if number < len(pieces) else "(never ran)"
        if command.command in EXEMPT_COMMANDS:
            actual = command.expected  # nothing to compare: the command was replaced
        results.append((command.command, command.expected, actual))
    return results


@pytest.mark.parametrize("block", _of("console"))
def test_console_example(
    block: Block, shell: tuple[Path, dict[str, str]], azenvcloud_fake_cloud_server: FakeCloud
) -> None:
    work, environment = shell
    if "project" in block.directives:  # the project the page builds, as its reader has it
        for name, text in project_files(block, BLOCKS).items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text, encoding="utf-8")
    if "fake-cloud" in block.directives:
        fake = azenvcloud_fake_cloud_server
        fake.reset()
        fake.accept_scopes(scope_for_audience(fake.audience))
        environment |= fake.environment()
    results = _run_console(block, work, environment)
    if os.environ.get(UPDATE) == "1":
        _update(block, results)
        return
    for command, expected, actual in results:
        assert matches(expected, actual), (
            f"{block.id}: `{command}` printed, normalised:\n{normalise(actual)}\n"
            f"--- but the example says:\n{normalise(expected)}\n"
            f"(to write what it printed into the page: {UPDATE}=1, docs/reference/examples.md)"
        )


UPDATE = "AZENVCLOUD_UPDATE_DOCS"
"""Set to 1, the console tests write what each command printed into its block instead of
comparing: literal CLI output in the docs is generated, never copied by hand. Only an output
with nothing varying (no port, timing or pid) and no ``...`` line is written; the rest stays as
written, and the next run without it compares as always."""


def _update(block: Block, results: list[tuple[str, str, str]]) -> None:
    outputs: list[str | None] = []
    for _, expected, actual in results:
        printed = "\n".join(line.rstrip() for line in actual.strip("\n").splitlines())
        steady = normalise(actual) == printed and "..." not in [
            line.strip() for line in expected.splitlines()
        ]
        outputs.append(printed if steady and not matches(expected, actual) else None)
    if any(output is not None for output in outputs):
        rewrite_block(block, with_outputs(block.text, outputs))


# --- python ----------------------------------------------------------------------------------

FENCED = ("-p", "no:cacheprovider", "--allow-hosts=127.0.0.1,::1", "-W", "error")


@pytest.mark.parametrize("block", _of("python", tests=False))
def test_python_example(block: Block, azenvcloud_fake_cloud: FakeCloud) -> None:
    code = compile(block.text, block.id, "exec", dont_inherit=True)  # not this module's __future__ imports
    printed = io.StringIO()
    if "vault" in block.directives:  # vault=kv1:name=value,name=value: the fake vault's secrets
        vault, _, pairs = block.directives["vault"].partition(":")
        secrets = dict(pair.split("=", 1) for pair in pairs.split(",") if pair)
        azenvcloud_fake_cloud.set_secrets(vault, secrets)
    if (
        "store" in block.directives
    ):  # store=cfg1:key=value,...: the fake store's key-values (@URL: a reference)
        store, _, pairs = block.directives["store"].partition(":")
        values = dict(pair.split("=", 1) for pair in pairs.split(",") if pair)
        azenvcloud_fake_cloud.set_store(
            store, {key: KeyVaultReference(v[1:]) if v.startswith("@") else v for key, v in values.items()}
        )
    with contextlib.ExitStack() as stack:
        if "cloud" in block.directives:
            stack.enter_context(azenvcloud_fake_cloud.as_cloud(block.directives["cloud"]))
        stack.enter_context(contextlib.redirect_stdout(printed))
        exec(code, {"__name__": "__docs_example__"})  # noqa: S102 - the documentation's own examples
    if block.output is not None:
        assert matches(block.output, printed.getvalue()), (
            f"{block.id} printed:\n{printed.getvalue()}--- but the example says:\n{block.output}"
        )


def saved_files(block: Block, blocks: list[Block]) -> dict[str, str]:
    """The files a test module block runs among: its page's ``file=`` blocks, and itself.

    ``<!-- example: file=main.py -->`` before a ``python``, ``toml`` or ``dotenv`` block says the
    page saves it as that file of the project (a path inside it: a ``.py`` or ``.toml`` file, or
    a ``.env``); the test module is saved under its own ``file=`` name, or as
    ``test_from_the_docs.py``. Other test modules of the page are left out.
    """
    files = {
        name: text
        for name, text in project_files(block, blocks).items()
        if not (name.endswith(".py") and "def test_" in text)
    }
    files[block.directives.get("file", "test_from_the_docs.py")] = block.text
    _check_file_names(block, files)
    return files


def project_files(block: Block, blocks: list[Block]) -> dict[str, str]:
    """Every ``file=`` block of ``block``'s page, test modules included: the project the page
    builds, in which a ``console`` block marked ``<!-- example: project -->`` runs."""
    files = {
        other.directives["file"]: other.text
        for other in blocks
        if other.path == block.path
        and other.lang in {"python", "toml", "dotenv"}
        and "file" in other.directives
    }
    _check_file_names(block, files)
    return files


def _check_file_names(block: Block, files: dict[str, str]) -> None:
    for name in files:
        path = Path(name)
        if (
            path.is_absolute()
            or ".." in path.parts
            or not (name.endswith((".py", ".toml")) or path.name == ".env")
        ):
            raise ValueError(f"{block.id}: file={name} is not a .py, .toml or .env path inside the project")


@pytest.mark.parametrize("block", _of("python", tests=True))
def test_python_test_module_example(block: Block, pytester: pytest.Pytester) -> None:
    """A test module of the docs runs in its own pytest process, as in a user's project."""
    for name, text in saved_files(block, BLOCKS).items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = pytester.runpytest_subprocess(*FENCED)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert set(outcomes) <= {"passed"}, result.stdout.str()


def _block(text: str, **directives: str) -> Block:
    return Block("docs/page.md", 1, "python", text, directives)


APP = _block("app = 1\n", file="main.py")
TEST = _block("def test_app(): ...\n", file="tests/test_api.py")


@pytest.mark.parametrize(
    ("block", "blocks", "expected"),
    [
        pytest.param(
            TEST,
            [APP, TEST],
            {"main.py": APP.text, "tests/test_api.py": TEST.text},
            id="the-page's-saved-module-beside-the-test-under-its-name",
        ),
        pytest.param(
            _block("def test_x(): ...\n"),
            [_block("x = 1\n")],
            {"test_from_the_docs.py": "def test_x(): ...\n"},
            id="no-file-directive-the-default-name-only",
        ),
        pytest.param(
            TEST,
            [APP, TEST, _block("def test_other(): ...\n", file="tests/test_other.py")],
            {"main.py": APP.text, "tests/test_api.py": TEST.text},
            id="another-test-module-of-the-page-is-left-out",
        ),
        pytest.param(
            TEST,
            [Block("docs/other.md", 1, "python", "y = 1\n", {"file": "other.py"}), TEST],
            {"tests/test_api.py": TEST.text},
            id="a-saved-module-of-another-page-is-left-out",
        ),
    ],
)
def test_a_test_module_runs_among_its_pages_saved_files(
    block: Block, blocks: list[Block], expected: dict[str, str]
) -> None:
    assert saved_files(block, blocks) == expected


@pytest.mark.parametrize("name", ["/abs/main.py", "../main.py", "main.txt", "../.env"])
def test_a_saved_file_stays_a_project_file_inside_the_project(name: str) -> None:
    with pytest.raises(ValueError, match=f"file={name} is not"):
        saved_files(TEST, [_block("x = 1\n", file=name), TEST])


def test_the_pages_toml_and_dotenv_files_are_saved_too() -> None:
    toml = Block("docs/page.md", 2, "toml", "[tool.pytest.ini_options]\n", {"file": "pyproject.toml"})
    dotenv = Block("docs/page.md", 3, "dotenv", "AZURE_CLOUD=china\n", {"file": ".env"})
    assert saved_files(TEST, [APP, toml, dotenv, TEST]) == {
        "main.py": APP.text,
        "pyproject.toml": toml.text,
        ".env": dotenv.text,
        "tests/test_api.py": TEST.text,
    }
    assert project_files(TEST, [APP, TEST, toml])["tests/test_api.py"] == TEST.text


# --- dotenv ----------------------------------------------------------------------------------

KNOWN_VARIABLES = {
    *VARIABLES.values(),
    *IDENTITY_VARIABLES,
    "AZENVCLOUD_ENV_FILE",
    "AZURE_SDK_CLOUD_CONF",
    "ARM_CLOUD_METADATA_URL",
    *(
        f"AZURE_SERVICE_{service.upper()}_{kind}"
        for service in SERVICE_NAMES
        for kind in ("SUFFIX", "AUDIENCE", "ENDPOINT")
    ),
}


@pytest.mark.parametrize("block", _of("dotenv"))
def test_dotenv_example(block: Block) -> None:
    for line in block.text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals, f"{block.id}: not NAME=value: {line!r}"
        assert name in KNOWN_VARIABLES, f"{block.id}: {name} is not a documented variable"
        value = value.split("#")[0].strip()
        if name == "AZURE_CLOUD":
            canonical_cloud_name(value)  # raises for a name azenvcloud does not accept


# --- what the README promises about CI ---------------------------------------------------------


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    quick_start = next(b for b in BLOCKS if b.path == "README.md" and b.first_line in {k[1] for k in EXEMPT})
    test_command = quick_start.text.strip().splitlines()[1]
    install, run = test_command.split(" && ")[1:]
    assert install in ci
    assert f"\n{run}\n" in ci
    assert "mkdocs build --strict" in ci
    assert test_command in readme
