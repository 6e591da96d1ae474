"""Run azure-identity's own tests of DefaultAzureCredential with azenvcloud's credential in its place.

    .venv/bin/python tests/upstream/run.py

Downloads the source distribution of the installed azure-identity version from the package
index (``pip download --no-binary :all: --no-deps``; its tests are not copied into this
repository), and runs its test_default.py, test_default_async.py, test_pickling.py,
test_pickling_async.py, test_workload_identity_credential.py and
test_workload_identity_credential_async.py through the ``azenvcloud_in_place`` plugin beside
this file (with a throwaway CA certificate as the tests/certificate.pem the sdist lacks):
azure-identity's ``conftest.py`` is not loaded (``--noconftest``: it imports the SDK
repository's devtools_testutils, which no package index has), the network is fenced to loopback
(pytest-socket ``--allow-hosts`` and a resolver that refuses other names), and the differences
azenvcloud means to have are those of ``differences.toml``, each with its reason. Exits with
pytest's status: non-zero on any other failure. The async tests need pytest-asyncio, installed
for this run only into the temporary folder (never into the environment the suite runs in).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import trustme

HERE = Path(__file__).resolve().parent
TESTS = (
    "test_default.py",
    "test_default_async.py",
    "test_pickling.py",
    "test_pickling_async.py",
    "test_workload_identity_credential.py",
    "test_workload_identity_credential_async.py",
)
PYTEST_ASYNCIO = "pytest-asyncio>=1.0,<2"  # azure-identity's async tests: @pytest.mark.asyncio
INI = """[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
"""


def pip(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *arguments], check=True)


def main() -> int:
    release = version("azure-identity")
    with tempfile.TemporaryDirectory(prefix="azenvcloud-upstream-") as work:
        folder = Path(work)
        pip("download", "--no-deps", "--no-binary", ":all:", f"azure-identity=={release}", "-d", str(folder))
        (archive,) = folder.glob("azure_identity-*.tar.gz")
        with tarfile.open(archive) as sdist:
            sdist.extractall(folder, filter="data")
        tests = folder / f"azure_identity-{release}" / "tests"
        # The workload identity tests read a CA certificate the SDK repository has and the sdist
        # lacks: a throwaway one from trustme (azenvcloud's fake cloud makes its CA so too).
        trustme.CA().cert_pem.write_to_path(str(tests / "certificate.pem"))
        site = folder / "site"
        pip("install", "--no-deps", "--target", str(site), PYTEST_ASYNCIO)
        (folder / "pytest.ini").write_text(INI, encoding="utf-8")
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (str(HERE), str(site), os.environ.get("PYTHONPATH")))),
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(folder / "pytest.ini"),
            "--rootdir",
            str(tests),
            "--noconftest",
            "-p",
            "pytest_asyncio",
            "-p",
            "azenvcloud_in_place",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",  # azure-identity's tests as they run upstream, in file order
            "--allow-hosts=127.0.0.1,::1",
            "-q",
            "-rfExXs",
            *TESTS,
        ]
        print(f"azure-identity {release}: its tests with azenvcloud's DefaultAzureCredential", flush=True)
        return subprocess.run(command, cwd=tests, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
