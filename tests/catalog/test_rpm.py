from __future__ import annotations

import shutil
import sqlite3
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.catalog.dirfs import FIXTURES, DirFS
from vigil.catalog import Environment, ParseResult
from vigil.catalog.os_release import identify
from vigil.catalog.rpm import RpmCataloger
from vigil.catalog.rpm.bdb import BdbError, bdb_values
from vigil.catalog.rpm.header import HeaderError, parse_header
from vigil.catalog.rpm.ndb import NdbError, ndb_blobs
from vigil.domain import Ecosystem, Location

RPM = FIXTURES / "rpm"
DATABASES = [
    ("sqlite", "rpmdb.sqlite"),
    ("bdb", "Packages"),
    ("bdb-be", "Packages"),
    ("bdb-64k", "Packages"),
    ("ndb", "Packages.db"),
]
RHEL = identify({"etc/os-release": (FIXTURES / "os-release/rhel-8.10").read_bytes()}).environment
EXPECTED = [
    ("vigil-big", "0.9-1", "noarch", "vigil-big", "0.9-1"),
    ("vigil-hello", "1.0-1", "noarch", "vigil-hello", "1.0-1"),
    ("vigil-suite", "2:3.1.4-5.el9", "x86_64", "vigil-suite", "2:3.1.4-5.el9"),
    ("vigil-suite-libs", "2:3.1.4-5.el9", "x86_64", "vigil-suite", "2:3.1.4-5.el9"),
]


def _parse(root: Path, path: str, env: Environment = RHEL) -> ParseResult:
    return RpmCataloger().parse(DirFS(root, "sha256:rpm"), path, env)


def _rows(result: ParseResult) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return sorted(
        (p.name, p.version, p.arch, p.source_name, p.source_version) for p in result.packages
    )


@pytest.mark.parametrize(("folder", "name"), DATABASES)
def test_every_backend_yields_the_same_packages(folder: str, name: str) -> None:
    result = _parse(RPM / folder, name)

    assert _rows(result) == EXPECTED
    assert result.warnings == []
    assert len(result.owned_paths) == 124
    assert result.owned_paths["usr/lib64/libvigil.so.1"] == "vigil-suite-libs"
    assert (
        result.owned_paths["usr/lib/python3.9/site-packages/vigil_py-1.2.dist-info/METADATA"]
        == "vigil-suite-libs"
    )
    assert result.owned_paths["usr/share/vigil-big/dir12/file10.txt"] == "vigil-big"
    assert "usr/share/vigil-big/dir01" not in result.owned_paths  # a directory


def test_agrees_with_rpm_qa_of_the_fixture() -> None:
    expected = [line.split() for line in (RPM / "expected.txt").read_text().splitlines() if line]
    result = _parse(RPM / "sqlite", "rpmdb.sqlite")

    found = sorted(
        [
            p.name,
            p.version.split(":")[0] if ":" in p.version else "(none)",
            p.version.split(":")[-1],
            p.arch or "",
        ]
        for p in result.packages
    )
    assert found == sorted([name, epoch, evr, arch] for name, epoch, evr, arch, _ in expected)


def test_purls_and_ecosystem() -> None:
    packages = {p.name: p for p in _parse(RPM / "sqlite", "rpmdb.sqlite").packages}

    libs = packages["vigil-suite-libs"]
    assert libs.ecosystem == Ecosystem("Red Hat", "enterprise_linux:8")
    assert libs.locations == (Location("rpmdb.sqlite", "sha256:rpm"),)
    assert libs.purl == (
        "pkg:rpm/redhat/vigil-suite-libs@3.1.4-5.el9?arch=x86_64&distro=rhel-8.10&epoch=2"
        "&upstream=vigil-suite-3.1.4-5.el9.src.rpm"
    )
    assert packages["vigil-hello"].purl == (
        "pkg:rpm/redhat/vigil-hello@1.0-1?arch=noarch&distro=rhel-8.10"
        "&upstream=vigil-hello-1.0-1.src.rpm"
    )


