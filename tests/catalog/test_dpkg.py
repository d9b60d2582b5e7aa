from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.catalog.dirfs import FIXTURES, DirFS
from vigil.catalog import Environment, ParseResult
from vigil.catalog.dpkg import STATUS_LIMIT, DpkgCataloger, parse_stanzas
from vigil.catalog.os_release import identify
from vigil.domain import Ecosystem, Location

DEBIAN12 = FIXTURES / "debian12"
DISTROLESS = FIXTURES / "distroless-debian12"
STATUS = "var/lib/dpkg/status"


def _env(root: Path) -> Environment:
    return identify({"etc/os-release": (root / "etc/os-release").read_bytes()}).environment


def _parse(root: Path, path: str, env: Environment | None = None) -> ParseResult:
    return DpkgCataloger().parse(DirFS(root, "sha256:layer"), path, env or _env(root))


def _rows(result: ParseResult) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [(p.name, p.version, p.arch, p.source_name, p.source_version) for p in result.packages]


def test_real_status_file_installed_packages_with_source_names() -> None:
    result = _parse(DEBIAN12, STATUS)

    assert _rows(result) == [
        ("adduser", "3.134", "all", "adduser", "3.134"),
        ("bash", "5.2.15-2+b8", "amd64", "bash", "5.2.15-2"),
        ("bsdutils", "1:2.38.1-5+deb12u3", "amd64", "util-linux", "2.38.1-5+deb12u3"),
        ("cpp", "4:12.2.0-3", "amd64", "gcc-defaults", "1.203"),
        ("libc6", "2.36-9+deb12u14", "amd64", "glibc", "2.36-9+deb12u14"),
        ("libssl3", "3.0.19-1~deb12u2", "amd64", "openssl", "3.0.19-1~deb12u2"),
        # nano is "deinstall ok config-files": only its conffiles remain, so it is not reported.
        ("python3-distro", "1.8.0-1", "all", "python-distro", "1.8.0-1"),
        ("python3-pip", "23.0.1+dfsg-1", "all", "python-pip", "23.0.1+dfsg-1"),
        ("python3-six", "1.16.0-4", "all", "six", "1.16.0-4"),
        ("python3-yaml", "6.0-3+b2", "amd64", "pyyaml", "6.0-3"),
        ("zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", "1:1.2.13.dfsg-1"),
    ]
    assert result.warnings == []
    assert result.owned_paths == {}
    first = result.packages[0]
    assert first.ecosystem == Ecosystem("Debian", "12")
    assert first.cataloger == "dpkg"
    assert first.locations == (Location(STATUS, "sha256:layer"),)
    assert first.match_name == "adduser"
    assert result.packages[1].match_version == "5.2.15-2"


def test_purls_follow_syfts_deb_conventions() -> None:
    purls = {p.name: p.purl for p in _parse(DEBIAN12, STATUS).packages}

    assert purls["adduser"] == "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"
    assert purls["bash"] == (
        "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2"
    )
    assert purls["bsdutils"] == (
        "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12"
        "&upstream=util-linux%402.38.1-5%2Bdeb12u3"
    )
    assert purls["libc6"] == (
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc"
    )


def test_list_files_give_owned_paths_without_directories() -> None:
    result = _parse(DEBIAN12, "var/lib/dpkg/info/python3-yaml.list")

    assert result.packages == []
    owned = result.owned_paths
    assert owned["usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"] == "python3-yaml"
    assert owned["usr/lib/python3/dist-packages/yaml/__init__.py"] == "python3-yaml"
    assert "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info" not in owned
    assert "usr/lib" not in owned
    assert "" not in owned
    assert len(owned) == 32  # 46 lines less "/." and 13 directories


def test_multiarch_list_file_names_the_package_without_its_arch() -> None:
    owned = _parse(DEBIAN12, "var/lib/dpkg/info/libc6:amd64.list").owned_paths

    assert owned["lib/x86_64-linux-gnu/libc.so.6"] == "libc6"
    assert set(owned.values()) == {"libc6"}


