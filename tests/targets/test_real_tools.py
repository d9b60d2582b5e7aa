"""Cross-checks against Debian's image tools: skopeo writes OCI layouts, umoci squashes layers.

Both are Debian packages (``apt-get install skopeo umoci``); each test is skipped, saying so,
when its tool is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, write_docker_archive, write_oci
from tests.targets.fixtures.layers import (
    Dir,
    File,
    Hardlink,
    Opaque,
    Symlink,
    Whiteout,
    rootfs_entries,
)
from vigil.targets import ImageFS, open_docker_archive, open_oci

SKOPEO = shutil.which("skopeo")
UMOCI = shutil.which("umoci")

LAYERS = [
    rootfs_entries(),
    [
        Whiteout("var/lib/dpkg/status"),
        File("var/lib/dpkg/status-new", b"Package: x\n"),
        Dir("opt/app"),
        File("opt/app/old", b"old"),
        File("opt/app/keep", b"keep"),
        Hardlink("opt/app/keep-link", "opt/app/keep"),
    ],
    [
        Opaque("opt/app"),
        File("opt/app/new", b"new"),
        Symlink("opt/latest", "app/new"),
        Whiteout("usr/lib/python3/dist-packages/blinker-1.5.dist-info/RECORD"),
    ],
]


def manifest_layers(layout: Path) -> list[str]:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs/sha256" / digest).read_text())
    return [layer["digest"] for layer in manifest["layers"]]


def contents(fs: ImageFS) -> dict[str, bytes]:
    out = {}
    for path in fs.paths():
        with fs.open(path) as fh:
            out[path] = fh.read()
    return out


@pytest.mark.skipif(SKOPEO is None, reason="skopeo is not installed (apt-get install skopeo)")
@pytest.mark.parametrize(
    "compression", [[], ["--dest-compress"], ["--dest-compress", "--dest-compress-format", "zstd"]]
)
def test_oci_layout_written_by_skopeo(tmp_path: Path, compression: list[str]) -> None:
    archive = write_docker_archive(tmp_path / "a.tar", {"vigil/test:1": Image(LAYERS, "none")})
    layout = tmp_path / "layout"
    subprocess.run(
        [
            SKOPEO,
            "--insecure-policy",
            "copy",
            "-q",
            *compression,
            f"docker-archive:{archive}",
            f"oci:{layout}:v1",
        ],
        check=True,
        timeout=60,
    )
    with open_docker_archive(str(archive)) as ours, open_oci(str(layout), "v1") as theirs:
        assert contents(theirs) == contents(ours)
        assert theirs.digests == manifest_layers(layout)


@pytest.mark.skipif(UMOCI is None, reason="umoci is not installed (apt-get install umoci)")
def test_squash_matches_umoci_unpack(tmp_path: Path) -> None:
    layout = write_oci(tmp_path / "layout", {"v1": [Image(LAYERS)]})
    bundle = tmp_path / "bundle"
    subprocess.run(
        [UMOCI, "unpack", "--rootless", "--image", f"{layout}:v1", str(bundle)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    rootfs = bundle / "rootfs"
    expected = {}
    for dirpath, _, names in os.walk(rootfs):
        for name in names:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                expected[path.relative_to(rootfs).as_posix()] = path.read_bytes()
    with open_oci(str(layout), "v1") as fs:
        assert contents(fs) == expected
        with fs.open("opt/latest") as fh:
            assert fh.read() == (rootfs / "opt/latest").read_bytes()
    assert "opt/app/new" in expected
    assert "opt/app/keep" not in expected
