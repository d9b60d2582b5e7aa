"""Java archives (JAR, WAR, EAR, and Jenkins HPI/JPI), including archives nested inside them.

Each ``META-INF/maven/**/pom.properties`` is one Maven artifact (a shaded JAR holds several);
an archive without any falls back to its manifest and file name. Nested archives (``WEB-INF/lib``
of a WAR, ``BOOT-INF/lib`` of a Spring Boot JAR, modules of an EAR) are opened in memory.

Archives are hostile input: every entry read is bounded by its own limit and by a budget for the
whole file, entries whose declared sizes lie are caught while inflating, and implausible
compression ratios are refused before inflating at all.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import IO

from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import TargetFS
from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, Malformed, MiB, collector_for
from vigil.catalog.languages.java_metadata import (
    Artifact,
    from_manifest,
    from_pom_properties,
    parse_manifest,
)

EXTENSIONS = ("jar", "war", "ear", "jpi", "hpi")
MAX_DEPTH = 3  # nesting levels below the file itself
MAX_NESTED = 64 * MiB
MAX_METADATA = 1 * MiB
MAX_ENTRIES = 100_000
MAX_RATIO = 200
BUDGET = 512 * MiB  # bytes inflated per file, all nesting levels together
_MAX_UNSEEKABLE = 256 * MiB
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError)


class _OverBudget(Exception):
    pass


class _Walk:
    """One top-level archive: the packages found, the warnings, what is left of the budget."""

    def __init__(self, out: Collector) -> None:
        self.out = out
        self.budget = BUDGET

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> bytes:
        """An entry's bytes; ``Malformed`` when it is too large or looks like a bomb."""
        if info.file_size > limit:
            raise Malformed(f"{where}: declares {info.file_size} bytes, over the {limit} limit")
        if info.file_size > MiB and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Malformed(
                f"{where}: compression ratio over {MAX_RATIO}:1"
                f" ({info.compress_size} -> {info.file_size} bytes), a likely zip bomb"
            )
        if info.file_size > self.budget:
            raise _OverBudget
        try:
            with zf.open(info) as fh:
                data = fh.read(min(limit, self.budget) + 1)
        except _ZIP_ERRORS as exc:
            raise Malformed(f"{where}: cannot inflate: {exc}") from None
        if len(data) > limit:
            raise Malformed(f"{where}: inflates past its declared size and the {limit} limit")
        if len(data) > self.budget:
            raise _OverBudget
        self.budget -= len(data)
        return data

    def scan(self, zf: zipfile.ZipFile, label: str, depth: int) -> None:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            self.out.warn(f"{label}: {len(infos)} entries, over the {MAX_ENTRIES} limit")
            return
        artifacts: list[Artifact] = []
        for info in infos:
            name = info.filename
            if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
                text = self._text(zf, info, f"{label}!{name}")
                found = from_pom_properties(text, name) if text is not None else None
                if found is not None:
                    artifacts.append(found)
        if not artifacts:
            artifacts.extend(self._fallback(zf, label))
        for artifact in artifacts:
            self.out.add(_coords.maven, artifact.group, artifact.artifact, artifact.version)
        for info in infos:
            if not info.is_dir() and info.filename.lower().endswith(EXTENSIONS):
                self._nested(zf, info, f"{label}!{info.filename}", depth + 1)

    def _text(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> str | None:
        try:
            return self.read(zf, info, MAX_METADATA, where).decode("utf-8", "replace")
        except Malformed as exc:
            self.out.warn(exc.reason)
            return None

    def _fallback(self, zf: zipfile.ZipFile, label: str) -> list[Artifact]:
        try:
            info = zf.getinfo("META-INF/MANIFEST.MF")
        except KeyError:
            headers: dict[str, str] = {}
        else:
            text = self._text(zf, info, f"{label}!META-INF/MANIFEST.MF")
            headers = parse_manifest(text) if text is not None else {}
        found = from_manifest(headers, posixpath.basename(label.rpartition("!")[2]))
        if found is None:
            self.out.warn(
                f"{label}: not identified (no pom.properties, no version in manifest or file name)"
            )
            return []
        return [found]

    def _nested(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.out.warn(f"{label}: nested deeper than {MAX_DEPTH} archives, not opened")
            return
        try:
            data = self.read(zf, info, MAX_NESTED, label)
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                self.scan(inner, label, depth)
        except Malformed as exc:
            self.out.warn(exc.reason)
        except _ZIP_ERRORS as exc:
            self.out.warn(f"{label}: not a readable zip archive: {exc}")


def _seekable(fh: IO[bytes], size: int) -> IO[bytes]:
    if fh.seekable():
        return fh
    if size > _MAX_UNSEEKABLE:
        raise Malformed(f"archive over {_MAX_UNSEEKABLE} bytes on an unseekable source")
    return io.BytesIO(fh.read(_MAX_UNSEEKABLE + 1))


class JavaArchiveCataloger:
    name = "java-archive"
    version = "2"  # 2: a group from the manifest's OSGi or Java module name
    globs = tuple(f"**/*.{ext}" for ext in EXTENSIONS)

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        out = collector_for(self.name, fs, path)
        walk = _Walk(out)
        label = posixpath.basename(path)
        try:
            with fs.open(path) as raw, zipfile.ZipFile(_seekable(raw, fs.size(path))) as zf:
                walk.scan(zf, label, 0)
        except _OverBudget:
            out.warn(f"{label}: more than {BUDGET} bytes to inflate; the rest was not read")
        except Malformed as exc:
            out.warn(exc.reason)
        except _ZIP_ERRORS as exc:
            out.warn(f"not a readable zip archive: {exc}")
        except OSError as exc:
            out.warn(f"cannot read archive: {exc}")
        return out.result()


CATALOGER = JavaArchiveCataloger()