def test_distroless_status_d_stanzas_and_md5sums() -> None:
    env = _env(DISTROLESS)
    cataloger = DpkgCataloger()
    fs = DirFS(DISTROLESS)
    names = ["base-files", "libc6", "libssl3"]
    results = [cataloger.parse(fs, f"var/lib/dpkg/status.d/{n}", env) for n in names]

    assert [_rows(r) for r in results] == [
        [("base-files", "12.4+deb12u15", "amd64", "base-files", "12.4+deb12u15")],
        [("libc6", "2.36-9+deb12u14", "amd64", "glibc", "2.36-9+deb12u14")],
        [("libssl3", "3.0.22-1~deb12u2", "amd64", "openssl", "3.0.22-1~deb12u2")],
    ]
    assert all(r.warnings == [] for r in results)
    assert results[2].packages[0].purl == (
        "pkg:deb/debian/libssl3@3.0.22-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
    )
    owned = cataloger.parse(fs, "var/lib/dpkg/status.d/libssl3.md5sums", env).owned_paths
    assert len(owned) == 9
    assert owned["usr/lib/x86_64-linux-gnu/libssl.so.3"] == "libssl3"


def _write_status(tmp_path: Path, text: str | bytes) -> Path:
    target = tmp_path / STATUS
    target.parent.mkdir(parents=True)
    if isinstance(text, str):
        target.write_text(text)
    else:
        target.write_bytes(text)
    return tmp_path


DEBIAN = Environment(Ecosystem("Debian", "12"), (("ID", "debian"), ("VERSION_ID", "12")))


@pytest.mark.parametrize(
    ("status", "reported"),
    [
        ("install ok installed", True),
        ("hold ok installed", True),
        ("deinstall ok installed", True),  # marked for removal, files still there
        ("install reinstreq half-installed", True),
        ("install ok unpacked", True),
        ("install ok half-configured", True),
        ("install ok triggers-pending", True),
        ("deinstall ok config-files", False),
        ("purge ok not-installed", False),
        ("unknown ok not-installed", False),
    ],
)
def test_status_states(tmp_path: Path, status: str, reported: bool) -> None:
    root = _write_status(tmp_path, f"Package: demo\nStatus: {status}\nVersion: 1.0-1\n")

    result = _parse(root, STATUS, DEBIAN)

    assert [p.name for p in result.packages] == (["demo"] if reported else [])
    assert result.warnings == []


def test_malformed_stanzas_are_warned_about_and_skipped(tmp_path: Path) -> None:
    text = (
        "Package: good\nStatus: install ok installed\nVersion: 1\nSource: good-src (0.9)\n\n"
        "Package: noversion\nStatus: install ok installed\n\n"
        "Package: badstatus\nStatus: installed\nVersion: 2\n\n"
        "Package: badsource\nStatus: install ok installed\nVersion: 3\nSource: (oops)\n\n"
        " orphan continuation\n"
        "this line has no colon\n"
        "Package: truncated\nStatus: install ok installed\nVers"
    )
    result = _parse(_write_status(tmp_path, text), STATUS, DEBIAN)

    assert [(p.name, p.source_name, p.source_version) for p in result.packages] == [
        ("good", "good-src", "0.9")
    ]
    assert [w.reason for w in result.warnings] == [
        "line 18: continuation line outside a field",
        "line 19: not a 'Field: value' line: 'this line has no colon'",
        "line 22: not a 'Field: value' line: 'Vers'",
        "stanza at line 6 (noversion): no Version field; skipped",
        "stanza at line 9 (badstatus): unreadable Status 'installed'; skipped",
        "stanza at line 13 (badsource): unreadable Source '(oops)'; skipped",
        "stanza at line 20 (truncated): no Version field; skipped",
    ]
    assert {(w.path, w.cataloger) for w in result.warnings} == {(STATUS, "dpkg")}


def test_truncated_real_status_file_keeps_whole_stanzas(tmp_path: Path) -> None:
    data = (DEBIAN12 / STATUS).read_bytes()
    cut = data.index(b"Package: python3-six")
    root = _write_status(tmp_path, data[: cut + len(b"Package: python3-six\nStat")])

    result = _parse(root, STATUS, DEBIAN)

    start = data[:cut].count(b"\n") + 1
    assert [p.name for p in result.packages][-1] == "python3-pip"
    assert len(result.packages) == 8
    assert [w.reason for w in result.warnings] == [
        f"line {start + 1}: not a 'Field: value' line: 'Stat'",
        f"stanza at line {start} (python3-six): no Version field; skipped",
    ]


