"""What the fixture should contain, according to sources other than Vigil: dpkg itself, the
committed pip requirements and npm lock file, and the image's own manifests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from scripts.fixtures import debian12 as builder

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class DpkgRow:
    """One installed package as ``dpkg-query`` reports it."""

    version: str
    source: str
    source_version: str
    arch: str
    built_using: str


def dpkg_rows(root: Path) -> dict[str, DpkgRow]:
    """The installed packages of ``root`` according to ``dpkg-query``."""
    query = shutil.which("dpkg-query")
    if query is None:
        pytest.skip("dpkg-query is not installed (apt-get install dpkg)")
    fields = "${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}"
    listing = subprocess.run(
        [query, f"--admindir={root / 'var/lib/dpkg'}", "-W",
         f"-f={fields}\t${{Built-Using}}\t${{db:Status-Abbrev}}\n"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    rows = {}
    for line in listing.splitlines():
        name, version, source, source_version, arch, built_using, status = line.split("\t")
        if status.strip() == "ii":
            rows[name] = DpkgRow(version, source, source_version, arch, built_using)
    return rows


def upstream(debian_version: str) -> str:
    """The upstream part of a Debian version: no epoch, no Debian revision."""
    return debian_version.split(":", 1)[-1].rsplit("-", 1)[0]


def pinned_pypi() -> set[tuple[str, str]]:
    """(PEP 503 name, version) of every release the builder pins for pip."""
    pins = set()
    for line in (builder.HERE / "pypi-requirements.txt").read_text().splitlines():
        requirement = line.partition("#")[0].strip()
        if requirement:
            name, _, version = requirement.partition("==")
            pins.add((canonicalize_name(name), version))
    return pins


def npm_lock(project: str) -> set[tuple[str, str]]:
    """(name, version) of every package a committed npm lock file (v3) installs; ``project`` is
    the builder's folder holding it (``npm`` or ``npm-tools``)."""
    lock = json.loads((builder.HERE / project / "package-lock.json").read_text())
    found = set()
    for where, entry in lock["packages"].items():
        if where:
            found.add((entry.get("name") or where.rpartition("node_modules/")[2], entry["version"]))
    return found


def go_version_m() -> dict[str, set[tuple[str, str]]]:
    """Per binary path, the modules ``go version -m`` listed (``data/go-version-m.txt``): the
    toolchain as ``stdlib``, the main module unless it is ``(devel)``, and every dependency,
    with versions written as the Go vulnerability database writes them (no ``v``/``go``)."""
    found: dict[str, set[tuple[str, str]]] = {}
    modules: set[tuple[str, str]] = set()
    for line in (DATA / "go-version-m.txt").read_text().splitlines():
        if not line.startswith("\t"):
            path, _, toolchain = line.partition(": ")
            modules = found.setdefault(path, {("stdlib", toolchain.removeprefix("go"))})
            continue
        kind, *fields = line.strip("\t").split("\t")
        if kind in ("mod", "dep") and fields[1] != "(devel)":
            modules.add((fields[0], fields[1].removeprefix("v")))
    return found


def image_layers(fixture: builder.Debian12, kind: str) -> list[str]:
    """The image's layer digests, base first, as the image itself records them.

    A docker archive's layers are uncompressed and named by their diff IDs; an OCI layout, and
    the registry it is pushed to, name the compressed blobs.
    """
    if kind == "docker-archive":
        with tarfile.open(fixture.archive) as tar:
            manifest = _json_member(tar, "manifest.json")
            config = _json_member(tar, manifest[0]["Config"])
        return list(config["rootfs"]["diff_ids"])
    blobs = fixture.oci / "blobs" / "sha256"
    index = json.loads((fixture.oci / "index.json").read_text())
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    return [layer["digest"] for layer in manifest["layers"]]


def layer_names(fixture: builder.Debian12, index: int) -> list[str]:
    """The entry names of the image's ``index``-th layer (from the docker archive)."""
    with tarfile.open(fixture.archive) as tar:
        manifest = _json_member(tar, "manifest.json")
        layer = tar.extractfile(manifest[0]["Layers"][index])
        assert layer is not None
        with tarfile.open(fileobj=layer, mode="r:") as inner:  # seeks past file contents
            return [member.name for member in inner]


def _json_member(tar: tarfile.TarFile, name: str) -> Any:
    handle = tar.extractfile(name)
    assert handle is not None
    return json.load(handle)
