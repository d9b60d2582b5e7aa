"""Writing a document where the user asked: stdout, or a file replaced atomically."""

from __future__ import annotations

import os
import stat
import sys
import tempfile

import click


def check_writable_destination(path: str) -> None:
    """Fail before a long scan if ``path`` cannot be where the document goes."""
    if path == "-":
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise click.BadParameter(f"{directory}: no such directory", param_hint="'-o'")
    if os.path.isdir(path):
        raise click.BadParameter(f"{path}: is a directory", param_hint="'-o'")


def write_output(path: str | None, data: bytes) -> None:
    """Write ``data`` to stdout (``None`` or ``-``) or atomically to the file ``path``."""
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(path, data)


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` in one step: readers see the old file or the whole new one, never a part.

    The new file keeps the permissions of the one it replaces, or gets the umask's default.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _mode_for(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
