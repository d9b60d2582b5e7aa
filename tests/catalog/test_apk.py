from __future__ import annotations

from pathlib import Path

from tests.catalog.dirfs import FIXTURES, DirFS
from vigil.catalog import Environment, ParseResult
from vigil.catalog.apk import INSTALLED_LIMIT, ApkCataloger
from vigil.catalog.os_release import identify
from vigil.domain import Ecosystem, Location

ALPINE = FIXTURES / "alpine319"
INSTALLED = "lib/apk/db/installed"


def _env(root: Path = ALPINE) -> Environment:
    return identify({"etc/os-release": (root / "etc/os-release").read_bytes()}).environment


def _parse(root: Path, env: Environment | None = None) -> ParseResult:
    return ApkCataloger().parse(DirFS(root, "sha256:base"), INSTALLED, env or _env())


def test_installed_database_packages_origins_and_purls() -> None:
    result = _parse(ALPINE)

    rows = [(p.name, p.version, p.source_name, p.arch) for p in result.packages]
    assert rows == [
        ("musl", "1.2.4_git20230717-r4", "musl", "x86_64"),
        ("busybox", "1.36.1-r15", "busybox", "x86_64"),
        ("busybox-binsh", "1.36.1-r15", "busybox", "x86_64"),
        ("alpine-baselayout-data", "3.4.3-r2", "alpine-baselayout", "x86_64"),
        ("alpine-baselayout", "3.4.3-r2", "alpine-baselayout", "x86_64"),
        ("alpine-keys", "2.4-r1", "alpine-keys", "x86_64"),
        ("ca-certificates-bundle", "20230506-r0", "ca-certificates", "x86_64"),
        ("libcrypto3", "3.1.4-r5", "openssl", "x86_64"),
        ("libssl3", "3.1.4-r5", "openssl", "x86_64"),
        ("ssl_client", "1.36.1-r15", "busybox", "x86_64"),
        ("zlib", "1.3.1-r0", "zlib", "x86_64"),
        ("apk-tools", "2.14.0-r5", "apk-tools", "x86_64"),
        ("scanelf", "1.3.7-r2", "pax-utils", "x86_64"),
        ("musl-utils", "1.2.4_git20230717-r4", "musl", "x86_64"),
        ("libc-utils", "0.7.2-r5", "libc-dev", "x86_64"),
        ("py3-yaml", "6.0.1-r1", "py3-yaml", "x86_64"),
    ]
    assert result.warnings == []
    libssl = result.packages[8]
    assert libssl.ecosystem == Ecosystem("Alpine", "v3.19")
    assert libssl.source_version == "3.1.4-r5"
    assert libssl.match_name == "openssl"
    assert libssl.locations == (Location(INSTALLED, "sha256:base"),)
    assert libssl.purl == (
        "pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl"
    )
    assert result.packages[0].purl == (
        "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"
    )


def test_owned_paths_join_each_file_to_its_directory() -> None:
    owned = _parse(ALPINE).owned_paths

    assert owned["lib/libssl.so.3"] == "libssl3"
    assert owned["usr/lib/engines-3/afalg.so"] == "libcrypto3"
    assert owned["bin/sh"] == "busybox-binsh"
    assert owned["usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA"] == "py3-yaml"
    assert "etc/network" not in owned  # a directory with no files of its own
    assert len(owned) == 67  # every R: line of the fixture
    assert not any(p.startswith("/") for p in owned)


def test_wolfi_packages_use_the_wolfi_namespace(tmp_path: Path) -> None:
    db = tmp_path / INSTALLED
    db.parent.mkdir(parents=True)
    db.write_text("P:glibc\nV:2.39-r1\nA:aarch64\no:glibc\nF:usr/lib\nR:libc.so.6\n")
    env = identify({"etc/os-release": b'ID=wolfi\nNAME="Wolfi"\nVERSION_ID="20230201"\n'})

    (package,) = _parse(tmp_path, env.environment).packages

    assert package.ecosystem == Ecosystem("Wolfi")
    assert package.purl == "pkg:apk/wolfi/glibc@2.39-r1?arch=aarch64&distro=wolfi-20230201"


def _write(tmp_path: Path, data: bytes) -> Path:
    db = tmp_path / INSTALLED
    db.parent.mkdir(parents=True)
    db.write_bytes(data)
    return tmp_path


def test_truncated_database_keeps_complete_packages(tmp_path: Path) -> None:
    data = (ALPINE / INSTALLED).read_bytes()
    cut = data.index(b"P:zlib") + len(b"P:zlib\nV:1.3")
    root = _write(tmp_path, data[: data.index(b"P:zlib")] + b"P:zlib\n")
    partial = _write(tmp_path / "second", data[:cut])

    result = _parse(root)
    keeps_version = _parse(partial)

    assert [p.name for p in result.packages][-1] == "ssl_client"
    start = data[: data.index(b"P:zlib")].count(b"\n")  # the paragraph's C: line
    assert [w.reason for w in result.warnings] == [
        f"package at line {start} (zlib): no V: field; skipped"
    ]
    # A cut inside the V: line still yields a (truncated) version: nothing marks it as cut.
    assert keeps_version.packages[-1].name == "zlib"


def test_malformed_lines_and_missing_fields_are_warnings(tmp_path: Path) -> None:
    text = (
        b"P:ok\nV:1.0-r0\nR:orphan-file\n\n"
        b"V:2.0-r0\nA:x86_64\n\n"
        b"this is not apk\nP:also-ok\nV:3-r1\n"
    )
    result = _parse(_write(tmp_path, text))

    assert [p.name for p in result.packages] == ["ok", "also-ok"]
    assert [w.reason for w in result.warnings] == [
        "line 3: file 'orphan-file' before any F: directory",
        "line 8: not an 'X:value' line: 'this is not apk'",
        "package at line 5: no P: field; skipped",
    ]


def test_binary_garbage_and_oversize(tmp_path: Path) -> None:
    garbage = _parse(_write(tmp_path, bytes(range(256)) * 16))
    big_root = _write(tmp_path / "big", b"")
    with (big_root / INSTALLED).open("r+b") as handle:
        handle.truncate(INSTALLED_LIMIT + 1)
    big = _parse(big_root)

    assert garbage.packages == big.packages == []
    assert [w.reason for w in garbage.warnings] == ["binary content; not an apk installed database"]
    assert [w.reason for w in big.warnings] == [f"larger than {INSTALLED_LIMIT} bytes; not read"]


def test_unidentified_distribution_records_bare_alpine(tmp_path: Path) -> None:
    root = _write(tmp_path, b"P:musl\nV:1.2.5-r0\nA:x86_64\n")

    result = _parse(root, Environment())

    assert [(p.ecosystem, p.purl) for p in result.packages] == [
        (Ecosystem("Alpine"), "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64")
    ]
    assert [w.cataloger for w in result.warnings] == ["apk"]
