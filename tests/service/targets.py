"""Targets for scan tests, built from the real files under ``data/rootfs`` (see data/README.md).

The same root file system is written as a directory, a ``docker save`` archive, an OCI layout and
a function package, so every kind of target must give the same packages.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from tests.targets.fixtures.images import Image, write_docker_archive, write_oci
from tests.targets.fixtures.layers import Dir, Entry, File, Symlink

ROOTFS = Path(__file__).parent / "data" / "rootfs"
SITE_PACKAGES = "usr/local/lib/python3.11/site-packages"
DEBIAN = [
    ("base-files", "12.4+deb12u11"),
    ("libc6", "2.36-9+deb12u14"),
    ("libzstd1", "1.5.4+dfsg2-5"),
    ("tzdata", "2025b-0+deb12u2"),
    ("zlib1g", "1:1.2.13.dfsg-1"),
]
PYPI = [("click", "8.5.1"), ("h11", "0.16.0")]


def rootfs_entries() -> list[Entry]:
    """The root file system as layer entries, with Debian's ``etc/os-release`` symlink."""
    entries: list[Entry] = [Dir("etc"), Symlink("etc/os-release", "../usr/lib/os-release")]
    for path in sorted(ROOTFS.rglob("*")):
        rel = path.relative_to(ROOTFS).as_posix()
        entries.append(Dir(rel) if path.is_dir() else File(rel, path.read_bytes()))
    return entries


def directory(dest: Path) -> Path:
    shutil.copytree(ROOTFS, dest)
    (dest / "etc").mkdir()
    (dest / "etc/os-release").symlink_to("../usr/lib/os-release")
    return dest


def docker_archive(dest: Path, *extra: list[Entry], tag: str = "vigil/test:1") -> Path:
    return write_docker_archive(dest, {tag: Image([rootfs_entries(), *extra])})


def oci_layout(dest: Path, *extra: list[Entry], tag: str = "1") -> Path:
    return write_oci(dest, {tag: [Image([rootfs_entries(), *extra])]})


def function_package(directory: Path) -> tuple[Path, Path]:
    """A function zip holding click and a layer zip holding h11 under ``python/`` (Lambda's
    layout for Python layers)."""
    function, layer = directory / "function.zip", directory / "layer.zip"
    with zipfile.ZipFile(function, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("handler.py", b"import click\n")
        _add_dist_info(zf, "click-8.5.1.dist-info", "")
    with zipfile.ZipFile(layer, "w", zipfile.ZIP_DEFLATED) as zf:
        _add_dist_info(zf, "h11-0.16.0.dist-info", "python/")
    return function, layer


def _add_dist_info(zf: zipfile.ZipFile, name: str, prefix: str) -> None:
    for path in sorted((ROOTFS / SITE_PACKAGES / name).iterdir()):
        zf.writestr(f"{prefix}{name}/{path.name}", path.read_bytes())
