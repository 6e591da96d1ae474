"""The files ``demo --serve`` tells a shell to trust: in a new folder of the user's own, never
under ``/tmp``.

A shell that ran the lines ``demo --serve`` printed trusts a CA bundle by its path and sends its
client secret to an authority on 127.0.0.1. Were that path in a folder anyone may write in
(``/tmp``), another user could, once the demo stopped and deleted it, put a bundle of their own
there and listen on the freed port: the shell would trust them and post its secret to them. So
the files go into a new folder (a random name, 0700) inside one that only this user can write:
``$XDG_RUNTIME_DIR/azenvcloud`` (the user's runtime folder, in memory on most systems), else the
user cache folder azenvcloud already uses, each checked (a folder, not a link, this user's,
written by no one else). They hold nothing secret (CA certificates, a metadata cache): what
matters is that no one else can replace them. The fake CA's private key is never written at all
(:class:`~azenvcloud.testing.FakeCloud`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .._ca import CA_VARIABLES, ca_setting
from .._errors import ConfigurationError

__all__ = ["serve_folder", "user_folder", "write_trust_files"]

_RUNTIME = "XDG_RUNTIME_DIR"


@contextlib.contextmanager
def serve_folder() -> Iterator[Path]:
    """A new folder for one ``demo --serve`` (a random name, 0700) in :func:`user_folder`;
    removed, with everything in it, when the context ends.

    Raises:
        ConfigurationError: No folder of the user's own can be had.
    """
    folder = Path(tempfile.mkdtemp(prefix="demo-serve-", dir=user_folder()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_trust_files(folder: Path, fake_ca: str) -> dict[str, str]:
    """Write into ``folder`` (from :func:`serve_folder`) the CA bundle a shell is told to trust:
    the CAs this process trusts now plus the fake's (the PEM file ``fake_ca``), so that the
    shell's other TLS users keep working. Returns the variables that name it
    (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, ``SSL_CERT_FILE``) and its path."""
    bundle = folder / "ca-bundle.pem"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(bundle, flags, 0o600), "wb") as handle:
        handle.write(_trusted_now(ca_setting().path) + Path(fake_ca).read_bytes())
    return dict.fromkeys(CA_VARIABLES, str(bundle))


def user_folder() -> Path:
    """The folder of this user's own that holds ``demo --serve``'s folders:
    ``$XDG_RUNTIME_DIR/azenvcloud`` when ``XDG_RUNTIME_DIR`` names a folder of this user's that no
    one else can write, else ``azenvcloud`` in the user cache folder; created for the user alone.

    Raises:
        ConfigurationError: It cannot be created, or is not a folder of this user's that only
            they can write.
    """
    from platformdirs import user_cache_dir

    runtime = os.environ.get(_RUNTIME, "").strip()
    if runtime and os.path.isabs(runtime) and _private(Path(runtime)):
        folder = Path(runtime) / "azenvcloud"
    else:
        folder = Path(user_cache_dir("azenvcloud"))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"demo --serve cannot create {folder} for the files a shell is told to trust "
            f"({exc.strerror or exc}). Accepted: {_RUNTIME} or the user cache folder naming a folder "
            "of yours that no one else can write.",
            variables=(_RUNTIME,),
        ) from None
    if not _private(folder):
        raise ConfigurationError(
            f"demo --serve writes the files a shell is told to trust only into a folder of this user's "
            f"that no one else can write, and {folder} is not (a link, someone else's, or writable by "
            f"others). Accepted: `chmod go-w {folder}`, or {_RUNTIME} naming the user's runtime folder.",
            variables=(_RUNTIME,),
        )
    return folder


def _private(folder: Path) -> bool:
    """A folder (not a link to one), this user's, that no one else can write."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    owner = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_now(path: str | None) -> bytes:
    """The PEM CAs this process trusts now (the CA setting's bundle, else certifi's), so that the
    bundle adds the fake's CA to them instead of replacing them."""
    if path is not None and os.path.isfile(path):
        text = Path(path).read_bytes()
    else:
        import certifi

        text = Path(certifi.where()).read_bytes()
    return text if text.endswith(b"\n") else text + b"\n"
