"""Layers merge with overlay semantics; every path is indexed, wanted contents are kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.targets.fixtures.images import single_image
from tests.targets.fixtures.layers import (
    Dir,
    Fifo,
    File,
    Hardlink,
    Opaque,
    Symlink,
    Whiteout,
    rootfs_entries,
    rootfs_file,
)
from vigil.catalog import FileTooLarge, glob, read_bounded
from vigil.targets import ImageFS, Limits, open_oci

DIST_INFO = "usr/lib/python3/dist-packages/blinker-1.5.dist-info"


def build(tmp_path: Path, *layers: list, wanted=None, limits: Limits | None = None) -> ImageFS:  # type: ignore[no-untyped-def]
    single_image(tmp_path / "img", list(layers))
    return open_oci(str(tmp_path / "img"), wanted=wanted, limits=limits or Limits())


def read(fs: ImageFS, path: str) -> bytes:
    with fs.open(path) as fh:
        return fh.read()


def test_real_files_are_indexed_and_readable(tmp_path: Path) -> None:
    with build(tmp_path, rootfs_entries()) as fs:
        assert sorted(fs.paths()) == [
            "usr/lib/os-release",
            f"{DIST_INFO}/METADATA",
            f"{DIST_INFO}/RECORD",
            f"{DIST_INFO}/WHEEL",
            f"{DIST_INFO}/top_level.txt",
            "var/lib/dpkg/status",
        ]
        # Symlinks are not listed but open through: Debian's /etc/os-release is one.
        assert read(fs, "etc/os-release") == rootfs_file("usr/lib/os-release")
        assert fs.size("var/lib/dpkg/status") == len(rootfs_file("var/lib/dpkg/status"))
        assert list(glob(fs, "**/*.dist-info/METADATA")) == [f"{DIST_INFO}/METADATA"]


def test_whiteout_removes_a_lower_file_and_directory(tmp_path: Path) -> None:
    upper = [Whiteout(DIST_INFO), Whiteout("var/lib/dpkg/status"), File("var/lib/dpkg/new", b"n")]
    with build(tmp_path, rootfs_entries(), upper) as fs:
        paths = set(fs.paths())
        assert not any(p.startswith(DIST_INFO) for p in paths)
        assert "var/lib/dpkg/status" not in paths
        assert "var/lib/dpkg/new" in paths
        with pytest.raises(FileNotFoundError):
            fs.open("var/lib/dpkg/status")


def test_opaque_directory_hides_lower_contents_but_keeps_its_own(tmp_path: Path) -> None:
    lower = [File("app/a", b"a"), File("app/sub/b", b"b"), File("keep/c", b"c")]
    upper = [File("app/sub/new", b"n"), Opaque("app"), File("app/z", b"z")]
    with build(tmp_path, lower, upper) as fs:
        assert sorted(fs.paths()) == ["app/sub/new", "app/z", "keep/c"]


def test_whiteout_never_hides_its_own_layer(tmp_path: Path) -> None:
    lower = [File("d/old", b"old"), File("x", b"lower")]
    upper = [File("d/mine", b"m"), File("x", b"upper"), Whiteout("d"), Whiteout("x")]
    with build(tmp_path, lower, upper) as fs:
        assert sorted(fs.paths()) == ["d/mine", "x"]
        assert read(fs, "x") == b"upper"


def test_later_layer_replaces_and_a_third_layer_can_restore(tmp_path: Path) -> None:
    layers = [
        [File("etc/conf", b"v1"), Dir("opt/tool"), File("opt/tool/bin", b"t")],
        [Whiteout("etc/conf"), File("opt/tool", b"now a file")],
        [File("etc/conf", b"v3")],
    ]
    with build(tmp_path, *layers, wanted=lambda p, m, s: True) as fs:
        assert sorted(fs.paths()) == ["etc/conf", "opt/tool"]
        assert read(fs, "etc/conf") == b"v3"
        assert read(fs, "opt/tool") == b"now a file"


def test_layer_digest_names_the_layer_that_wrote_the_file(tmp_path: Path) -> None:
    layers = [[File("a", b"1"), File("b", b"1")], [File("b", b"2")]]
    image = single_image(tmp_path / "img", layers)
    with open_oci(str(tmp_path / "img")) as fs:
        assert fs.layer_digest("a") == image.layer_digests[0]
        assert fs.layer_digest("b") == image.layer_digests[1]


def test_hardlinks_share_content_and_survive_the_targets_removal(tmp_path: Path) -> None:
    lower = [File("bin/real", b"payload"), Hardlink("bin/alias", "bin/real")]
    upper = [Whiteout("bin/real")]
    for wanted in (None, lambda p, m, s: True):
        with build(tmp_path / str(wanted is None), lower, upper, wanted=wanted) as fs:
            assert list(fs.paths()) == ["bin/alias"]
            assert read(fs, "bin/alias") == b"payload"
            assert fs.size("bin/alias") == 7


def test_symlinked_parent_directories_are_followed_inside_the_image(tmp_path: Path) -> None:
    lower = [Dir("usr/lib"), Symlink("lib", "usr/lib"), Symlink("abs", "/usr")]
    upper = [File("lib/libx.so", b"x"), File("abs/share/doc", b"d")]
    with build(tmp_path, lower, upper) as fs:
        assert sorted(fs.paths()) == ["usr/lib/libx.so", "usr/share/doc"]
        assert read(fs, "lib/libx.so") == b"x"


def test_special_files_are_skipped_and_replace_lower_entries(tmp_path: Path) -> None:
    with build(tmp_path, [File("run/x", b"1"), Fifo("dev/fifo")], [Fifo("run/x")]) as fs:
        assert list(fs.paths()) == []
        with pytest.raises(FileNotFoundError):
            fs.open("dev/fifo")


def test_unwanted_files_are_read_again_from_their_layer(tmp_path: Path) -> None:
    big = os.urandom(3 * 1024 * 1024)
    layers = [[File("small", b"s"), File("big", big)], [File("other", b"o")]]
    with build(tmp_path, *layers, wanted=lambda p, m, s: p == "other") as fs:
        assert read(fs, "small") == b"s"
        assert read(fs, "big") == big
        assert read(fs, "other") == b"o"


def test_wanted_contents_spill_to_a_directory_removed_on_close(tmp_path: Path) -> None:
    big = os.urandom(2 * 1024 * 1024)
    limits = Limits(memory_file_bytes=1024, memory_budget_bytes=4096)
    layers = [[File(f"f{i}", bytes([i]) * 1000) for i in range(10)] + [File("big", big)]]
    fs = build(tmp_path, *layers, wanted=lambda p, m, s: True, limits=limits)
    spill = fs.store._dir
    assert spill is not None
    assert len(os.listdir(spill)) >= 7  # 4 fit the memory budget, the rest spill
    assert read(fs, "big") == big
    assert [read(fs, f"f{i}") for i in range(10)] == [bytes([i]) * 1000 for i in range(10)]
    fs.close()
    assert not os.path.exists(spill)


def test_file_over_the_per_file_limit_is_indexed_with_a_warning(tmp_path: Path) -> None:
    limits = Limits(max_file_bytes=100)
    with build(
        tmp_path, [File("huge", b"x" * 1000)], wanted=lambda p, m, s: True, limits=limits
    ) as fs:
        assert list(fs.paths()) == ["huge"]
        assert fs.size("huge") == 1000
        assert [w.path for w in fs.warnings] == ["huge"]
        assert "per-file limit" in fs.warnings[0].reason
        with pytest.raises(FileTooLarge):
            read_bounded(fs, "huge", 10_000)
        with pytest.raises(FileTooLarge):
            fs.open("huge")