def test_binary_garbage_is_one_warning(tmp_path: Path) -> None:
    root = _write_status(tmp_path, bytes(range(256)) * 64)

    result = _parse(root, STATUS, DEBIAN)

    assert result.packages == []
    assert [w.reason for w in result.warnings] == ["binary content; not a dpkg status file"]


def test_text_garbage_warnings_are_capped(tmp_path: Path) -> None:
    root = _write_status(tmp_path, "".join(f"garbage {i}\n" for i in range(500)))

    result = _parse(root, STATUS, DEBIAN)

    assert len(result.warnings) == 21
    assert result.warnings[-1].reason == "480 more problems not shown"


def test_status_file_over_the_bound_is_not_read(tmp_path: Path) -> None:
    root = _write_status(tmp_path, "")
    with (root / STATUS).open("r+b") as handle:
        handle.truncate(STATUS_LIMIT + 1)  # sparse: 50 MiB + 1 without writing it
    fs = DirFS(root)

    result = DpkgCataloger().parse(fs, STATUS, DEBIAN)

    assert result.packages == []
    assert [w.reason for w in result.warnings] == [f"larger than {STATUS_LIMIT} bytes; not read"]
    assert fs.opened == []


def test_unidentified_distribution_is_recorded_as_bare_debian_with_a_warning(
    tmp_path: Path,
) -> None:
    root = _write_status(tmp_path, "Package: demo\nVersion: 1.0\nArchitecture: arm64\n")

    result = _parse(root, STATUS, Environment())

    assert [(p.ecosystem, p.purl) for p in result.packages] == [
        (Ecosystem("Debian"), "pkg:deb/debian/demo@1.0?arch=arm64")
    ]
    assert [w.reason for w in result.warnings] == [
        "distribution not identified; dpkg packages recorded as bare 'Debian' without a release"
    ]


def test_ubuntu_packages_use_the_ubuntu_namespace(tmp_path: Path) -> None:
    root = _write_status(tmp_path, "Package: demo\nVersion: 1.0\nArchitecture: amd64\n")
    env = identify({"etc/os-release": (FIXTURES / "os-release/ubuntu-22.04").read_bytes()})

    (package,) = _parse(root, STATUS, env.environment).packages

    assert package.ecosystem == Ecosystem("Ubuntu", "22.04:LTS")
    assert package.purl == "pkg:deb/ubuntu/demo@1.0?arch=amd64&distro=ubuntu-22.04"


def test_parse_stanzas_folds_field_names_and_joins_continuations() -> None:
    stanzas, problems = parse_stanzas(
        "Package: a\nDescription: short\n long line\n .\n\n\n\nPACKAGE: b\n"
    )
    assert problems == []
    assert [(s.line, s.fields) for s in stanzas] == [
        (1, {"package": "a", "description": "short\nlong line\n."}),
        (8, {"package": "b"}),
    ]


_DPKG_QUERY = shutil.which("dpkg-query")
_FORMAT = (
    "${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}"
    " ${db:Status-Status}\\n"
)


@pytest.mark.skipif(_DPKG_QUERY is None, reason="dpkg-query is not installed on this machine")
@pytest.mark.parametrize("root", [DEBIAN12, Path("/")], ids=["fixture", "this-host"])
def test_agrees_with_dpkg_query(root: Path) -> None:
    admindir = root / "var/lib/dpkg"
    if not (admindir / "status").is_file():
        pytest.skip(f"no dpkg database under {root}")
    assert _DPKG_QUERY is not None
    listed = subprocess.run(
        [_DPKG_QUERY, f"--admindir={admindir}", "-W", f"-f={_FORMAT}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    present = {"installed", "unpacked", "half-configured", "half-installed",
               "triggers-awaited", "triggers-pending"}  # fmt: skip
    expected = sorted(
        tuple(fields[:5]) for fields in map(str.split, listed) if fields[5] in present
    )

    result = DpkgCataloger().parse(DirFS(root), STATUS, DEBIAN)

    assert sorted(_rows(result)) == expected
    assert result.warnings == []
