"""``scan_inventory`` over every kind of target, built from real Debian and PyPI files."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from tests.catalog.languages.fixtures.binaries import binary
from tests.service.targets import (
    DEBIAN,
    PYPI,
    SITE_PACKAGES,
    directory,
    docker_archive,
    function_package,
    oci_layout,
)
from tests.targets.fixtures.layers import File, RawName
from vigil.domain import Ecosystem, Inventory
from vigil.service.inventory import (
    INCOMPLETE,
    ImageNotFound,
    Limits,
    TargetNotFound,
    scan_inventory,
)


def _found(inventory: Inventory) -> list[tuple[str, str, str]]:
    return [(str(p.ecosystem), p.name, p.version) for p in inventory.packages]


EXPECTED = [("Debian:12", n, v) for n, v in DEBIAN] + [("PyPI", n, v) for n, v in PYPI]


def test_directory(tmp_path: Path) -> None:
    spec = f"dir:{directory(tmp_path / 'root')}"

    inventory = scan_inventory(spec)

    assert inventory.target == spec
    assert inventory.distro == Ecosystem("Debian", "12")
    assert _found(inventory) == EXPECTED
    assert inventory.warnings == ()
    click = next(p for p in inventory.packages if p.name == "click")
    assert click.purl == "pkg:pypi/click@8.5.1"
    assert [loc.path for loc in click.locations] == [
        f"{SITE_PACKAGES}/click-8.5.1.dist-info/METADATA"
    ]


def test_docker_archive_and_oci_layout_give_the_same_packages(tmp_path: Path) -> None:
    archive = docker_archive(tmp_path / "image.tar")
    layout = oci_layout(tmp_path / "layout", tag="v1")

    from_archive = scan_inventory(f"docker-archive:{archive}")
    from_layout = scan_inventory(f"oci:{layout}:v1")
    detected = scan_inventory(str(archive))

    assert _found(from_archive) == _found(from_layout) == _found(detected) == EXPECTED
    assert from_archive.distro == from_layout.distro == Ecosystem("Debian", "12")
    digests = {loc.layer_digest for p in from_layout.packages for loc in p.locations}
    assert len(digests) == 1
    assert next(iter(digests), "").startswith("sha256:")


def test_function_package_with_a_layer(tmp_path: Path) -> None:
    function, layer = function_package(tmp_path)

    inventory = scan_inventory(f"zip:{function},{layer}")

    assert inventory.distro is None
    assert _found(inventory) == [("PyPI", n, v) for n, v in PYPI]
    paths = {p.name: p.locations[0].path for p in inventory.packages}
    assert paths == {
        "click": "var/task/click-8.5.1.dist-info/METADATA",
        "h11": "opt/python/h11-0.16.0.dist-info/METADATA",
    }


def test_what_the_opener_skipped_is_in_the_inventory(tmp_path: Path) -> None:
    hostile = [RawName("../../etc/evil", b"x"), File("opt/notes.txt", b"kept")]
    archive = docker_archive(tmp_path / "image.tar", hostile)

    inventory = scan_inventory(f"docker-archive:{archive}")

    assert _found(inventory) == EXPECTED
    assert [(w.path, w.reason) for w in inventory.warnings] == [
        ("../../etc/evil", f"layer {_layer_name(archive, 1)}: member name leaves the root; skipped")
    ]


def _layer_name(archive: Path, index: int) -> str:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return str(json.load(member)[0]["Layers"][index])


def test_a_walk_cut_short_says_the_inventory_is_incomplete(tmp_path: Path) -> None:
    root = directory(tmp_path / "root")

    inventory = scan_inventory(f"dir:{root}", limits=Limits(max_entries=5))

    assert (".", INCOMPLETE) in [(w.path, w.reason) for w in inventory.warnings]
    assert any(w.reason == "walk stopped after 5 entries" for w in inventory.warnings)


class Recorded:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []

    def opening(self, spec: str) -> None:
        self.events.append(("opening", spec))

    def cataloging(self, done: int, total: int) -> None:
        self.events.append(("cataloging", str(done), str(total)))


def test_progress_is_reported(tmp_path: Path) -> None:
    spec = f"dir:{directory(tmp_path / 'root')}"
    progress = Recorded()

    scan_inventory(spec, progress=progress)

    assert progress.events == [
        ("opening", spec),
        ("cataloging", "0", "6"),  # the six regular files; the os-release link is not one
        ("cataloging", "6", "6"),
    ]


def test_missing_targets_and_images(tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound):
        scan_inventory(str(tmp_path / "absent"))
    with pytest.raises(TargetNotFound):
        scan_inventory(f"dir:{tmp_path / 'absent'}")
    layout = oci_layout(tmp_path / "layout", tag="v1")
    with pytest.raises(ImageNotFound, match="no image tagged 'v2'"):
        scan_inventory(f"oci:{layout}:v2")


def test_go_binary_in_an_image_is_found_by_its_execute_bit(tmp_path: Path) -> None:
    found = binary("esbuild-0.17.19-linux-x64")
    if found is None:
        pytest.skip("esbuild could not be fetched with npm (npm absent or registry unreachable)")
    data = found.read_bytes()
    layer = [
        File("usr/local/bin/esbuild", data, 0o755),
        File("opt/esbuild.bak", data, 0o644),  # not executable: not looked at, not kept
    ]
    layout = oci_layout(tmp_path / "layout", layer)

    inventory = scan_inventory(f"oci:{layout}")

    go = [
        (p.name, p.version, p.locations[0].path)
        for p in inventory.packages
        if p.ecosystem.name == "Go"
    ]
    assert go == [
        ("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8", "usr/local/bin/esbuild"),
        ("stdlib", "1.20.4", "usr/local/bin/esbuild"),
    ]
