"""A function package: the function's zip plus its layer zips, laid out as AWS Lambda runs them.

Paths are those the running function sees, relative to ``/``: the function's code under
``var/task/`` (Lambda's ``LAMBDA_TASK_ROOT``) and the layers merged under ``opt/`` in order, a
later layer replacing an earlier one's files (``opt/python/...``, ``opt/nodejs/node_modules/...``,
``opt/java/lib/...``). Catalogers then find packages where the runtime would load them.
``layer_digest`` is the sha256 of the zip that supplied the file, function code included.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from typing import IO

from vigil.catalog import FileTooLarge
from vigil.domain import ScanWarning
from vigil.targets.base import Closing
from vigil.targets.errors import CorruptArchive, LimitExceeded, TargetNotFound, UnreadableFile
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.pathres import Kind, clean_member
from vigil.targets.spill import ContentStore, copy
from vigil.targets.tree import Node, Tree
from vigil.targets.zipcount import declared_entries

TASK_ROOT = ("var", "task")
LAYER_ROOT = ("opt",)
_MAX_LINK = 4096


class FunctionZipFS(Closing):
    """Files of a function zip and its layers; members are read on demand (zips can seek)."""

    def __init__(
        self, function: str, layers: Sequence[str] = (), *, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        self.limits = limits
        self.warnings: list[ScanWarning] = []
        self.complete = True
        self.tree = Tree(limits.max_symlink_hops)
        self.digests: list[str] = []
        self._zips: list[zipfile.ZipFile] = []
        self._store = ContentStore(limits)
        self._entries = 0
        self._bytes = 0
        try:
            for path in [function, *layers]:
                self._add_zip(path, TASK_ROOT if not self._zips else LAYER_ROOT)
        except BaseException:
            self.close()
            raise

    def _add_zip(self, path: str, prefix: tuple[str, ...]) -> None:
        try:
            count = declared_entries(path)
            self.digests.append("sha256:" + _sha256(path))
        except OSError as exc:
            raise TargetNotFound(f"{path}: {exc.strerror}") from exc
        if count is not None and self._entries + count > self.limits.max_entries:
            raise LimitExceeded(f"{path}: more than {self.limits.max_entries} entries")
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptArchive(f"{path}: not a readable zip ({exc})") from exc
        self._zips.append(zf)
        index = len(self._zips) - 1
        for info in zf.infolist():
            self._entries += 1
            if self._entries > self.limits.max_entries:
                raise LimitExceeded(f"{path}: more than {self.limits.max_entries} entries")
            self._add_member(index, prefix, info)

    def _add_member(self, index: int, prefix: tuple[str, ...], info: zipfile.ZipInfo) -> None:
        parts = clean_member(info.filename)
        if parts is None:
            self.warnings.append(ScanWarning(info.filename, "member name leaves the root; skipped"))
            return
        full = [*prefix, *parts]
        if info.is_dir():
            self.tree.put(full, Node(Kind.DIR, index))
            return
        if stat.S_ISLNK(info.external_attr >> 16):
            try:
                link = self._read(index, info, _MAX_LINK).decode("utf-8", "replace")
            except UnreadableFile as exc:
                self.warnings.append(ScanWarning("/".join(full), f"unreadable symlink: {exc}"))
                return
            self.tree.put(full, Node(Kind.LINK, index, link=link))
            return
        self._bytes += info.file_size
        if self._bytes > self.limits.max_total_bytes:
            raise LimitExceeded(f"more than {self.limits.max_total_bytes} uncompressed bytes")
        if info.file_size > self.limits.max_file_bytes:
            self.warnings.append(
                ScanWarning("/".join(full), f"{info.file_size} bytes, over the per-file limit")
            )
        node = Node(Kind.FILE, index, size=info.file_size, mode=_unix_mode(info))
        node.source = (index, info.filename)
        self.tree.put(full, node)

    def _read(self, index: int, info: zipfile.ZipInfo, limit: int) -> bytes:
        try:
            with self._zips[index].open(info) as fh:
                return fh.read(limit)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise UnreadableFile(f"{info.filename}: {exc}") from exc

    def paths(self) -> Iterator[str]:
        return (path for path, _ in self.tree.files())

    def _file(self, path: str) -> Node:
        found = self.tree.resolve(path)
        if found is None or found[1].kind is not Kind.FILE or found[1].source is None:
            raise FileNotFoundError(path)
        return found[1]

    def open(self, path: str) -> IO[bytes]:
        node = self._file(path)
        if node.size > self.limits.max_file_bytes:
            raise FileTooLarge(f"{path}: {node.size} bytes, over the per-file limit")
        assert node.source is not None
        index, name = node.source
        if node.size <= self.limits.memory_file_bytes:
            return io.BytesIO(self._read(index, self._zips[index].getinfo(name), node.size))
        out = self._store.temporary()
        try:
            with self._zips[index].open(name) as fh:
                copy(fh, out, node.size)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            out.close()
            raise UnreadableFile(f"{path}: {exc}") from exc
        out.seek(0)
        return out

    def size(self, path: str) -> int:
        return self._file(path).size

    def mode(self, path: str) -> int | None:
        return self._file(path).mode

    def layer_digest(self, path: str) -> str | None:
        return self.digests[self._file(path).layer]

    def close(self) -> None:
        for zf in self._zips:
            zf.close()
        self._zips.clear()
        self._store.close()


def _unix_mode(info: zipfile.ZipInfo) -> int | None:
    """Permission bits from a zip written on Unix; None when the writer recorded none (Windows
    tools, or a zero attribute), so that nothing is assumed about them."""
    mode = (info.external_attr >> 16) & 0o7777
    return mode if info.create_system == _UNIX and mode else None


_UNIX = 3  # "version made by" host system (APPNOTE 4.4.2)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
