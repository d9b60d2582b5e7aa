"""TARGET strings: explicit kinds, auto-detection, and clear errors for everything else."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.targets.fixtures.images import Image, write_docker_archive, write_oci
from tests.targets.fixtures.layers import File
from vigil.targets import (
    DirectoryFS,
    FunctionZipFS,
    ImageFS,
    ImageNotFound,
    TargetError,
    TargetNotFound,
    UnknownTargetKind,
    open_target,
)


def image(content: bytes) -> Image:
    return Image([[File("which", content)]])


@pytest.fixture
def targets(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir/which").write_bytes(b"dir")
    fn = tmp_path / "fn.zip"
    with zipfile.ZipFile(fn, "w") as zf:
        zf.writestr("which", b"zip")
    layer = tmp_path / "layer.zip"
    with zipfile.ZipFile(layer, "w") as zf:
        zf.writestr("python/which", b"layer")
    return {
        "dir": tmp_path / "dir",
        "zip": fn,
        "layer": layer,
        "docker": write_docker_archive(tmp_path / "d.tar", {"v:1": image(b"docker")}),
        "docker-oci": write_docker_archive(
            tmp_path / "do.tar", {"v:1": image(b"docker-oci")}, style="oci"
        ),
        "docker-dir": write_docker_archive(tmp_path / "dd", {"v:1": image(b"dd")}, as_tar=False),
        "oci": write_oci(tmp_path / "oci", {"1": [image(b"oci")]}),
        "oci-tar": write_oci(tmp_path / "oci.tar", {"1": [image(b"ocitar")]}, as_tar=True),
        "colon": write_oci(tmp_path / "with:colon", {"a": [image(b"a")], "b": [image(b"b")]}),
    }


def which(spec: str) -> tuple[str, bytes]:
    with open_target(spec) as fs:
        path = next(p for p in fs.paths() if p.endswith("which"))
        with fs.open(path) as fh:
            return type(fs).__name__, fh.read()


def test_explicit_kinds(targets: dict[str, Path]) -> None:
    assert which(f"dir:{targets['dir']}") == ("DirectoryFS", b"dir")
    assert which(f"docker-archive:{targets['docker']}") == ("ImageFS", b"docker")
    assert which(f"docker-archive:{targets['docker']}:v:1") == ("ImageFS", b"docker")
    assert which(f"oci:{targets['oci']}") == ("ImageFS", b"oci")
    assert which(f"oci:{targets['oci']}:1") == ("ImageFS", b"oci")
    assert which(f"oci:{targets['oci-tar']}:1") == ("ImageFS", b"ocitar")
    assert which(f"oci:{targets['colon']}:b") == ("ImageFS", b"b")
    assert which(f"zip:{targets['zip']}") == ("FunctionZipFS", b"zip")
    with open_target(f"zip:{targets['zip']},{targets['layer']}") as fs:
        assert sorted(fs.paths()) == ["opt/python/which", "var/task/which"]


def test_bare_paths_are_detected(targets: dict[str, Path]) -> None:
    expected = {
        "dir": (DirectoryFS, b"dir"),
        "zip": (FunctionZipFS, b"zip"),
        "docker": (ImageFS, b"docker"),
        "docker-oci": (ImageFS, b"docker-oci"),
        "docker-dir": (ImageFS, b"dd"),
        "oci": (ImageFS, b"oci"),
        "oci-tar": (ImageFS, b"ocitar"),
    }
    for name, (kind, content) in expected.items():
        assert which(str(targets[name])) == (kind.__name__, content), name


def test_clear_errors(tmp_path: Path, targets: dict[str, Path]) -> None:
    with pytest.raises(TargetNotFound):
        open_target(str(tmp_path / "missing"))
    with pytest.raises(TargetNotFound):
        open_target(f"oci:{tmp_path / 'missing'}:tag")
    with pytest.raises(TargetNotFound):
        open_target(f"zip:{targets['zip']},{tmp_path / 'nolayer.zip'}")
    with pytest.raises(ImageNotFound):
        open_target(f"oci:{targets['colon']}")
    (tmp_path / "text").write_text("hello, not an archive")
    with pytest.raises(TargetError):
        open_target(str(tmp_path / "text"))
    plain_tar = tmp_path / "plain.tar"
    with tarfile.open(plain_tar, "w") as tar:
        tar.add(targets["dir"] / "which", "which")
    with pytest.raises(UnknownTargetKind, match="neither a docker archive nor an OCI layout"):
        open_target(str(plain_tar))