@pytest.mark.parametrize(
    ("os_release", "ecosystem", "namespace"),
    [
        ("opensuse-leap-15.4", "openSUSE:Leap 15.4", "pkg:rpm/opensuse/"),
        ("almalinux-9.1", "AlmaLinux:9", "pkg:rpm/almalinux/"),
    ],
)
def test_other_rpm_distributions(os_release: str, ecosystem: str, namespace: str) -> None:
    env = identify({"etc/os-release": (FIXTURES / "os-release" / os_release).read_bytes()})

    result = _parse(RPM / "ndb", "Packages.db", env.environment)

    assert {p.ecosystem for p in result.packages} == {Ecosystem.parse(ecosystem)}
    assert all(p.purl.startswith(namespace) for p in result.packages)


def test_unidentified_distribution_warns_once() -> None:
    result = _parse(RPM / "bdb", "Packages", Environment())

    assert {p.ecosystem for p in result.packages} == {Ecosystem("Red Hat")}
    assert [w.reason for w in result.warnings] == [
        "distribution not identified; rpm packages recorded as bare 'Red Hat'"
    ]


def _copy(tmp_path: Path, folder: str, name: str) -> bytes:
    return (RPM / folder / name).read_bytes()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("Packages", b"", "not an rpm database: neither sqlite, BerkeleyDB hash nor ndb"),
        (
            "Packages",
            bytes(range(256)) * 40,
            "not an rpm database: neither sqlite, BerkeleyDB hash nor ndb",
        ),
        ("rpmdb.sqlite", b"SQLite format 3\x00" + b"\xff" * 4000, "unreadable rpm sqlite database"),
        ("Packages.db", b"RpmP" + b"\x07" * 60, "ndb version"),
    ],
)
def test_garbage_databases_are_one_clear_warning(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    result = _parse(_write(tmp_path, name, data), name)

    assert result.packages == []
    assert len(result.warnings) == 1
    assert result.warnings[0].reason.startswith(reason)
    assert result.warnings[0].cataloger == "rpm"


def test_btree_and_encrypted_berkeley_databases_are_named(tmp_path: Path) -> None:
    data = bytearray(_copy(tmp_path, "bdb", "Packages"))
    btree = bytearray(data)
    struct.pack_into("<I", btree, 12, 0x053162)
    encrypted = bytearray(data)
    encrypted[24] = 1

    assert [w.reason for w in _parse(_write(tmp_path, "Packages", btree), "Packages").warnings] == [
        "a BerkeleyDB btree database, not rpm's hash Packages"
    ]
    with pytest.raises(BdbError, match="encrypted"):
        list(bdb_values(bytes(encrypted)))


def test_truncated_berkeley_database_keeps_what_it_can(tmp_path: Path) -> None:
    data = _copy(tmp_path, "bdb-64k", "Packages")
    cut = data[: 3 * 65536]  # metadata page and two hash pages of four

    result = _parse(_write(tmp_path, "Packages", cut), "Packages")

    assert [w.reason for w in result.warnings] == [
        "overflow chain broken at page 3; skipped",
        "file ends before its last page; later packages are missing; skipped",
    ]
    # Two hash pages survive; the header stored on overflow pages past the cut is lost.
    assert len(result.packages) == 3


def test_broken_overflow_chain_is_a_warning(tmp_path: Path) -> None:
    data = bytearray(_copy(tmp_path, "bdb", "Packages"))
    pagesize = 4096
    for pgno in range(1, len(data) // pagesize):
        if data[pgno * pagesize + 25] == 7:  # the first overflow page: claim 10 bytes used
            struct.pack_into("<H", data, pgno * pagesize + 22, 10)
            break

    result = _parse(_write(tmp_path, "Packages", bytes(data)), "Packages")

    assert len(result.packages) == 3
    assert len(result.warnings) == 1
    assert result.warnings[0].reason.startswith("overflow item has 10 bytes, expected")


def test_corrupt_ndb_blob_skips_only_that_package(tmp_path: Path) -> None:
    data = bytearray(_copy(tmp_path, "ndb", "Packages.db"))
    slots = [s for s in ndb_blobs(bytes(data)) if not isinstance(s[1], NdbError)]
    first_blob = 4096 + 16  # first blob's data starts after its 16-byte head
    data[first_blob + 100] ^= 0xFF

    result = _parse(_write(tmp_path, "Packages.db", bytes(data)), "Packages.db")

    assert len(slots) == 4
    assert len(result.packages) == 3
    assert [w.reason for w in result.warnings] == [
        f"package {slots[0][0]}: blob checksum mismatch; skipped"
    ]


def test_wal_mode_database_and_wal_file_warning(tmp_path: Path) -> None:
    shutil.copy(RPM / "sqlite/rpmdb.sqlite", tmp_path / "rpmdb.sqlite")
    connection = sqlite3.connect(tmp_path / "rpmdb.sqlite")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    (tmp_path / "rpmdb.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)

    result = _parse(tmp_path, "rpmdb.sqlite")

    assert (tmp_path / "rpmdb.sqlite").read_bytes()[18:20] == b"\x02\x02"
    assert _rows(result) == EXPECTED
    assert [w.reason for w in result.warnings] == [
        "a non-empty -wal file sits beside it; its changes are not read"
    ]


def test_sqlite_database_without_packages_table(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "rpmdb.sqlite")
    connection.execute("CREATE TABLE other (x)")
    connection.commit()
    connection.close()

    result = _parse(tmp_path, "rpmdb.sqlite")

    assert result.packages == []
    assert "no such table: Packages" in result.warnings[0].reason


def test_bad_header_blob_is_skipped_with_its_record_named(tmp_path: Path) -> None:
    shutil.copy(RPM / "sqlite/rpmdb.sqlite", tmp_path / "rpmdb.sqlite")
    connection = sqlite3.connect(tmp_path / "rpmdb.sqlite")
    connection.execute("UPDATE Packages SET blob = ? WHERE hnum = 3", (b"\0\0\0\x01\0\0\0\x10",))
    connection.commit()
    connection.close()

    result = _parse(tmp_path, "rpmdb.sqlite")

    assert len(result.packages) == 3
    assert [w.reason for w in result.warnings] == [
        "package 3: header blob truncated: 8 < 40 bytes; skipped"
    ]


def _name_offset_outside(blob: bytes) -> bytes:
    """Point the NAME entry's data offset far outside the data store."""
    (count,) = struct.unpack_from(">I", blob, 0)
    for index in range(count):
        at = 8 + 16 * index
        if struct.unpack_from(">I", blob, at)[0] == 1000:
            return blob[: at + 8] + b"\x7f\xff\xff\xff" + blob[at + 12 :]
    raise AssertionError("no NAME tag")


def _real_blob() -> bytes:
    connection = sqlite3.connect(RPM / "sqlite/rpmdb.sqlite")
    (blob,) = connection.execute("SELECT blob FROM Packages WHERE hnum = 1").fetchone()
    connection.close()
    return bytes(blob)


def test_header_parser_reads_the_real_blob() -> None:
    header = parse_header(_real_blob())

    assert (header.name, header.epoch, header.version, header.release, header.arch) == (
        "vigil-suite-libs",
        2,
        "3.1.4",
        "5.el9",
        "x86_64",
    )
    assert header.source_rpm == "vigil-suite-3.1.4-5.el9.src.rpm"
    assert header.files == (
        "usr/lib/python3.9/site-packages/vigil_py-1.2.dist-info/METADATA",
        "usr/lib64/libvigil.so.1",
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:7], "too short"),
        (lambda b: b"\0\x01\0\0" + b[4:], "implausible header sizes"),
        (lambda b: b[: len(b) - 10], "header blob truncated"),
        (_name_offset_outside, "outside the data store"),
    ],
)
def test_header_parser_rejects_bad_blobs(mutate: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        parse_header(mutate(_real_blob()))


_RPM = shutil.which("rpm")


@pytest.mark.skipif(_RPM is None, reason="rpm is not installed on this machine")
@pytest.mark.parametrize(
    ("folder", "backend"), [("sqlite", "sqlite"), ("bdb", "bdb_ro"), ("bdb-be", "bdb_ro")]
)
def test_agrees_with_rpm_itself(tmp_path: Path, folder: str, backend: str) -> None:
    assert _RPM is not None
    dbpath = tmp_path / folder
    shutil.copytree(RPM / folder, dbpath)  # rpm wants to create a lock file beside it
    listed = subprocess.run(
        [_RPM, "--dbpath", str(dbpath), "--define", f"_db_backend {backend}", "-qa",
         "--qf", "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    result = _parse(RPM / folder, "rpmdb.sqlite" if folder == "sqlite" else "Packages")

    ours = sorted(
        f"{p.name} {p.version if ':' in p.version else '0:' + p.version} {p.arch} "
        f"{p.purl.rsplit('upstream=', 1)[1]}"
        for p in result.packages
    )
    assert ours == sorted(line for line in listed if line)
