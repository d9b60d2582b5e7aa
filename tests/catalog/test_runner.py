from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.catalog.dirfs import FIXTURES, DirFS
from vigil.catalog import Environment, ParseResult, TargetFS, read_bounded
from vigil.catalog.cataloger import Cataloger, executables_of
from vigil.catalog.globbing import matches
from vigil.catalog.languages import LANGUAGE_CATALOGERS
from vigil.catalog.languages._executable import NATIVE_EXECUTABLES
from vigil.catalog.registry import DEFAULT_CATALOGERS, OS_CATALOGERS
from vigil.catalog.runner import _Dispatch, catalog, wanted_predicate
from vigil.domain import Ecosystem, Inventory, Location, Package


class MetadataCataloger:
    """A minimal installed-Python cataloger, enough to exercise dispatch and ownership."""

    name = "test-python-metadata"
    version = "7"
    globs = ("**/*.dist-info/METADATA",)

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        self.calls.append(path)
        fields = {}
        for line in read_bounded(fs, path, 1 << 20).decode().splitlines():
            key, _, value = line.partition(": ")
            if not line or line[0].isspace():
                break
            fields.setdefault(key, value)
        name, version = fields["Name"], fields["Version"]
        package = Package(
            name=name,
            version=version,
            ecosystem=Ecosystem("PyPI"),
            purl=f"pkg:pypi/{name.lower()}@{version}",
            cataloger=self.name,
            locations=(Location(path, fs.layer_digest(path)),),
        )
        return ParseResult(packages=[package])


class ExplodingCataloger:
    name = "exploding"
    version = "1"
    globs = ("var/lib/dpkg/status",)

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        raise RuntimeError("boom")


def _catalogers(*extra: Cataloger) -> tuple[Cataloger, ...]:
    return (*OS_CATALOGERS, MetadataCataloger(), *extra)


def test_debian_root_os_packages_and_python_ownership() -> None:
    python = MetadataCataloger()

    inventory = catalog(DirFS(FIXTURES / "debian12"), (*OS_CATALOGERS, python), target="deb")

    assert inventory.target == "deb"
    assert inventory.distro == Ecosystem("Debian", "12")
    assert inventory.warnings == ()
    names = [(str(p.ecosystem), p.name) for p in inventory.packages]
    assert names == [
        ("Debian:12", "adduser"),
        ("Debian:12", "bash"),
        ("Debian:12", "bsdutils"),
        ("Debian:12", "cpp"),
        ("Debian:12", "libc6"),
        ("Debian:12", "libssl3"),
        ("Debian:12", "python3-distro"),
        ("Debian:12", "python3-pip"),
        ("Debian:12", "python3-six"),
        ("Debian:12", "python3-yaml"),
        ("Debian:12", "zlib1g"),
        # PyYAML 6.0 was found too, but python3-yaml owns its METADATA: reported once.
        ("PyPI", "packageurl-python"),
    ]
    assert sorted(python.calls) == [
        "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
        "usr/local/lib/python3.11/dist-packages/packageurl_python-0.17.6.dist-info/METADATA",
    ]
    assert inventory.catalogers == (
        ("dpkg", "1"),
        ("apk", "1"),
        ("rpm", "1"),
        ("test-python-metadata", "7"),
    )


def test_alpine_root_drops_the_py3_yaml_copy() -> None:
    inventory = catalog(DirFS(FIXTURES / "alpine319"), _catalogers(), target="alpine")

    assert inventory.distro == Ecosystem("Alpine", "v3.19")
    assert len(inventory.packages) == 16
    assert {p.ecosystem for p in inventory.packages} == {Ecosystem("Alpine", "v3.19")}
    assert inventory.warnings == ()


def test_distroless_root() -> None:
    inventory = catalog(DirFS(FIXTURES / "distroless-debian12"), _catalogers(), target="dl")

    assert inventory.distro == Ecosystem("Debian", "12")
    assert [p.name for p in inventory.packages] == ["base-files", "libc6", "libssl3"]


def test_a_failing_cataloger_is_a_warning_and_the_scan_goes_on() -> None:
    inventory = catalog(
        DirFS(FIXTURES / "debian12"), (ExplodingCataloger(), *OS_CATALOGERS), target="x"
    )

    assert len(inventory.packages) == 11
    assert [(w.path, w.reason, w.cataloger) for w in inventory.warnings] == [
        ("var/lib/dpkg/status", "cataloger exploding failed: RuntimeError: boom", "exploding")
    ]


class ShuffledFS(DirFS):
    def paths(self) -> Iterator[str]:
        listed = list(super().paths())
        random.Random(len(listed)).shuffle(listed)
        yield from listed
        yield from listed[:5]  # a careless opener listing some paths twice


