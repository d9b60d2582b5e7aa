"""Decoding the build information the Go linker embeds in every module-aware binary.

The blob starts with the 14-byte magic ``\\xff Go buildinf:``, aligned to 16 bytes, then the
pointer size and a flags byte. Go 1.18+ writes the toolchain version and the module info inline
as varint-length strings after the 32-byte header; older toolchains wrote two pointers to Go
string headers instead, resolved here through the section table. The module info is text:
``path``, ``mod``, ``dep`` and ``=>`` (replacement of the previous module) lines, tab-separated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from vigil.catalog.languages._executable import Executable, Section
from vigil.catalog.languages._support import Malformed

MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_FLAG_BIG_ENDIAN = 0x1
_FLAG_INLINE = 0x2
_MAX_STRING = 4 * 1024 * 1024
# Where to look for the blob when there is no dedicated section (PE, ELF without section
# headers): Go places it at the start of the writable data, so the first part of it is enough.
_SEARCH_WINDOW = 1024 * 1024
_DEDICATED = (".go.buildinfo", "__go_buildinfo")


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    version: str
    replaced_by: tuple[str, str] | None = None  # (path, version); version "" for a directory


@dataclass(frozen=True, slots=True)
class BuildInfo:
    go_version: str
    main: Module | None
    deps: tuple[Module, ...]


def _candidates(exe: Executable) -> list[Section]:
    dedicated = [s for s in exe.sections if s.name in _DEDICATED]
    if dedicated or (exe.kind != "pe" and any(s.name for s in exe.sections)):
        # A binary with named sections but none for build info is not a module-aware Go
        # binary (shared libraries, C programs): not searching it keeps scans of /usr cheap.
        return dedicated
    return [s for s in exe.sections if s.name in (".data", "")]


def find_blob(exe: Executable) -> tuple[Section, int] | None:
    """The section holding the build-info header and the header's offset inside it."""
    for section in _candidates(exe):
        if section.size > 0:
            window = exe.read(section.offset, min(section.size, _SEARCH_WINDOW))
            start = window.find(MAGIC)
            while start >= 0 and start % 16:
                start = window.find(MAGIC, start + 1)
            if start >= 0:
                return section, start
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise Malformed("build info: malformed varint length")


def _inline_strings(exe: Executable, section: Section, start: int) -> tuple[str, str]:
    available = min(section.size - start - _HEADER, 2 * _MAX_STRING)
    data = exe.read(section.offset + start + _HEADER, max(available, 0))
    out: list[str] = []
    pos = 0
    for _ in range(2):
        length, pos = _varint(data, pos)
        if pos + length > len(data):
            raise Malformed("build info: string runs past the end of its section")
        out.append(data[pos : pos + length].decode("utf-8", "replace"))
        pos += length
    return out[0], out[1]


def _order(big: bool) -> Literal["big", "little"]:
    return "big" if big else "little"


def _pointed_string(exe: Executable, addr: int, ptr_size: int, big: bool) -> str:
    order = _order(big)
    header = exe.read_addr(addr, 2 * ptr_size)
    data_addr = int.from_bytes(header[:ptr_size], order)
    length = int.from_bytes(header[ptr_size:], order)
    if length > _MAX_STRING:
        raise Malformed(f"build info: string of {length} bytes is implausible")
    return exe.read_addr(data_addr, length).decode("utf-8", "replace") if length else ""


def read_build_info(exe: Executable) -> BuildInfo | None:
    """The build info of a Go binary; None when the binary carries none."""
    found = find_blob(exe)
    if found is None:
        return None
    section, start = found
    header = exe.read(section.offset + start, _HEADER)
    ptr_size, flags = header[14], header[15]
    if flags & _FLAG_INLINE:
        version, modinfo = _inline_strings(exe, section, start)
    elif ptr_size in (4, 8):
        big = bool(flags & _FLAG_BIG_ENDIAN)
        order = _order(big)
        version_addr = int.from_bytes(header[16 : 16 + ptr_size], order)
        mod_addr = int.from_bytes(header[16 + ptr_size : 16 + 2 * ptr_size], order)
        version = _pointed_string(exe, version_addr, ptr_size, big)
        modinfo = _pointed_string(exe, mod_addr, ptr_size, big)
    else:
        raise Malformed(f"build info: pointer size {ptr_size} is not 4 or 8")
    if not version.startswith("go"):
        raise Malformed(f"build info: toolchain version {version[:40]!r} does not start with 'go'")
    return parse_modinfo(version, _strip_sentinels(modinfo))


def _strip_sentinels(modinfo: str) -> str:
    # The module info is framed by two 16-byte sentinels; the byte before the closing one is
    # the final newline. Without that frame the binary was built outside module mode.
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        return modinfo[16:-16]
    return ""


def parse_modinfo(go_version: str, modinfo: str) -> BuildInfo:
    main: Module | None = None
    deps: list[Module] = []
    for line in modinfo.splitlines():
        fields = line.split("\t")
        kind = fields[0]
        if kind in ("mod", "dep") and len(fields) >= 3:
            module = Module(fields[1], fields[2])
            if kind == "mod":
                main = module
            else:
                deps.append(module)
        elif kind == "=>" and len(fields) >= 2:
            replacement = (fields[1], fields[2] if len(fields) >= 3 else "")
            if deps:
                deps[-1] = Module(deps[-1].path, deps[-1].version, replacement)
            elif main is not None:
                main = Module(main.path, main.version, replacement)
    return BuildInfo(go_version, main, tuple(deps))


_GO_TAG = re.compile(r"^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$")


def stdlib_version(go_version: str) -> str | None:
    """The standard library's semantic version as the Go vulnerability database writes it.

    ``go1.21.5`` is ``1.21.5``, ``go1.21`` is ``1.21.0`` and ``go1.21rc2`` is ``1.21.0-rc.2``;
    experiment suffixes (``go1.22.0 X:boringcrypto``) are dropped. None for development builds
    (``devel +abc``) and anything else that is not a release tag.
    """
    match = _GO_TAG.match(go_version.split(" ", 1)[0].split("-", 1)[0])
    if match is None:
        return None
    major, minor, patch, pre, pre_number = match.groups()
    version = f"{major}.{minor or 0}.{patch or 0}"
    return f"{version}-{pre}.{pre_number}" if pre else version
