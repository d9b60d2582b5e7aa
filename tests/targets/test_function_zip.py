"""Function packages: the function under var/task, layers merged under opt, as Lambda runs them."""

from __future__ import annotations

import hashlib
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from tests.targets.fixtures.layers import ROOTFS
from vigil.catalog import FileTooLarge, glob
from vigil.targets import CorruptArchive, FunctionZipFS, LimitExceeded, Limits, SymlinkLoop

DIST_INFO = "blinker-1.5.dist-info"
METADATA = (ROOTFS / f"usr/lib/python3/dist-packages/{DIST_INFO}/METADATA").read_bytes()


def write_zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


@pytest.fixture
def package(tmp_path: Path) -> tuple[Path, Path, Path]:
    function = write_zip(
        tmp_path / "fn.zip",
        {"app.py": b"import blinker\n", f"{DIST_INFO}/METADATA": METADATA, "lib/": b""},
    )
    layer1 = write_zip(
        tmp_path / "l1.zip",
        {
            f"python/lib/python3.12/site-packages/{DIST_INFO}/METADATA": METADATA,
            "python/shared.txt": b"from layer 1",
            "nodejs/node_modules/left-pad/package.json": b'{"name": "left-pad"}',
        },
    )
    layer2 = write_zip(
        tmp_path / "l2.zip",
        {"python/shared.txt": b"from layer 2", "java/lib/app.jar": b"PK"},
        links={"python/link.txt": "/opt/python/shared.txt"},
    )
    return function, layer1, layer2


def test_paths_as_the_running_function_sees_them(package: tuple[Path, Path, Path]) -> None:
    function, layer1, layer2 = package
    with FunctionZipFS(str(function), [str(layer1), str(layer2)]) as fs:
        assert sorted(fs.paths()) == [
            "opt/java/lib/app.jar",
            "opt/nodejs/node_modules/left-pad/package.json",
            f"opt/python/lib/python3.12/site-packages/{DIST_INFO}/METADATA",
            "opt/python/shared.txt",
            "var/task/app.py",
            f"var/task/{DIST_INFO}/METADATA",
        ]
        assert len(list(glob(fs, "**/*.dist-info/METADATA"))) == 2
        with fs.open("opt/python/shared.txt") as fh:
            assert fh.read() == b"from layer 2"  # later layers win
        with fs.open("opt/python/link.txt") as fh:
            assert fh.read() == b"from layer 2"
        with fs.open(f"var/task/{DIST_INFO}/METADATA") as fh:
            assert fh.read() == METADATA
        digests = {p: "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in package}
        assert fs.layer_digest("var/task/app.py") == digests[function]
        assert fs.layer_digest("opt/python/shared.txt") == digests[layer2]
        assert fs.layer_digest("opt/nodejs/node_modules/left-pad/package.json") == digests[layer1]


def test_hostile_names_and_links(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host")
    zf = write_zip(
        tmp_path / "evil.zip",
        {"../../escape.py": b"x", "/abs.py": b"a", "ok.py": b"ok"},
        links={"host": str(secret), "loop": "loop", "up": "../../../../var/task/ok.py"},
    )
    with FunctionZipFS(str(zf)) as fs:
        assert sorted(fs.paths()) == ["var/task/abs.py", "var/task/ok.py"]
        assert [w.path for w in fs.warnings] == ["../../escape.py"]
        with pytest.raises(FileNotFoundError):
            fs.open("var/task/host")
        with pytest.raises(SymlinkLoop):
            fs.open("var/task/loop")
        with fs.open("var/task/up") as fh:
            assert fh.read() == b"ok"


def test_size_bounds(tmp_path: Path) -> None:
    zf = write_zip(tmp_path / "big.zip", {"zeros": b"\0" * 1_000_000, "small": b"s"})
    assert zf.stat().st_size < 10_000
    with FunctionZipFS(str(zf), limits=Limits(max_file_bytes=1000)) as fs:
        assert fs.size("var/task/zeros") == 1_000_000
        assert "per-file limit" in fs.warnings[0].reason
        with pytest.raises(FileTooLarge):
            fs.open("var/task/zeros")
    with pytest.raises(LimitExceeded, match="uncompressed bytes"):
        FunctionZipFS(str(zf), limits=Limits(max_total_bytes=100_000))
    with (
        FunctionZipFS(str(zf), limits=Limits(memory_file_bytes=10)) as fs,
        fs.open("var/task/zeros") as fh,
    ):
        assert fh.read() == b"\0" * 1_000_000  # served from a temporary file


def test_entry_count_is_checked_before_the_central_directory_is_parsed(tmp_path: Path) -> None:
    many = write_zip(tmp_path / "many.zip", {f"f{i}": b"" for i in range(500)})
    with pytest.raises(LimitExceeded, match="more than 100 entries"):
        FunctionZipFS(str(many), limits=Limits(max_entries=100))
    # A zip64 end record claiming ten million entries is refused from its last 98 bytes alone.
    claim = tmp_path / "claim.zip"
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 10**7, 10**7, 0, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    claim.write_bytes(zip64_end + locator + end)
    with pytest.raises(LimitExceeded, match="more than 5000000 entries"):
        FunctionZipFS(str(claim))


def test_corrupt_zip(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(CorruptArchive):
        FunctionZipFS(str(tmp_path / "bad.zip"))
