"""A directory target: bounded walk, no symlinked escapes, special files skipped."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from tests.targets.fixtures.layers import ROOTFS
from vigil.catalog import glob
from vigil.targets import DirectoryFS, Limits, SymlinkLoop, TargetNotFound


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(ROOTFS, root)
    (root / "etc").mkdir()
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    (root / "etc/abs-release").symlink_to("/usr/lib/os-release")
    return root


def read(fs: DirectoryFS, path: str) -> bytes:
    with fs.open(path) as fh:
        return fh.read()


def test_walk_lists_regular_files_only(root: Path) -> None:
    os.mkfifo(root / "fifo")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "sock"))
        fs = DirectoryFS(str(root))
        paths = fs.paths()
    assert "usr/lib/os-release" in paths
    assert "var/lib/dpkg/status" in paths
    assert not {"fifo", "sock", "etc/os-release", "etc/abs-release"} & set(paths)
    assert len(paths) == 6
    assert list(glob(fs, "**/*.dist-info/METADATA")) == [
        "usr/lib/python3/dist-packages/blinker-1.5.dist-info/METADATA"
    ]
    with pytest.raises(FileNotFoundError):
        fs.open("fifo")  # never blocks on a fifo either


def test_links_resolve_inside_the_root(root: Path) -> None:
    fs = DirectoryFS(str(root))
    expected = (ROOTFS / "usr/lib/os-release").read_bytes()
    assert read(fs, "etc/os-release") == expected
    assert read(fs, "etc/abs-release") == expected  # "/usr/..." means the target's /usr
    assert fs.size("etc/os-release") == len(expected)
    assert fs.layer_digest("etc/os-release") is None


def test_links_never_reach_host_files(tmp_path: Path, root: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host")
    (root / "abs").symlink_to(secret)
    (root / "climb").symlink_to("../" * 10 + str(secret).lstrip("/"))
    (root / "outside-dir").symlink_to(tmp_path)
    (root / "loop").symlink_to("loop")
    fs = DirectoryFS(str(root))
    for path in ("abs", "climb", "outside-dir/secret", "../secret", "/../secret"):
        with pytest.raises(FileNotFoundError):
            fs.open(path)
    with pytest.raises(SymlinkLoop):
        fs.open("loop")
    assert not any(p.startswith("outside-dir") for p in fs.paths())


def test_walk_is_bounded_and_says_so(root: Path) -> None:
    fs = DirectoryFS(str(root), limits=Limits(max_entries=4))
    assert len(fs.paths()) < 6
    assert not fs.complete
    assert fs.warnings[0].reason == "walk stopped after 4 entries"


def test_host_root_skips_pseudo_file_systems(tmp_path: Path) -> None:
    for name in ("proc", "sys", "dev", "run", "etc"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "file").write_text("x")
    fs = DirectoryFS(str(tmp_path), host_root=True)
    assert fs.paths() == ["etc/file"]
    assert DirectoryFS(str(tmp_path)).host_root is False
    assert DirectoryFS("/", limits=Limits(max_entries=1)).host_root is True


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound):
        DirectoryFS(str(tmp_path / "nope"))
