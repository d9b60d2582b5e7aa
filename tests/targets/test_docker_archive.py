"""``docker save`` archives in both layouts, with plain or compressed layers."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, write_docker_archive
from tests.targets.fixtures.layers import File, Opaque, Whiteout, rootfs_entries, rootfs_file
from vigil.targets import CorruptArchive, ImageNotFound, MalformedTarget, open_docker_archive

DIST_INFO = "usr/lib/python3/dist-packages/blinker-1.5.dist-info"


def two_layers(compression: str = "none") -> Image:
    upper = [Whiteout(f"{DIST_INFO}/RECORD"), Opaque("var/lib/dpkg"), File("var/lib/dpkg/x", b"x")]
    return Image([rootfs_entries(), upper], compression=compression)


@pytest.mark.parametrize(
    ("style", "compression", "as_tar"),
    [
        ("classic", "none", True),
        ("classic", "gzip", True),
        ("oci", "none", True),
        ("oci", "gzip", True),
        ("classic", "none", False),
    ],
)
def test_layouts_and_compressions(
    tmp_path: Path, style: str, compression: str, as_tar: bool
) -> None:
    image = two_layers(compression)
    dest = tmp_path / ("a.tar" if as_tar else "a")
    write_docker_archive(dest, {"vigil/test:1": image}, style=style, as_tar=as_tar)
    with open_docker_archive(str(dest), wanted=lambda p, m, s: p.endswith("METADATA")) as fs:
        assert sorted(fs.paths()) == [
            "usr/lib/os-release",
            f"{DIST_INFO}/METADATA",
            f"{DIST_INFO}/WHEEL",
            f"{DIST_INFO}/top_level.txt",
            "var/lib/dpkg/x",
        ]
        with fs.open(f"{DIST_INFO}/METADATA") as fh:
            assert fh.read() == rootfs_file(f"{DIST_INFO}/METADATA")
        with fs.open("etc/os-release") as fh:
            assert fh.read() == rootfs_file("usr/lib/os-release")
        # Docker identifies layers by diff ID, the digest of the uncompressed tar.
        assert fs.layer_digest("usr/lib/os-release") == image.diff_ids[0]
        assert fs.layer_digest("var/lib/dpkg/x") == image.diff_ids[1]
        assert fs.warnings == []


def test_image_chosen_by_tag(tmp_path: Path) -> None:
    images = {
        "vigil/a:1": Image([[File("which", b"a")]]),
        "vigil/b:2": Image([[File("which", b"b")]]),
    }
    dest = write_docker_archive(tmp_path / "two.tar", images)
    for tag, expected in (("vigil/b:2", b"b"), ("2", b"b"), ("vigil/a:1", b"a")):
        with open_docker_archive(str(dest), tag) as fs, fs.open("which") as fh:
            assert fh.read() == expected
    with pytest.raises(ImageNotFound, match=r"holds 2 images; name one: vigil/a:1, vigil/b:2"):
        open_docker_archive(str(dest))
    with pytest.raises(ImageNotFound, match="no image tagged 'nope'"):
        open_docker_archive(str(dest), "nope")


def manifest_of(archive: Path) -> list[dict[str, object]]:
    with tarfile.open(archive) as tar:
        fh = tar.extractfile("manifest.json")
        assert fh is not None
        return json.loads(fh.read())  # type: ignore[no-any-return]


def rewrite(src: Path, dest: Path, name: str, data: bytes | None) -> Path:
    """Copy a tar, replacing (or with None, dropping) one member."""
    with tarfile.open(src) as tin, tarfile.open(dest, "w") as tout:
        for member in tin:
            if member.name != name:
                tout.addfile(member, tin.extractfile(member))
            elif data is not None:
                member.size = len(data)
                tout.addfile(member, io.BytesIO(data))
    return dest


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"{}", "non-empty list"),
        (b"[]", "non-empty list"),
        (b'[{"Config": 3, "Layers": []}]', "lacks Config or Layers"),
        (b'[{"Config": "c.json", "Layers": [1]}]', "lacks Config or Layers"),
        (b'[{"Config": "c.json", "Layers": []}]', "c.json: missing"),
        (b'[{"Config": "../../etc/passwd", "Layers": []}]', "missing"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    ],
)
def test_corrupt_manifest_json(tmp_path: Path, manifest: bytes, message: str) -> None:
    good = write_docker_archive(tmp_path / "good.tar", {"t:1": Image([[File("a", b"a")]])})
    bad = rewrite(good, tmp_path / "bad.tar", "manifest.json", manifest)
    with pytest.raises(MalformedTarget, match=message):
        open_docker_archive(str(bad))


def test_missing_layer_and_wrong_diff_ids(tmp_path: Path) -> None:
    image = Image([[File("a", b"a")]])
    good = write_docker_archive(tmp_path / "good.tar", {"t:1": image})
    entry = manifest_of(good)[0]
    layer, config = entry["Layers"][0], str(entry["Config"])  # type: ignore[index]
    with pytest.raises(MalformedTarget, match="missing from the archive"):
        open_docker_archive(str(rewrite(good, tmp_path / "nolayer.tar", layer, None)))
    wrong = {"rootfs": {"diff_ids": ["sha256:" + "0" * 64]}}
    bad = rewrite(good, tmp_path / "wrong.tar", config, json.dumps(wrong).encode())
    with pytest.raises(CorruptArchive, match="does not match"):
        open_docker_archive(str(bad))
    two = {"rootfs": {"diff_ids": ["sha256:" + "0" * 64] * 2}}
    bad = rewrite(good, tmp_path / "two.tar", config, json.dumps(two).encode())
    with pytest.raises(MalformedTarget, match="does not list 1 layer"):
        open_docker_archive(str(bad))


def test_archive_without_diff_ids_reports_computed_digests(tmp_path: Path) -> None:
    image = Image([[File("a", b"a")]])
    good = write_docker_archive(tmp_path / "good.tar", {"t:1": image})
    config = str(manifest_of(good)[0]["Config"])
    bare = rewrite(good, tmp_path / "bare.tar", config, b'{"os": "linux"}')
    with open_docker_archive(str(bare)) as fs:
        assert fs.layer_digest("a") == image.diff_ids[0]


def test_gzipped_docker_save_output(tmp_path: Path) -> None:
    """``docker save IMAGE | gzip``: the outer archive itself compressed."""
    image = two_layers("gzip")
    plain = write_docker_archive(tmp_path / "a.tar", {"vigil/test:1": image})
    packed = tmp_path / "a.tar.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=1))
    with open_docker_archive(str(packed)) as fs, fs.open("var/lib/dpkg/x") as fh:
        assert fh.read() == b"x"
        assert fs.layer_digest("var/lib/dpkg/x") == image.diff_ids[1]
