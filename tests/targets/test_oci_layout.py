"""OCI image layouts: tags, platforms, nested indexes, compressions, and what they must refuse."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, write_oci
from tests.targets.fixtures.layers import File, Whiteout, rootfs_entries, rootfs_file, zstd
from vigil.targets import (
    CorruptArchive,
    ImageNotFound,
    MalformedTarget,
    Platform,
    UnsupportedTarget,
    open_oci,
)
from vigil.targets.decoders import zstd_reader

STATUS = "var/lib/dpkg/status"


def read(
    path: str, *, tag: str | None = None, platform: str = "linux/amd64", name: str = STATUS
) -> bytes:
    chosen = Platform.parse(platform)
    with (
        open_oci(path, tag, lambda p, m, s: p == STATUS, platform=chosen) as fs,
        fs.open(name) as fh,
    ):
        return fh.read()


@pytest.mark.parametrize("as_tar", [False, True])
@pytest.mark.parametrize("compression", ["gzip", "none", "zstd"])
def test_layout_as_directory_or_tar(tmp_path: Path, as_tar: bool, compression: str) -> None:
    if compression == "zstd" and zstd is None:
        pytest.skip("no zstd module (backports.zstd) installed")
    image = Image([rootfs_entries(), [Whiteout("usr/lib/python3"), File("app", b"a")]], compression)
    dest = write_oci(tmp_path / "layout", {"latest": [image]}, as_tar=as_tar)
    with open_oci(str(dest), "latest", lambda p, m, s: p.endswith("status")) as fs:
        assert sorted(fs.paths()) == ["app", "usr/lib/os-release", STATUS]
        with fs.open(STATUS) as fh:
            assert fh.read() == rootfs_file(STATUS)
        # OCI layers are named by the digest of the blob as stored (compressed).
        assert fs.layer_digest(STATUS) == image.layer_digests[0]
        assert fs.layer_digest("app") == image.layer_digests[1]


def tagged(tmp_path: Path) -> Path:
    images = {
        "1.0": [Image([[File(STATUS, b"one")]])],
        "2.0": [Image([[File(STATUS, b"two")]])],
    }
    return write_oci(tmp_path / "tags", images)


def test_image_chosen_by_ref_name(tmp_path: Path) -> None:
    layout = str(tagged(tmp_path))
    assert read(layout, tag="2.0") == b"two"
    assert read(layout, tag="1.0") == b"one"
    with pytest.raises(ImageNotFound, match=r"holds 2 images; name one: 1\.0, 2\.0"):
        read(layout)
    with pytest.raises(ImageNotFound, match=r"no image tagged '3\.0'; tags: 1\.0, 2\.0"):
        read(layout, tag="3.0")


def multiarch(tmp_path: Path) -> Path:
    variants = [
        Image([[File(STATUS, b"amd64")]], platform=("linux", "amd64")),
        Image([[File(STATUS, b"arm64")]], platform=("linux", "arm64")),
    ]
    return write_oci(tmp_path / "multi", {"latest": variants})


def test_multi_platform_index_resolves_to_the_platform(tmp_path: Path) -> None:
    layout = str(multiarch(tmp_path))
    assert read(layout) == b"amd64"
    assert read(layout, tag="latest", platform="linux/arm64") == b"arm64"
    assert read(layout, platform="linux/aarch64") == b"arm64"
    with pytest.raises(ImageNotFound, match="no image for linux/s390x; offered: linux/amd64"):
        read(layout, platform="linux/s390x")


def test_top_level_index_of_platforms(tmp_path: Path) -> None:
    layout = multiarch(tmp_path)
    index = json.loads((layout / "index.json").read_text())
    inner = (layout / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text()
    (layout / "index.json").write_text(inner)  # the platform manifests listed directly
    assert read(str(layout), platform="linux/arm64") == b"arm64"


def edit_index(layout: Path, edit) -> None:  # type: ignore[no-untyped-def]
    index = json.loads((layout / "index.json").read_text())
    edit(index)
    (layout / "index.json").write_text(json.dumps(index))


@pytest.mark.parametrize(
    ("index", "error", "message"),
    [
        ("{", MalformedTarget, "invalid JSON"),
        ("[]", MalformedTarget, "no manifests list"),
        ('{"manifests": [7]}', MalformedTarget, "not an object"),
        ('{"manifests": []}', ImageNotFound, "holds 0 images"),
        (
            '{"manifests": [{"digest": "sha256:../../../../etc/passwd", "size": 1}]}',
            MalformedTarget,
            "invalid digest",
        ),
        (
            '{"manifests": [{"digest": "sha256:' + "a" * 64 + '", "size": -1}]}',
            MalformedTarget,
            "size",
        ),
        (
            '{"manifests": [{"digest": "sha256:' + "a" * 64 + '", "size": 2}]}',
            MalformedTarget,
            "missing",
        ),
    ],
)
def test_corrupt_index_json(
    tmp_path: Path, index: str, error: type[Exception], message: str
) -> None:
    layout = tagged(tmp_path)
    (layout / "index.json").write_text(index)
    with pytest.raises(error, match=message):
        open_oci(str(layout), None)


def test_manifest_or_layer_that_fails_its_digest(tmp_path: Path) -> None:
    image = Image([[File("a", b"a")]])
    layout = write_oci(tmp_path / "l", {"latest": [image]})
    blob = layout / "blobs/sha256" / image.layer_digests[0].split(":")[1]
    blob.write_bytes(blob.read_bytes() + b"\0" * 512)
    with pytest.raises(CorruptArchive, match="bytes, expected"):
        open_oci(str(layout))
    manifest_digest = json.loads((layout / "index.json").read_text())["manifests"][0]["digest"]
    manifest = layout / "blobs/sha256" / manifest_digest.split(":")[1]
    manifest.write_bytes(manifest.read_bytes().replace(b"schemaVersion", b"schemaVersioN"))
    with pytest.raises(CorruptArchive, match="does not match its descriptor"):
        open_oci(str(layout))


def test_missing_oci_layout_file_and_artifacts(tmp_path: Path) -> None:
    layout = tagged(tmp_path)
    (layout / "oci-layout").write_text('{"nothing": 1}')
    with pytest.raises(MalformedTarget, match="imageLayoutVersion"):
        open_oci(str(layout), "1.0")
    image = Image([[File("a", b"a")]])
    other = write_oci(tmp_path / "art", {"latest": [image]})
    digest = json.loads((other / "index.json").read_text())["manifests"][0]["digest"]
    path = other / "blobs/sha256" / digest.split(":")[1]
    doc = json.loads(path.read_text())
    doc["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json"
    data = json.dumps(doc).encode()
    new = hashlib.sha256(data).hexdigest()
    (other / "blobs/sha256" / new).write_bytes(data)
    edit_index(other, lambda i: i["manifests"][0].update(digest=f"sha256:{new}", size=len(data)))
    with pytest.raises(MalformedTarget, match="artifact"):
        open_oci(str(other))


def test_zstd_without_a_module_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Hide every zstd module the way an interpreter without them would behave.
    for name in ("compression.zstd", "compression", "backports.zstd", "zstandard"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(UnsupportedTarget, match="no zstd module is available"):
        zstd_reader("layer sha256:x")
