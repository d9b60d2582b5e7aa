"""A directory as a target: a mounted snapshot, an unpacked root file system, or the host's ``/``.

The walk never follows symlinks and skips special files; ``open`` resolves symlinks as the
target itself would see them (an absolute link is re-rooted at the target's root, ``..`` stops
there), so no link reaches a host file outside the target.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from typing import IO

from vigil.domain import ScanWarning
from vigil.targets.base import Closing
from vigil.targets.errors import TargetNotFound
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.pathres import Kind, resolve

# Kernel and runtime file systems of a live host: not packages, and some never end when read.
PSEUDO_AT_HOST_ROOT = frozenset({"proc", "sys", "dev", "run"})


class DirectoryFS(Closing):
    """Regular files under ``root``; the walk stops after ``limits.max_entries`` entries."""

    def __init__(
        self, root: str, *, limits: Limits = DEFAULT_LIMITS, host_root: bool | None = None
    ) -> None:
        """``host_root`` (default: whether ``root`` is ``/``) skips the pseudo file systems."""
        if not os.path.isdir(root):
            raise TargetNotFound(f"{root}: not a directory")
        self.root = os.path.realpath(root)
        self.host_root = self.root == "/" if host_root is None else host_root
        self.limits = limits
        self.warnings: list[ScanWarning] = []
        self.complete = True
        self._paths: list[str] | None = None
        self._modes: dict[str, int] = {}  # walked files' permission bits, taken as they are listed

    def paths(self) -> list[str]:
        if self._paths is None:
            self._paths = list(self._walk())
        return self._paths

    def _walk(self) -> Iterator[str]:
        skip = PSEUDO_AT_HOST_ROOT if self.host_root else frozenset()
        stack = [""]
        seen = 0
        while stack:
            rel = stack.pop()
            try:
                with os.scandir(os.path.join(self.root, rel) if rel else self.root) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.warnings.append(ScanWarning(rel or ".", f"cannot list: {exc.strerror}"))
                continue
            for entry in entries:
                seen += 1
                if seen > self.limits.max_entries:
                    self.complete = False
                    self.warnings.append(
                        ScanWarning(".", f"walk stopped after {self.limits.max_entries} entries")
                    )
                    return
                path = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not (rel == "" and entry.name in skip):
                            stack.append(path)
                    elif entry.is_file(follow_symlinks=False):
                        mode = entry.stat(follow_symlinks=False).st_mode & 0o7777
                        self._modes[path] = _MODES.setdefault(mode, mode)
                        yield path
                except OSError:
                    continue

    def _lookup(self, parts: Sequence[str]) -> tuple[Kind, str] | None:
        full = os.path.join(self.root, *parts)
        try:
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                return Kind.LINK, os.readlink(full)
        except OSError:
            return None
        if stat.S_ISDIR(st.st_mode):
            return Kind.DIR, ""
        return (Kind.FILE if stat.S_ISREG(st.st_mode) else Kind.OTHER), ""

    def _real(self, path: str) -> str:
        parts = resolve(path, self._lookup, self.limits.max_symlink_hops)
        if parts is None or not parts:
            raise FileNotFoundError(path)
        return os.path.join(self.root, *parts)

    def open(self, path: str) -> IO[bytes]:
        real = self._real(path)
        # O_NOFOLLOW: the last component was checked not to be a link, and must not become one;
        # O_NONBLOCK: a fifo swapped in must not hang the scan. Only regular files are returned.
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOENT, errno.ENOTDIR):
                raise FileNotFoundError(path) from exc
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FileNotFoundError(f"{path}: not a regular file")
            os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def size(self, path: str) -> int:
        st = os.stat(self._real(path), follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(f"{path}: not a regular file")
        return st.st_size

    def mode(self, path: str) -> int:
        walked = self._modes.get(path)
        if walked is not None:
            return walked
        st = os.stat(self._real(path), follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(f"{path}: not a regular file")
        return st.st_mode & 0o7777

    def layer_digest(self, path: str) -> str | None:
        return None


# Hosts have a handful of distinct modes: share one int object per mode among all walked files.
_MODES: dict[int, int] = {}
