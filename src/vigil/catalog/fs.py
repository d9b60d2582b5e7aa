"""The TargetFS seam: a read-only view of a target that catalogers read without knowing its kind.

A directory, a squashed image and a zip all look the same here. Implementations live in
``vigil.targets``; they bound what they read and never let a path escape the target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Protocol

from vigil.catalog.globbing import compile_glob

EXECUTE_BITS = 0o111

# Which files' contents an opener that streams (an image) keeps for the catalogers: asked with a
# file's path, permission bits and size before its content goes by, since it cannot come back.
Wanted = Callable[[str, int, int], bool]


class TargetFS(Protocol):
    """Read-only files of one target, addressed by POSIX paths relative to its root."""

    def paths(self) -> Iterable[str]:
        """Every regular file, once, in no particular order."""
        ...

    def open(self, path: str) -> IO[bytes]:
        """Open a regular file for reading; ``FileNotFoundError`` if absent.

        Symlinks are resolved inside the target only; a link that leaves it is absent.
        """
        ...

    def size(self, path: str) -> int:
        """The file's size in bytes, without reading it."""
        ...

    def mode(self, path: str) -> int | None:
        """The file's permission bits (``st_mode & 0o7777``), without reading it.

        None when the target does not record them (a zip written without Unix attributes).
        """
        ...

    def layer_digest(self, path: str) -> str | None:
        """The digest of the image layer that last wrote the file; None outside images."""
        ...


def may_execute(mode: int | None) -> bool:
    """Whether a file of ``mode`` may be an executable: an execute bit, or no mode recorded."""
    return mode is None or mode & EXECUTE_BITS != 0


def glob(fs: TargetFS, pattern: str) -> Iterator[str]:
    """The paths of ``fs`` that match ``pattern`` (see ``vigil.catalog.globbing``)."""
    regex = compile_glob(pattern)
    return (p for p in fs.paths() if regex.match(p))


class FileTooLarge(OSError):
    """A file is larger than the bound its reader allows."""


def read_bounded(fs: TargetFS, path: str, limit: int) -> bytes:
    """Read a whole file, refusing one over ``limit`` bytes rather than exhausting memory."""
    if fs.size(path) > limit:
        raise FileTooLarge(f"{path}: larger than {limit} bytes")
    with fs.open(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{path}: larger than {limit} bytes")
    return data
