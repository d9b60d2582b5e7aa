"""Rust binaries built with cargo-auditable: the crates recorded in their ``.dep-v0`` section.

The section holds zlib-compressed JSON (``{"packages": [{"name", "version", "source", "kind"}]}``).
Only crates from crates.io are reported: ``local``, ``git`` and other registries name crates
advisories do not cover, and build-only dependencies (``"kind": "build"``) are not linked into
the binary. Decompression is bounded, so a hostile section cannot exhaust memory.
"""

from __future__ import annotations

import zlib

from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import TargetFS
from vigil.catalog.languages import _coords
from vigil.catalog.languages._binary import catalog_executable
from vigil.catalog.languages._data import as_list, as_mapping, load_json, text_field
from vigil.catalog.languages._executable import NATIVE_EXECUTABLES, Executable
from vigil.catalog.languages._support import (
    Collector,
    Malformed,
    MiB,
)

SECTION_NAMES = (".dep-v0", ".rust-deps-v0", "__dep_v0")
_MAX_COMPRESSED = 8 * MiB
_MAX_JSON = 32 * MiB
_CRATES_IO = ("crates.io", "CratesIo")


def inflate(data: bytes, limit: int = _MAX_JSON) -> bytes:
    decompressor = zlib.decompressobj()
    try:
        out = decompressor.decompress(data, limit)
    except zlib.error as exc:
        raise Malformed(f"dependency section is not valid zlib data: {exc}") from None
    if decompressor.unconsumed_tail:
        raise Malformed(f"dependency section inflates past {limit} bytes")
    return out


def read_audit_data(exe: Executable) -> bytes | None:
    section = exe.section(*SECTION_NAMES)
    if section is None:
        return None
    if section.size > _MAX_COMPRESSED:
        raise Malformed(f"dependency section of {section.size} bytes is implausibly large")
    return inflate(exe.read(section.offset, section.size))


def add_packages(document: bytes, out: Collector) -> None:
    text = document.decode("utf-8", "replace")
    packages = as_list(as_mapping(load_json(text), "audit data").get("packages"), "'packages'")
    for i, item in enumerate(packages):
        entry = as_mapping(item, f"package #{i + 1}")
        if entry.get("source") not in _CRATES_IO or entry.get("kind") == "build":
            continue
        name, version = text_field(entry, "name"), text_field(entry, "version")
        if name is None or version is None:
            out.warn(f"package #{i + 1} has no name or version")
            continue
        out.add(_coords.cargo, name, version)


class RustAuditableCataloger:
    name = "rust-auditable-binary"
    version = "2"  # 2: files without an execute bit are no longer read
    globs: tuple[str, ...] = ()
    executables = NATIVE_EXECUTABLES

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        return catalog_executable(self.name, fs, path, read_audit_data, add_packages)


CATALOGER = RustAuditableCataloger()