def test_output_is_deterministic_whatever_the_listing_order() -> None:
    root = FIXTURES / "debian12"

    first = catalog(DirFS(root), _catalogers(), target="t")
    second = catalog(ShuffledFS(root), _catalogers(), target="t")

    assert first == second


def _rpm_root(tmp_path: Path) -> Path:
    (tmp_path / "etc").mkdir()
    shutil.copy(FIXTURES / "os-release/almalinux-9.1", tmp_path / "etc/os-release")
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    shutil.copy(FIXTURES / "rpm/bdb/Packages", tmp_path / "var/lib/rpm/Packages")
    (tmp_path / "usr/lib/sysimage/rpm").mkdir(parents=True)
    shutil.copy(
        FIXTURES / "rpm/sqlite/rpmdb.sqlite", tmp_path / "usr/lib/sysimage/rpm/rpmdb.sqlite"
    )
    dist_info = tmp_path / "usr/lib/python3.9/site-packages/vigil_py-1.2.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: vigil-py\nVersion: 1.2\n")
    return tmp_path


def test_two_copies_of_a_database_give_one_package_with_both_locations(tmp_path: Path) -> None:
    inventory = catalog(DirFS(_rpm_root(tmp_path), "sha256:l1"), _catalogers(), target="rpm")

    assert inventory.distro == Ecosystem("AlmaLinux", "9")
    assert [p.name for p in inventory.packages] == [
        "vigil-big",
        "vigil-hello",
        "vigil-suite",
        "vigil-suite-libs",
    ]  # vigil-py is owned by vigil-suite-libs
    assert {p.locations for p in inventory.packages} == {
        (
            Location("usr/lib/sysimage/rpm/rpmdb.sqlite", "sha256:l1"),
            Location("var/lib/rpm/Packages", "sha256:l1"),
        )
    }


def test_identity_file_over_its_bound_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_bytes(b"ID=debian\n" + b"#" * 70_000)

    inventory = catalog(DirFS(tmp_path), OS_CATALOGERS, target="big")

    assert inventory.distro is None
    assert [w.reason for w in inventory.warnings] == ["larger than 65536 bytes; ignored"]
    assert not inventory.understood


def test_wanted_predicate_is_the_union_of_globs_and_identity_files() -> None:
    def wanted(path: str) -> bool:
        return wanted_predicate(_catalogers())(path, 0o644, 1000)

    assert wanted("var/lib/dpkg/status")
    assert wanted("var/lib/dpkg/status.d/libc6")
    assert wanted("var/lib/dpkg/info/libc6:amd64.list")
    assert wanted("lib/apk/db/installed")
    assert wanted("usr/lib/sysimage/rpm/rpmdb.sqlite")
    assert wanted("etc/os-release")
    assert wanted("etc/debian_version")
    assert wanted("opt/app/lib/foo-1.0.dist-info/METADATA")
    assert not wanted("usr/bin/bash")
    assert not wanted("var/lib/dpkg/info/libc6:amd64.md5sums")
    assert not wanted("x/var/lib/dpkg/status")
    assert not wanted_predicate(())("var/lib/dpkg/status", 0o644, 1000)
    # Without a cataloger of executables, an execute bit changes nothing.
    assert not wanted_predicate(_catalogers())("usr/bin/bash", 0o755, 1_000_000)


def test_wanted_predicate_keeps_executables_for_the_binary_catalogers() -> None:
    wanted = wanted_predicate()  # the default catalogers include go-binary and rust-auditable

    assert wanted("usr/bin/bash", 0o755, 1_000_000)
    assert wanted("opt/app/server", 0o100, 50_000_000)  # any execute bit
    assert not wanted("usr/bin/bash", 0o644, 1_000_000)
    assert not wanted("usr/share/big.iso", 0o644, 1 << 30)
    assert not wanted("usr/bin/stub", 0o755, 100)  # too small to be a binary
    assert not wanted("opt/huge", 0o755, 3 << 30)  # over the bound
    assert wanted("var/lib/dpkg/status", 0o644, 1000)


class CountingFS(DirFS):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.sizes: list[str] = []

    def size(self, path: str) -> int:
        found = super().size(path)  # absent identity files raise: only existing ones count
        self.sizes.append(path)
        return found


class Recorder:
    """A cataloger of native executables that records what it was given."""

    version = "0"
    globs: tuple[str, ...] = ()
    executables = NATIVE_EXECUTABLES

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[str] = []

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        self.calls.append(path)
        return ParseResult()


def _true_binary() -> bytes:
    true = shutil.which("true")
    assert true is not None, "coreutils' true is part of every Debian system"
    return Path(true).read_bytes()


