"""Every opener reports permission bits, and image openers pass them to ``wanted`` with the size."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

from tests.targets.fixtures.images import single_image
from tests.targets.fixtures.layers import Dir, File, Hardlink, Symlink, rootfs_entries, tar_bytes
from vigil.catalog.runner import wanted_predicate
from vigil.targets import DirectoryFS, FunctionZipFS, ImageFS, open_oci
from vigil.targets.streams import Meter
from vigil.targets.tarstream import members


def _true() -> bytes:
    true = shutil.which("true")
    assert true is not None, "coreutils' true is part of every Debian system"
    return Path(true).read_bytes()


def test_tar_members_carry_their_permission_bits() -> None:
    data = tar_bytes([Dir("bin"), File("bin/app", b"x" * 10, 0o4755), File("etc/conf", b"y")])
    stream = Meter(io.BytesIO(data), "layer")
    assert [(m.name, m.mode) for m in members(stream, "layer")] == [
        ("bin/", 0o755),
        ("bin/app", 0o4755),
        ("etc/conf", 0o644),
    ]


def test_image_modes_follow_links_and_hardlinks(tmp_path: Path) -> None:
    layers = [
        [
            File("usr/bin/app", b"\x7fELF" + bytes(600), 0o755),
            File("usr/share/doc", b"text", 0o644),
            Hardlink("usr/bin/alias", "usr/bin/app"),
            Symlink("bin", "usr/bin"),
        ],
        [File("usr/share/doc", b"now executable", 0o700)],  # a later layer's mode wins
    ]
    single_image(tmp_path / "img", layers)
    with open_oci(str(tmp_path / "img")) as fs:
        assert fs.mode("usr/bin/app") == 0o755
        assert fs.mode("usr/bin/alias") == 0o755
        assert fs.mode("bin/app") == 0o755  # through the symlinked directory
        assert fs.mode("usr/share/doc") == 0o700


def test_wanted_is_asked_with_path_mode_and_size(tmp_path: Path) -> None:
    asked: list[tuple[str, int, int]] = []

    def wanted(path: str, mode: int, size: int) -> bool:
        asked.append((path, mode, size))
        return False

    single_image(tmp_path / "img", [[File("a", b"12345", 0o750), File("b/c", b"", 0o600)]])
    with open_oci(str(tmp_path / "img"), wanted=wanted):
        assert asked == [("a", 0o750, 5), ("b/c", 0o600, 0)]


def _kept(fs: ImageFS, path: str) -> bool:
    found = fs.tree.resolve(path)
    assert found is not None
    return found[1].data is not None


def test_catalogers_keep_executables_but_not_big_plain_files(tmp_path: Path) -> None:
    binary = _true()
    big = os.urandom(4 * 1024 * 1024)
    layers = [
        [
            *rootfs_entries(),
            File("usr/bin/true", binary, 0o755),
            File("opt/app/server", binary, 0o500),
            File("usr/share/data.bin", big, 0o644),  # large and not executable: never kept
            File("usr/share/copy-of-true", binary, 0o644),
            File("usr/bin/tiny", b"#!/bin/sh\n", 0o755),  # too small to be a binary
        ]
    ]
    single_image(tmp_path / "img", layers)

    with open_oci(str(tmp_path / "img"), wanted=wanted_predicate()) as fs:
        assert _kept(fs, "usr/bin/true")
        assert _kept(fs, "opt/app/server")
        assert _kept(fs, "var/lib/dpkg/status")
        assert not _kept(fs, "usr/share/data.bin")
        assert not _kept(fs, "usr/share/copy-of-true")
        assert not _kept(fs, "usr/bin/tiny")
        assert fs.store._in_memory < len(big)
        with fs.open("usr/share/data.bin") as fh:  # still readable, from its layer
            assert fh.read() == big


def test_directory_modes_come_from_the_walk_and_from_links(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/tool").write_bytes(b"x")
    (tmp_path / "bin/tool").chmod(0o751)
    (tmp_path / "README").write_bytes(b"y")
    (tmp_path / "README").chmod(0o640)
    (tmp_path / "link").symlink_to("bin/tool")
    fs = DirectoryFS(str(tmp_path))
    assert sorted(fs.paths()) == ["README", "bin/tool"]
    assert fs.mode("bin/tool") == 0o751
    assert fs.mode("README") == 0o640
    assert fs.mode("link") == 0o751  # not walked: resolved inside the root


def test_zip_modes_only_where_the_writer_recorded_them(tmp_path: Path) -> None:
    path = tmp_path / "fn.zip"
    with zipfile.ZipFile(path, "w") as zf:
        unix = zipfile.ZipInfo("bootstrap")
        unix.create_system, unix.external_attr = 3, 0o100755 << 16
        zf.writestr(unix, b"\x7fELF")
        windows = zipfile.ZipInfo("handler.exe")
        windows.create_system, windows.external_attr = 0, 0x20  # MS-DOS archive attribute
        zf.writestr(windows, b"MZ")
        zf.writestr("app.py", b"print()\n")  # Python's zipfile writes 0o600 on Unix
    with FunctionZipFS(str(path)) as fs:
        assert fs.mode("var/task/bootstrap") == 0o755
        assert fs.mode("var/task/handler.exe") is None
        assert fs.mode("var/task/app.py") == 0o600
