"""Hostile images: every bound and every escape attempt, each proven on a real archive."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, single_image, write_docker_archive, write_oci
from tests.targets.fixtures.layers import File, Opaque, RawName, Symlink, compress, tar_bytes
from vigil.targets import (
    CorruptArchive,
    LimitExceeded,
    Limits,
    MalformedTarget,
    SymlinkLoop,
    open_docker_archive,
    open_oci,
)


def test_member_names_never_leave_the_root(tmp_path: Path) -> None:
    layer = [
        RawName("../../../../tmp/escaped", b"x"),
        RawName("usr/../../escaped-too", b"x"),
        RawName("/etc/absolute", b"abs"),
        RawName("./ok", b"ok"),
    ]
    single_image(tmp_path / "img", [layer])
    with open_oci(str(tmp_path / "img"), wanted=lambda p, m, s: True) as fs:
        assert sorted(fs.paths()) == ["etc/absolute", "ok"]
        assert sorted(w.path for w in fs.warnings) == [
            "../../../../tmp/escaped",
            "usr/../../escaped-too",
        ]
        with pytest.raises(FileNotFoundError):
            fs.open("../../../../tmp/escaped")
    assert not Path("/tmp/escaped").exists()
    assert sorted(os.listdir(tmp_path)) == ["img"]


def test_symlinks_cannot_reach_host_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("host file")
    layer = [
        Symlink("abs", str(secret)),
        Symlink("climb", "../../../../../../" + str(secret)),
        Symlink("loop-a", "loop-b"),
        Symlink("loop-b", "/loop-a"),
        File("real", b"inside"),
        Symlink("fine", "../../real"),
    ]
    single_image(tmp_path / "img", [layer])
    with open_oci(str(tmp_path / "img")) as fs:
        for name in ("abs", "climb"):
            with pytest.raises(FileNotFoundError):
                fs.open(name)
        with pytest.raises(SymlinkLoop):
            fs.open("loop-a")
        with fs.open("fine") as fh:
            assert fh.read() == b"inside"


def test_decompression_bomb_stops_at_the_total_bound(tmp_path: Path) -> None:
    zeros = File("zeros", b"\0" * (8 * 1024 * 1024))
    image = Image([[zeros], [File("more", b"\0" * (8 * 1024 * 1024))]])
    write_docker_archive(tmp_path / "bomb.tar", {"t:1": image}, style="oci")
    assert (tmp_path / "bomb.tar").stat().st_size < 200_000
    with pytest.raises(LimitExceeded, match="uncompressed bytes"):
        open_docker_archive(str(tmp_path / "bomb.tar"), limits=Limits(max_total_bytes=10_000_000))


def million_entry_layer(path: Path, count: int) -> None:
    """A gzipped layer of ``count`` empty files: 100 distinct headers repeated (cheap to build)."""
    block = b"".join(tarfile.TarInfo(f"d/f{i}").tobuf(tarfile.USTAR_FORMAT) for i in range(100))
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(count // 100):
            out.write(block)
        out.write(b"\0" * 1024)


def test_huge_entry_counts_stop_at_the_bound_quickly(tmp_path: Path) -> None:
    million_entry_layer(tmp_path / "layer.tar.gz", 200_000)
    layer = (tmp_path / "layer.tar.gz").read_bytes()
    (tmp_path / "m.json").write_text('{"rootfs": {}}')
    with tarfile.open(tmp_path / "many.tar", "w") as tar:
        tar.add(tmp_path / "layer.tar.gz", "layer.tar")
        tar.add(tmp_path / "m.json", "m.json")
        manifest = tmp_path / "manifest.json"
        manifest.write_text('[{"Config": "m.json", "Layers": ["layer.tar"]}]')
        tar.add(manifest, "manifest.json")
    assert len(layer) < 5_000_000
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="more than 1000 entries"):
        open_docker_archive(str(tmp_path / "many.tar"), limits=Limits(max_entries=1000))
    assert time.monotonic() - started < 2.0  # bounded work, not the whole 200k


def test_outer_archive_entry_count_is_bounded(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "outer.tar", "w") as tar:
        for i in range(50):
            tar.addfile(tarfile.TarInfo(f"junk{i}"))
    with pytest.raises(LimitExceeded, match="more than 10 entries"):
        open_docker_archive(str(tmp_path / "outer.tar"), limits=Limits(max_entries=10))


def layered(tmp_path: Path, layer_blob: bytes) -> Path:
    """A classic docker archive around one pre-built layer blob, without diff IDs to check."""
    dest = tmp_path / "img.tar"
    write_docker_archive(dest, {"t:1": Image([[File("placeholder", b"")]])})
    with tarfile.open(dest) as tar:
        names = tar.getnames()
    layer_name = next(n for n in names if n.endswith("layer.tar"))
    out = tmp_path / "cut.tar"
    with tarfile.open(dest) as tin, tarfile.open(out, "w") as tout:
        for member in tin:
            fh = tin.extractfile(member)
            data = fh.read() if fh else b""
            if member.name == layer_name:
                data = layer_blob
            elif member.name.endswith(".json") and member.name != "manifest.json":
                data = b'{"os": "linux"}'
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
    return out


def content_layer() -> bytes:
    return tar_bytes([File(f"f{i}", os.urandom(3000)) for i in range(5)])


def test_truncated_gzip_layer_is_a_clear_error(tmp_path: Path) -> None:
    blob = compress(content_layer(), "gzip")
    with pytest.raises(CorruptArchive, match="gzip stream truncated"):
        open_docker_archive(str(layered(tmp_path, blob[: len(blob) // 2])))


@pytest.mark.parametrize("cut", ["at-header", "mid-data", "no-end-marker"])
def test_truncated_tar_layer_is_a_clear_error(tmp_path: Path, cut: str) -> None:
    plain = content_layer()
    # Each member is one 512-byte header plus 3072 bytes of data (3000 rounded up).
    cuts = {"at-header": 2 * 3584, "mid-data": 2 * 3584 + 1000, "no-end-marker": 5 * 3584}
    with pytest.raises(CorruptArchive, match="truncated"):
        open_docker_archive(str(layered(tmp_path, plain[: cuts[cut]])))


def test_truncated_outer_archive_is_a_clear_error(tmp_path: Path) -> None:
    image = Image([[File("a", os.urandom(50_000))]])
    full = write_docker_archive(tmp_path / "full.tar", {"t:1": image}).read_bytes()
    with tarfile.open(tmp_path / "full.tar") as tar:
        offsets = [m.offset_data + 10 for m in tar.getmembers() if m.size > 0]
    for size in offsets:
        (tmp_path / "cut.tar").write_bytes(full[:size])
        with pytest.raises(CorruptArchive):
            open_docker_archive(str(tmp_path / "cut.tar"))


def test_garbage_instead_of_a_layer(tmp_path: Path) -> None:
    with pytest.raises(CorruptArchive):
        open_docker_archive(str(layered(tmp_path, b"\x1f\x8b" + os.urandom(4000))))
    with pytest.raises(CorruptArchive):
        open_docker_archive(str(layered(tmp_path, os.urandom(4000))))


def test_deep_nesting_does_not_exhaust_recursion(tmp_path: Path) -> None:
    deep = "/".join(["d"] * 1500)
    layers = [[File(f"{deep}/lower", b"l")], [Opaque("d")], [File(f"{deep}/upper", b"u")]]
    single_image(tmp_path / "img", layers)
    with open_oci(str(tmp_path / "img")) as fs:
        assert list(fs.paths()) == [f"{deep}/upper"]
        with fs.open(f"{deep}/upper") as fh:
            assert fh.read() == b"u"


def test_layout_directories_cannot_point_outside_themselves(tmp_path: Path) -> None:
    image = Image([[File("a", b"a")]])
    layout = write_oci(tmp_path / "layout", {"latest": [image]})
    blob = layout / "blobs/sha256" / image.layer_digests[0].split(":")[1]
    blob.unlink()
    blob.symlink_to("/etc/hostname")  # a host file, reached through the layout
    with pytest.raises(MalformedTarget, match="blob missing"):
        open_oci(str(layout))
    other = Image([[File("a", b"a")]])
    archive = write_docker_archive(tmp_path / "docker", {"t:1": other}, as_tar=False)
    manifest = json.loads((archive / "manifest.json").read_text())
    manifest[0]["Layers"] = ["../layout/oci-layout"]
    (archive / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(MalformedTarget, match="missing from the archive"):
        open_docker_archive(str(archive))