def test_executables_are_dispatched_by_mode_size_and_magic(tmp_path: Path) -> None:
    binary = _true_binary()
    files = {
        "usr/bin/true": (binary, 0o755),
        "usr/bin/true-copy": (binary, 0o644),  # not executable: never looked at
        "usr/bin/script": (b"#!/bin/sh\n" + b"echo hi\n" * 200, 0o755),  # no magic
        "usr/bin/stub": (binary[:100], 0o755),  # ELF magic, too small
        "usr/libexec/helper": (binary, 0o700),
    }
    for rel, (data, mode) in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
        (tmp_path / rel).chmod(mode)
    first, second = Recorder("first"), Recorder("second")
    fs = CountingFS(tmp_path)

    inventory = catalog(fs, (first, second), target="bins")

    assert first.calls == second.calls == ["usr/bin/true", "usr/libexec/helper"]
    # Sizes are asked only of files with an execute bit; each head is read once for both.
    assert sorted(fs.sizes) == [
        "usr/bin/script",
        "usr/bin/stub",
        "usr/bin/true",
        "usr/libexec/helper",
    ]
    assert sorted(fs.opened) == ["usr/bin/script", "usr/bin/true", "usr/libexec/helper"]
    assert inventory.warnings == ()


def test_default_binary_catalogers_read_a_script_once(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_bytes(b"#!/bin/sh\n" + b"exec true\n" * 100)
    (tmp_path / "run.sh").chmod(0o755)
    (tmp_path / "true").write_bytes(_true_binary())
    (tmp_path / "true").chmod(0o755)
    fs = CountingFS(tmp_path)
    binary_catalogers = tuple(c for c in DEFAULT_CATALOGERS if executables_of(c) is not None)
    assert [c.name for c in binary_catalogers] == ["go-binary", "rust-auditable-binary"]

    inventory = catalog(fs, binary_catalogers, target="t")

    assert fs.opened.count("run.sh") == 1
    assert fs.opened.count("true") == 3  # the runner's head, then one parse per cataloger
    assert inventory.packages == ()
    assert inventory.warnings == ()


def test_default_catalogers_are_the_os_then_the_language_ones() -> None:
    assert DEFAULT_CATALOGERS == OS_CATALOGERS + LANGUAGE_CATALOGERS
    assert [c.name for c in OS_CATALOGERS] == ["dpkg", "apk", "rpm"]
    names = [c.name for c in DEFAULT_CATALOGERS]
    assert len(names) == len(set(names))


def test_default_catalogers_report_debian_python_packages_once() -> None:
    root = FIXTURES / "debian12"

    languages_only = catalog(DirFS(root), LANGUAGE_CATALOGERS, target="d")
    everything = catalog(DirFS(root), target="d")

    def pypi(inventory: Inventory) -> set[str]:
        return {p.name.lower() for p in inventory.packages if p.ecosystem.name == "PyPI"}

    assert {"pyyaml", "six", "packageurl-python"} <= pypi(languages_only)
    assert pypi(everything) == {"packageurl-python"}
    assert len([p for p in everything.packages if p.ecosystem.is_os]) == 11


class GlobProbe:
    """A cataloger that only declares globs, to compare dispatch with plain glob matching."""

    version = "0"

    def __init__(self, name: str, globs: tuple[str, ...]) -> None:
        self.name = name
        self.globs = globs

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        return ParseResult()


def test_dispatch_agrees_with_plain_glob_matching() -> None:
    probes = [
        GlobProbe("exact", ("var/lib/dpkg/status", "status")),
        GlobProbe("suffix", ("**/*.jar", "**/*.egg-info")),
        GlobProbe("infix", ("**/*requirements*.txt", "**/node_modules/*/package.json")),
        GlobProbe("dir-wild", ("**/*.dist-info/METADATA", "var/lib/dpkg/status.d/*")),
        GlobProbe("class", ("**/lib[0-9]*.so", "opt/?/x")),
        GlobProbe("everything", ("**/*",)),
        GlobProbe("under", ("srv/**",)),
    ]
    paths = [
        *sorted(set(DirFS(FIXTURES).paths())),
        "status",
        "a/status",
        "a.jar",
        "deep/er/app.jar",
        "jar",
        "x/dev-requirements-py3.txt",
        "requirements.txt.bak",
        "web/node_modules/left-pad/package.json",
        "web/node_modules/@scope/pkg/package.json",
        "usr/lib/libz9.so",
        "opt/a/x",
        "opt/ab/x",
        "srv/a/b/c",
        "srv",
    ]
    dispatch = _Dispatch(probes)

    for path in paths:
        expected = [p for p in probes if any(matches(g, path) for g in p.globs)]
        assert dispatch.catalogers_for(path) == expected, path
