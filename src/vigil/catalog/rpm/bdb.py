"""Values of a BerkeleyDB hash database, read from its bytes: rpm's legacy ``Packages``.

Read-only and bounded. Page 0 is the hash metadata page; every hash page holds key/value item
pairs, and a value too big for its page lives on a chain of overflow pages. Walking pages in
order (rather than buckets) visits every item once. Both byte orders are understood: the
metadata magic tells which one the database was written in.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

HASH_MAGIC = 0x061561
BTREE_MAGIC = 0x053162
MAX_VALUE = 256 * 1024 * 1024

_P_HASH_UNSORTED, _P_OVERFLOW, _P_HASHMETA, _P_HASH = 2, 7, 8, 13
_H_KEYDATA, _H_DUPLICATE, _H_OFFPAGE, _H_OFFDUP = 1, 2, 3, 4
_PAGE_HEADER = 26  # lsn(8) pgno(4) prev(4) next(4) entries(2) hf_offset(2) level(1) type(1)
_DBMETA_CHKSUM = 0x01


class BdbError(ValueError):
    """A file that is not a readable BerkeleyDB hash database."""


class HashDatabase:
    """The pages of one hash database, with its byte order and page size."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise BdbError(f"{len(data)} bytes is too short for a BerkeleyDB database")
        self.order = _byte_order(data)
        self.data = data
        self.pagesize = self._u32(data, 20)
        if self.pagesize < 512 or self.pagesize > 65536 or self.pagesize & (self.pagesize - 1):
            raise BdbError(f"implausible page size {self.pagesize}")
        if data[24] != 0:
            raise BdbError("encrypted BerkeleyDB database")
        if data[25] != _P_HASHMETA:
            raise BdbError(f"page 0 has type {data[25]}, not hash metadata")
        if data[26] & _DBMETA_CHKSUM:
            raise BdbError("BerkeleyDB page checksums are not supported")
        self.last_pgno = self._u32(data, 32)
        self.truncated = (self.last_pgno + 1) * self.pagesize > len(data)

    def _u32(self, buf: bytes, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "I", buf, offset)[0]
        return value

    def _u16(self, buf: bytes, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "H", buf, offset)[0]
        return value

    def page(self, pgno: int) -> bytes | None:
        start = pgno * self.pagesize
        if pgno > self.last_pgno or start + self.pagesize > len(self.data):
            return None
        return self.data[start : start + self.pagesize]

    def items(self) -> Iterator[tuple[bytes, bytes] | BdbError]:
        """Every (key, value) pair; an unreadable page or item comes as its error instead."""
        for pgno in range(1, self.last_pgno + 1):
            page = self.page(pgno)
            if page is None:
                return
            if page[25] not in (_P_HASH, _P_HASH_UNSORTED):
                continue
            entries = self._u16(page, 20)
            if _PAGE_HEADER + 2 * entries > self.pagesize:
                yield BdbError(f"page {pgno}: {entries} entries do not fit the page")
                continue
            offsets = [self._u16(page, _PAGE_HEADER + 2 * i) for i in range(entries)]
            for index in range(0, entries - 1, 2):
                try:
                    key = self._item(pgno, page, offsets, index)
                    value = self._item(pgno, page, offsets, index + 1)
                except BdbError as exc:
                    yield exc
                else:
                    yield key, value

    def _item(self, pgno: int, page: bytes, offsets: list[int], index: int) -> bytes:
        start = offsets[index]
        end = self.pagesize if index == 0 else offsets[index - 1]
        if not _PAGE_HEADER + 2 * len(offsets) <= start < end <= self.pagesize:
            raise BdbError(f"page {pgno}: item {index} lies outside the page")
        kind = page[start]
        if kind == _H_KEYDATA:
            return page[start + 1 : end]
        if kind == _H_OFFPAGE and end - start >= 12:
            first, total = self._u32(page, start + 4), self._u32(page, start + 8)
            return self._overflow(first, total)
        if kind in (_H_DUPLICATE, _H_OFFDUP):
            raise BdbError(f"page {pgno}: duplicate items are not used by rpm")
        raise BdbError(f"page {pgno}: unknown item type {kind}")

    def _overflow(self, pgno: int, total: int) -> bytes:
        if total > MAX_VALUE:
            raise BdbError(f"overflow item of {total} bytes is over the bound")
        chunks: list[bytes] = []
        have = 0
        seen: set[int] = set()
        while pgno != 0 and have < total:
            page = self.page(pgno)
            if page is None or pgno in seen or page[25] != _P_OVERFLOW:
                raise BdbError(f"overflow chain broken at page {pgno}")
            seen.add(pgno)
            # On overflow pages the free-space offset field holds the bytes used on the page.
            used = self._u16(page, 22)
            if _PAGE_HEADER + used > self.pagesize:
                raise BdbError(f"overflow page {pgno} claims {used} bytes")
            chunks.append(page[_PAGE_HEADER : _PAGE_HEADER + used])
            have += used
            pgno = self._u32(page, 16)
        if have != total:
            raise BdbError(f"overflow item has {have} bytes, expected {total}")
        return b"".join(chunks)


def _byte_order(data: bytes) -> str:
    for order in ("<", ">"):
        magic = struct.unpack_from(order + "I", data, 12)[0]
        if magic == HASH_MAGIC:
            return order
        if magic == BTREE_MAGIC:
            raise BdbError("a BerkeleyDB btree database, not rpm's hash Packages")
    raise BdbError("not a BerkeleyDB database (no hash magic)")


def bdb_values(data: bytes) -> Iterator[bytes | BdbError]:
    """Values of rpm's Packages database (header blobs keyed by instance number).

    An unreadable database raises ``BdbError``; an unreadable item is yielded as its error so
    the rest are still read. Key 0 holds rpm's next instance counter, not a header: skipped.
    """
    database = HashDatabase(data)
    for item in database.items():
        if isinstance(item, BdbError):
            yield item
        elif item[0].strip(b"\0") != b"":
            yield item[1]
    if database.truncated:
        yield BdbError("file ends before its last page; later packages are missing")
