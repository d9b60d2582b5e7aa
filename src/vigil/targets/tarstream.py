"""A forward-only tar reader for layers: ustar, GNU long names and pax records.

``tarfile`` parses every header field through Python helpers; layers of hundreds of thousands
of files spend most of their indexing time there. This reader decodes only what squashing needs
(name, type, size, permission bits, link target), checks each header's checksum, and knows a
stream that stops before its end-of-archive block is truncated.
"""

from __future__ import annotations

from collections.abc import Iterator

from vigil.targets.errors import CorruptArchive
from vigil.targets.streams import Meter

BLOCK = 512
_ZEROS = bytes(BLOCK)
REGULAR = frozenset({b"0", b"\0", b"7"})
HARDLINK, SYMLINK, DIRECTORY = b"1", b"2", b"5"
_GNU_LONGNAME, _GNU_LONGLINK, _PAX, _PAX_GLOBAL, _GNU_SPARSE = b"L", b"K", b"x", b"g", b"S"
_MAX_META = 1024 * 1024  # long names and pax records larger than this are hostile


class Member:
    """One entry of a layer."""

    __slots__ = ("linkname", "mode", "name", "offset", "size", "sparse", "type")

    def __init__(
        self, name: str, type_: bytes, size: int, linkname: str, offset: int, mode: int = 0
    ) -> None:
        self.name = name
        self.type = type_
        self.size = size
        self.linkname = linkname
        self.offset = offset  # of its data in the uncompressed stream
        self.mode = mode  # permission bits only (0o7777)
        self.sparse = False

    def isreg(self) -> bool:
        return self.type in REGULAR and not self.sparse

    def isdir(self) -> bool:
        return self.type == DIRECTORY

    def issym(self) -> bool:
        return self.type == SYMLINK

    def islnk(self) -> bool:
        return self.type == HARDLINK


def members(stream: Meter, name: str) -> Iterator[Member]:
    """The members of the tar ``stream``; raises ``CorruptArchive`` on damage or truncation."""
    pending: dict[str, str] = {}
    while True:
        block = stream.read(BLOCK)
        if len(block) < BLOCK:
            raise CorruptArchive(f"{name}: tar ends without its end-of-archive block (truncated)")
        if block == _ZEROS:
            return
        _check(block, name, stream.pos - BLOCK)
        member = _parse(block, stream.pos)
        padded = -(-member.size // BLOCK) * BLOCK
        if member.type in (_GNU_LONGNAME, _GNU_LONGLINK, _PAX, _PAX_GLOBAL):
            if member.size > _MAX_META:
                raise CorruptArchive(f"{name}: {member.size}-byte extended header")
            data = stream.read(padded)[: member.size]
            if len(data) < member.size:
                raise CorruptArchive(f"{name}: truncated inside an extended header")
            if member.type == _GNU_LONGNAME:
                pending["path"] = _text(data.split(b"\0", 1)[0])
            elif member.type == _GNU_LONGLINK:
                pending["linkpath"] = _text(data.split(b"\0", 1)[0])
            elif member.type == _PAX:
                pending.update(_pax(data, name))
            continue
        _apply(member, pending, name)
        pending = {}
        yield member
        stream.seek(member.offset + padded)


def _check(block: bytes, name: str, offset: int) -> None:
    try:
        stored = int(block[148:156].split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        stored = -1
    unsigned = sum(block) - sum(block[148:156]) + 8 * 32
    if stored != unsigned:
        raise CorruptArchive(f"{name}: damaged tar header at offset {offset}")


def _parse(block: bytes, data_offset: int) -> Member:
    name = block[0:100].split(b"\0", 1)[0]
    if block[257:263] == b"ustar\x00":  # POSIX: a prefix field extends the name
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    link = block[157:257].split(b"\0", 1)[0]
    mode = max(_number(block[100:108]), 0) & 0o7777  # some writers add the file-type bits
    size = _number(block[124:136])
    return Member(_text(name), block[156:157], size, _text(link), data_offset, mode)


def _number(field: bytes) -> int:
    if field[0] & 0x80:  # base-256, for sizes of 8 GiB and more
        return int.from_bytes(field[1:], "big") if field[0] == 0x80 else -1
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text or b"0", 8)
    except ValueError:
        return -1


def _apply(member: Member, pending: dict[str, str], name: str) -> None:
    member.name = pending.get("path", member.name)
    member.linkname = pending.get("linkpath", member.linkname)
    if "size" in pending:
        try:
            member.size = int(pending["size"])
        except ValueError:
            member.size = -1
    if member.size < 0:
        raise CorruptArchive(f"{name}: {member.name!r} has an invalid size")
    member.sparse = member.type == _GNU_SPARSE or any(k.startswith("GNU.sparse.") for k in pending)


def _pax(data: bytes, name: str) -> dict[str, str]:
    """pax records: ``LENGTH key=value\\n``, LENGTH counting the whole record."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data) and data[pos] != 0:
        space = data.find(b" ", pos)
        try:
            length = int(data[pos:space])
        except ValueError:
            raise CorruptArchive(f"{name}: damaged pax header") from None
        record = data[space + 1 : pos + length - 1]
        if length <= 0 or pos + length > len(data) or b"=" not in record:
            raise CorruptArchive(f"{name}: damaged pax header")
        key, _, value = record.partition(b"=")
        records[_text(key)] = _text(value)
        pos += length
    return records


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")
