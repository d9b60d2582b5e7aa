"""Section tables of executables (ELF, Mach-O, PE), read without loading or running them.

Only what the binary catalogers need: named sections with their virtual address and file
extent, and bounded reads by file offset or by virtual address. Every count and size read from
the file is checked against the file's length before anything is allocated.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from vigil.catalog.cataloger import ExecutableFiles
from vigil.catalog.fs import TargetFS
from vigil.catalog.languages._support import Malformed, MiB

ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = {
    b"\xcf\xfa\xed\xfe": ("<", 64),
    b"\xce\xfa\xed\xfe": ("<", 32),
    b"\xfe\xed\xfa\xcf": (">", 64),
    b"\xfe\xed\xfa\xce": (">", 32),
}
_MAX_SECTIONS = 4096
_SHT_NOBITS = 8
_PT_LOAD = 1


def sniff(head: bytes) -> str | None:
    """The executable format of a file from its first bytes, or None."""
    if head.startswith(ELF_MAGIC):
        return "elf"
    if head[:4] in _MACHO_MAGICS:
        return "macho"
    if head.startswith(b"MZ"):
        return "pe"
    return None


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    addr: int
    offset: int
    size: int  # bytes present in the file


class Executable:
    """An executable's sections over a seekable file."""

    def __init__(self, fh: IO[bytes], length: int) -> None:
        self._fh = fh
        self.length = length
        self.big_endian = False
        self.sections: list[Section] = []
        head = self.read(0, 64)
        kind = sniff(head)
        self.kind = kind or ""
        if kind == "elf":
            self._elf(head)
        elif kind == "macho":
            self._macho(head)
        elif kind == "pe":
            self._pe(head)
        else:
            raise Malformed("not an ELF, Mach-O or PE executable")

    def read(self, offset: int, size: int) -> bytes:
        """Exactly ``size`` bytes at ``offset``, or ``Malformed`` if the file is shorter."""
        if offset < 0 or size < 0 or offset + size > self.length:
            raise Malformed(f"truncated: {size} bytes at offset {offset} lie past the end")
        self._fh.seek(offset)
        data = self._fh.read(size)
        if len(data) != size:
            raise Malformed(f"truncated: short read at offset {offset}")
        return data

    def section(self, *names: str) -> Section | None:
        return next((s for s in self.sections if s.name in names), None)

    def read_addr(self, addr: int, size: int) -> bytes:
        """Bytes at a virtual address, through the section that maps it in the file."""
        for s in self.sections:
            if s.addr <= addr and addr + size <= s.addr + s.size:
                return self.read(s.offset + addr - s.addr, size)
        raise Malformed(f"address {addr:#x} is not mapped by any section")

    def _unpack(self, fmt: str, data: bytes, offset: int = 0) -> tuple[int, ...]:
        order = ">" if self.big_endian else "<"
        try:
            return struct.unpack_from(order + fmt, data, offset)
        except struct.error:
            raise Malformed(f"truncated header: {fmt} at offset {offset}") from None

    def _elf(self, head: bytes) -> None:
        is64, self.big_endian = head[4] == 2, head[5] == 2
        if head[4] not in (1, 2) or head[5] not in (1, 2):
            raise Malformed("ELF header has an invalid class or byte order")
        if is64:
            phoff, shoff = self._unpack("QQ", head, 0x20)
            phentsize, phnum, shentsize, shnum, shstrndx = self._unpack("HHHHH", head, 0x36)
        else:
            phoff, shoff = self._unpack("II", head, 0x1C)
            phentsize, phnum, shentsize, shnum, shstrndx = self._unpack("HHHHH", head, 0x2A)
        if shnum and shoff:
            self._elf_sections(is64, shoff, shentsize, shnum, shstrndx)
        if not self.sections and phnum and phoff:
            self._elf_segments(is64, phoff, phentsize, phnum)

    def _elf_sections(self, is64: bool, off: int, entsize: int, num: int, strndx: int) -> None:
        if not (64 if is64 else 40) <= entsize <= 256 or num > _MAX_SECTIONS or strndx >= num:
            raise Malformed("ELF section header table is implausible")
        table = self.read(off, entsize * num)
        raw = []
        for i in range(num):
            if is64:
                fields = self._unpack("IIQQQQ", table, i * entsize)
            else:
                fields = self._unpack("IIIIII", table, i * entsize)
            name_off, kind, _, addr, offset, size = fields
            raw.append((name_off, kind, addr, offset, size))
        _, _, _, str_off, str_size = raw[strndx]
        names = self.read(str_off, min(str_size, 1 << 20))
        for name_off, kind, addr, offset, size in raw:
            end = names.find(b"\0", name_off)
            label = names[name_off : end if end >= 0 else None].decode("latin-1")
            present = 0 if kind == _SHT_NOBITS else size
            self.sections.append(Section(label, addr, offset, present))

    def _elf_segments(self, is64: bool, off: int, entsize: int, num: int) -> None:
        # Without section headers (stripped by sstrip and the like) the loadable segments are the
        # only map from addresses to file offsets; they get no name.
        if not (56 if is64 else 32) <= entsize <= 256 or num > _MAX_SECTIONS:
            raise Malformed("ELF program header table is implausible")
        table = self.read(off, entsize * num)
        for i in range(num):
            if is64:
                kind, _, offset, addr, _, filesz = self._unpack("IIQQQQ", table, i * entsize)
            else:
                kind, offset, addr, _, filesz = self._unpack("IIIII", table, i * entsize)
            if kind == _PT_LOAD:
                self.sections.append(Section("", addr, offset, filesz))

    def _macho(self, head: bytes) -> None:
        order, bits = _MACHO_MAGICS[head[:4]]
        self.big_endian = order == ">"
        ncmds, sizeofcmds = self._unpack("II", head, 16)
        header = 32 if bits == 64 else 28
        if ncmds > _MAX_SECTIONS:
            raise Malformed("Mach-O header lists an implausible number of load commands")
        commands = self.read(header, sizeofcmds)
        pos = 0
        for _ in range(ncmds):
            cmd, size = self._unpack("II", commands, pos)
            if size < 8 or pos + size > len(commands):
                raise Malformed("Mach-O load command runs past the command area")
            if cmd in (0x19, 0x1):  # LC_SEGMENT_64, LC_SEGMENT
                self._macho_segment(commands[pos : pos + size], cmd == 0x19)
            pos += size

    def _macho_segment(self, command: bytes, is64: bool) -> None:
        nsects = self._unpack("I", command, 64 if is64 else 48)[0]
        start, width = (72, 80) if is64 else (56, 68)
        if start + nsects * width > len(command):
            raise Malformed("Mach-O segment lists more sections than it holds")
        for i in range(nsects):
            base = start + i * width
            name = command[base : base + 16].rstrip(b"\0").decode("latin-1")
            if is64:
                addr, size, offset = self._unpack("QQI", command, base + 32)
            else:
                addr, size, offset = self._unpack("III", command, base + 32)
            self.sections.append(Section(name, addr, offset, size if offset else 0))

    def _pe(self, head: bytes) -> None:
        pe_off = self._unpack("I", head, 0x3C)[0]
        coff = self.read(pe_off, 24)
        if coff[:4] != b"PE\0\0":
            raise Malformed("MZ file without a PE signature")
        nsects, opt_size = self._unpack("H", coff, 6)[0], self._unpack("H", coff, 20)[0]
        if nsects > _MAX_SECTIONS:
            raise Malformed("PE header lists an implausible number of sections")
        optional = self.read(pe_off + 24, opt_size)
        pe32_plus = self._unpack("H", optional)[0] == 0x20B
        image_base = self._unpack("Q" if pe32_plus else "I", optional, 24 if pe32_plus else 28)[0]
        table = self.read(pe_off + 24 + opt_size, 40 * nsects)
        for i in range(nsects):
            base = i * 40
            name = table[base : base + 8].rstrip(b"\0").decode("latin-1")
            vsize, vaddr, raw_size, raw_off = self._unpack("IIII", table, base + 8)
            present = min(vsize, raw_size) if vsize else raw_size
            self.sections.append(Section(name, image_base + vaddr, raw_off, present))


# Candidates come from the file mode, so scripts and other non-binaries with an execute bit still
# arrive: rejecting them costs one small read. Larger files are only read through seeks.
MIN_SIZE = 512
MAX_SIZE = 2 * 1024 * MiB
_MAX_UNSEEKABLE = 256 * MiB


def _is_native(head: bytes) -> bool:
    return sniff(head) is not None


# Shared by every binary cataloger, so the runner reads a file's magic number once for all.
NATIVE_EXECUTABLES = ExecutableFiles(MIN_SIZE, MAX_SIZE, _is_native, head_size=4)


@contextmanager
def open_executable(fs: TargetFS, path: str) -> Iterator[Executable | None]:
    """The executable at ``path``, or None when the file is not one worth parsing."""
    size = fs.size(path)
    if not MIN_SIZE <= size <= MAX_SIZE:
        yield None
        return
    with fs.open(path) as fh:
        head = fh.read(4)
        if sniff(head) is None:
            yield None
        elif fh.seekable():
            yield Executable(fh, size)
        elif size > _MAX_UNSEEKABLE:
            raise Malformed(f"executable over {_MAX_UNSEEKABLE} bytes on an unseekable source")
        else:
            data = head + fh.read(size)
            yield Executable(io.BytesIO(data), len(data))
