"""Header blobs from rpm's "ndb" ``Packages.db`` (the default on SUSE), read from its bytes.

Layout (little-endian, rpm ``lib/backend/ndb/rpmpkg.c``): a 32-byte header (``RpmP``, version
0, generation, number of 4 KiB slot pages), 16-byte slots (``Slot``, package index, block
offset, block count) filling the slot pages, and blobs on 16-byte blocks: a head (``BlbS``,
package index, generation, length), the header blob, zero padding and a tail (Adler-32 of all
before it, length, ``BlbE``).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

_HEADER_MAGIC = 0x506D7052  # "RpmP"
_SLOT_MAGIC = 0x746F6C53  # "Slot"
_BLOB_HEAD = 0x53626C42  # "BlbS"
_BLOB_TAIL = 0x45626C42  # "BlbE"
_PAGE, _BLOCK, _SLOT = 4096, 16, 16
_HEAD, _TAIL = 16, 12


class NdbError(ValueError):
    """A file that is not a readable ndb package database, or one bad blob in it."""


def ndb_blobs(data: bytes) -> Iterator[tuple[int, bytes | NdbError]]:
    """(package index, header blob or the error that made it unreadable), in slot order.

    A bad database header raises ``NdbError``; a bad blob is yielded as its error so the
    other packages are still read.
    """
    if len(data) < 32:
        raise NdbError(f"{len(data)} bytes is too short for an ndb database")
    magic, version, _generation, pages = struct.unpack_from("<IIII", data, 0)
    if magic != _HEADER_MAGIC:
        raise NdbError("not an ndb database (no RpmP magic)")
    if version != 0:
        raise NdbError(f"ndb version {version} is not supported")
    if pages == 0 or pages * _PAGE > len(data):
        raise NdbError(f"{pages} slot pages do not fit a file of {len(data)} bytes")
    first_blob_block = pages * _PAGE // _BLOCK
    for offset in range(32, pages * _PAGE, _SLOT):
        slot_magic, pkgidx, blkoff, blkcnt = struct.unpack_from("<IIII", data, offset)
        if slot_magic != _SLOT_MAGIC:
            raise NdbError(f"bad slot at byte {offset}")
        if blkoff == 0:
            continue  # a free slot
        if blkoff < first_blob_block or (blkoff + blkcnt) * _BLOCK > len(data):
            yield pkgidx, NdbError(f"package {pkgidx}: blob outside the file")
            continue
        yield pkgidx, _blob(data, pkgidx, blkoff, blkcnt)


def _blob(data: bytes, pkgidx: int, blkoff: int, blkcnt: int) -> bytes | NdbError:
    start = blkoff * _BLOCK
    magic, index, _generation, length = struct.unpack_from("<IIII", data, start)
    if magic != _BLOB_HEAD or index != pkgidx:
        return NdbError(f"package {pkgidx}: bad blob head")
    if blkcnt != (_HEAD + length + _TAIL + _BLOCK - 1) // _BLOCK:
        return NdbError(f"package {pkgidx}: blob length {length} does not match its slot")
    end = start + blkcnt * _BLOCK
    adler, tail_length, tail_magic = struct.unpack_from("<III", data, end - _TAIL)
    if tail_magic != _BLOB_TAIL or tail_length != length:
        return NdbError(f"package {pkgidx}: bad blob tail")
    if zlib.adler32(data[start : end - _TAIL], 1) != adler:
        return NdbError(f"package {pkgidx}: blob checksum mismatch")
    return data[start + _HEAD : start + _HEAD + length]
