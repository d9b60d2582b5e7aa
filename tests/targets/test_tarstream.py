"""The layer tar reader against archives written by Python's tarfile in every format."""

from __future__ import annotations

import io
import tarfile

import pytest

from vigil.targets.errors import CorruptArchive
from vigil.targets.streams import Meter
from vigil.targets.tarstream import members

LONG = "usr/lib/" + "/".join(["a-rather-long-directory-name"] * 6) + "/file.txt"


def archive(fmt: int, *, sparse: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        info = tarfile.TarInfo(LONG)
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
        if fmt == tarfile.USTAR_FORMAT:
            return buf.getvalue() + bytes(1024)  # ustar cannot hold the long link target
        link = tarfile.TarInfo("short-link")
        link.type, link.linkname = tarfile.SYMTYPE, "/" + LONG
        tar.addfile(link)
        hard = tarfile.TarInfo("hard")
        hard.type, hard.linkname = tarfile.LNKTYPE, LONG
        tar.addfile(hard)
        if sparse:
            info = tarfile.TarInfo("sparse")
            info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0"}
            tar.addfile(info)
    return buf.getvalue()


def read_all(data: bytes) -> list[tuple[str, bytes, int, str]]:
    stream = Meter(io.BytesIO(data), "t")
    return [(m.name, m.type, m.size, m.linkname) for m in members(stream, "t")]


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_long_names_in_every_format(fmt: int) -> None:
    if fmt == tarfile.USTAR_FORMAT:  # ustar splits long names into prefix + name
        assert read_all(archive(fmt))[0][0] == LONG
        return
    assert read_all(archive(fmt)) == [
        (LONG, b"0", 5, ""),
        ("short-link", b"2", 0, "/" + LONG),
        ("hard", b"1", 0, LONG),
    ]


def test_member_content_and_sparse_flag() -> None:
    stream = Meter(io.BytesIO(archive(tarfile.PAX_FORMAT, sparse=True)), "t")
    seen = {}
    for m in members(stream, "t"):
        seen[m.name] = (m.isreg(), stream.read(m.size) if m.isreg() else b"")
    assert seen[LONG] == (True, b"hello")
    assert seen["sparse"] == (False, b"")


def test_damaged_header_checksum() -> None:
    data = bytearray(archive(tarfile.GNU_FORMAT))
    data[1024 + 10] ^= 0xFF  # the member's own header, after the long-name header and data
    with pytest.raises(CorruptArchive, match="damaged tar header"):
        read_all(bytes(data))


def test_missing_end_block_is_truncation() -> None:
    data = archive(tarfile.PAX_FORMAT)
    end = data.rstrip(b"\0")
    cut = len(end) + (-len(end) % 512)
    with pytest.raises(CorruptArchive, match="truncated"):
        read_all(data[:cut])
