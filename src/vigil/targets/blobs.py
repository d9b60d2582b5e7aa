"""Named files of an image archive (a tar, or a directory) read without extracting anything.

``TarBlobs`` indexes the outer tar once (bounded entries) and opens each member on its own file
handle; ``DirBlobs`` refuses names and symlinks that would leave its directory.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import tarfile
from collections.abc import Iterator, Sequence
from typing import IO, Any, Protocol, cast

from vigil.targets.decoders import GZIP_MAGIC
from vigil.targets.errors import CorruptArchive, LimitExceeded, MalformedTarget, TargetNotFound
from vigil.targets.limits import Limits
from vigil.targets.pathres import Kind, clean_member, resolve
from vigil.targets.streams import Section, forget_members


class Blobs(Protocol):
    """Files of an archive by relative name."""

    def exists(self, name: str) -> bool: ...

    def open(self, name: str) -> IO[bytes]: ...

    def close(self) -> None: ...


def read_small(blobs: Blobs, name: str, limits: Limits) -> bytes:
    """A metadata file of the archive, refused past ``max_metadata_bytes``."""
    if not blobs.exists(name):
        raise MalformedTarget(f"{name}: missing")
    with blobs.open(name) as fh:
        data = fh.read(limits.max_metadata_bytes + 1)
    if len(data) > limits.max_metadata_bytes:
        raise MalformedTarget(f"{name}: larger than {limits.max_metadata_bytes} bytes")
    return data


def parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedTarget(f"{name}: invalid JSON ({exc})") from exc


def read_json(blobs: Blobs, name: str, limits: Limits) -> Any:
    """Parse a small JSON file of the archive."""
    return parse_json(read_small(blobs, name, limits), name)


class TarBlobs:
    """Members of a tar file (plain or gzipped) by normalised name; symlinks resolved inside it."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self._limits = limits
        self._files: dict[str, tuple[int, int]] = {}  # name -> (data offset, size)
        self._links: dict[str, str] = {}
        self._dirs: set[str] = set()
        self._gzipped = _starts_with(path, GZIP_MAGIC)
        self._index()

    def _index(self) -> None:
        try:
            with tarfile.open(self.path, "r:*") as tar:
                for count, member in enumerate(_members(tar), 1):
                    if count > self._limits.max_entries:
                        raise LimitExceeded(
                            f"{self.path}: more than {self._limits.max_entries} entries"
                        )
                    self._add(member)
        except tarfile.TarError as exc:
            raise CorruptArchive(f"{self.path}: not a readable tar ({exc})") from exc
        except (EOFError, OSError) as exc:
            raise CorruptArchive(f"{self.path}: damaged or truncated ({exc})") from exc

    def _add(self, member: tarfile.TarInfo) -> None:
        parts = clean_member(member.name)
        if parts is None:
            return
        name = "/".join(parts)
        for i in range(1, len(parts)):
            self._dirs.add("/".join(parts[:i]))
        if member.isreg() and not member.issparse():
            self._files[name] = (member.offset_data, member.size)
        elif member.issym():
            self._links[name] = member.linkname
        elif member.islnk():
            target = clean_member(member.linkname)
            if target is not None and "/".join(target) in self._files:
                self._files[name] = self._files["/".join(target)]
        elif member.isdir():
            self._dirs.add(name)

    def _lookup(self, parts: Sequence[str]) -> tuple[Kind, str] | None:
        name = "/".join(parts)
        if name in self._files:
            return Kind.FILE, ""
        if name in self._links:
            return Kind.LINK, self._links[name]
        return (Kind.DIR, "") if name in self._dirs else None

    def _find(self, name: str) -> tuple[int, int] | None:
        parts = resolve(name, self._lookup, self._limits.max_symlink_hops)
        return None if parts is None else self._files.get("/".join(parts))

    def exists(self, name: str) -> bool:
        return self._find(name) is not None

    def open(self, name: str) -> IO[bytes]:
        found = self._find(name)
        if found is None:
            raise MalformedTarget(f"{self.path}: no member {name!r}")
        base = gzip.open(self.path) if self._gzipped else open(self.path, "rb")  # noqa: SIM115
        section = Section(cast(IO[bytes], base), found[0], found[1], f"{self.path}:{name}")
        return cast(IO[bytes], io.BufferedReader(section))

    def close(self) -> None:
        """Nothing stays open between reads."""


class DirBlobs:
    """Files under a directory; a name or link that leads outside it is refused."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def _real(self, name: str) -> str | None:
        parts = clean_member(name)
        if parts is None:
            return None
        real = os.path.realpath(os.path.join(self.root, *parts))
        if os.path.commonpath([real, self.root]) != self.root:
            return None
        try:
            return real if stat.S_ISREG(os.stat(real).st_mode) else None
        except OSError:
            return None

    def exists(self, name: str) -> bool:
        return self._real(name) is not None

    def open(self, name: str) -> IO[bytes]:
        real = self._real(name)
        if real is None:
            raise MalformedTarget(f"{self.root}: no file {name!r} inside the layout")
        try:
            return open(real, "rb")
        except OSError as exc:
            raise TargetNotFound(f"{real}: {exc.strerror}") from exc

    def close(self) -> None:
        """Nothing stays open between reads."""


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while (member := tar.next()) is not None:
        yield member
        forget_members(tar)


def _starts_with(path: str, magic: bytes) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(magic)) == magic
    except OSError as exc:
        raise TargetNotFound(f"{path}: {exc.strerror}") from exc
