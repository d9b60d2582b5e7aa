"""Every target of the Debian 12 fixture (a directory, a docker archive, an OCI layout and the
same image pulled from a loopback registry) yields the packages its sources say it holds.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name
from scripts.fixtures import debian12 as builder

from tests.fixtures_real.conftest import Scan
from tests.fixtures_real.references import DpkgRow, npm_lock, pinned_pypi, upstream
from vigil.domain import Ecosystem, Package

APP = builder.APP


def of(scan: Scan, ecosystem: str) -> list[Package]:
    return [p for p in scan.inventory.packages if p.ecosystem.base.name == ecosystem]


def paths(package: Package) -> list[str]:
    return [location.path for location in package.locations]


def test_reads_whole_without_warnings(scanned: Scan) -> None:
    assert scanned.complete
    assert scanned.target_warnings == ()
    assert scanned.inventory.warnings == ()
    assert scanned.inventory.distro == Ecosystem("Debian", "12")


def test_debian_packages_are_dpkgs_own_view(
    scanned: Scan, dpkg_reference: dict[str, DpkgRow]
) -> None:
    found = {
        p.name: DpkgRow(p.version, p.source_name or p.name, p.source_version or p.version,
                        p.arch or "", "")
        for p in of(scanned, "Debian")
    }  # fmt: skip
    expected = {name: DpkgRow(row.version, row.source, row.source_version, row.arch, "")
                for name, row in dpkg_reference.items()}  # fmt: skip
    assert found == expected
    for package in builder.DEBIAN_PACKAGES:
        assert package in found


def test_debian_packages_carry_their_source_package(scanned: Scan) -> None:
    debian = {p.name: p for p in of(scanned, "Debian")}
    assert (debian["curl"].source_name, debian["libcurl4"].source_name) == ("curl", "curl")
    assert debian["curl"].version.startswith("7.88.1-10+deb12u")
    assert debian["libssl3"].source_name == "openssl"
    assert debian["libssl3"].version.startswith("3.0.")
    assert debian["python3-yaml"].source_name == "pyyaml"
    assert debian["libxml2"].source_name == "libxml2"
    assert debian["libjackson2-databind-java"].source_name == "jackson-databind"
    assert debian["curl"].purl.startswith("pkg:deb/debian/curl@7.88.1-10")
    assert debian["curl"].purl.endswith("?arch=amd64&distro=debian-12")
    assert paths(debian["curl"]) == ["var/lib/dpkg/status"]


def test_pypi_releases_installed_with_pip(scanned: Scan) -> None:
    pypi = of(scanned, "PyPI")
    found = {(canonicalize_name(p.name), p.version) for p in pypi}
    # six is installed in the lang layer and deleted by a whiteout in the app layer; Debian's
    # own PyYAML 6.0 (python3-yaml) is reported as the Debian package.
    assert found == pinned_pypi() - {("six", "1.11.0")}
    requests = next(p for p in pypi if p.name == "requests")
    assert requests.version == "2.19.1"
    assert requests.purl == "pkg:pypi/requests@2.19.1"
    assert paths(requests) == [f"{builder.SITE_PACKAGES}/requests-2.19.1.dist-info/METADATA"]
    assert ("pyyaml", "5.1") in found
    assert ("pyyaml", "6.0") not in found


def test_npm_releases_installed_from_the_lock_file(scanned: Scan) -> None:
    npm = of(scanned, "npm")
    assert {(p.name, p.version) for p in npm} == npm_lock()
    lodash = {p.cataloger: p for p in npm if p.name == "lodash"}
    assert {p.version for p in lodash.values()} == {"4.17.15"}
    assert paths(lodash["npm-installed"]) == [f"{APP}/node_modules/lodash/package.json"]
    assert paths(lodash["npm-package-lock"]) == [f"{APP}/package-lock.json"]
    names = {(p.name, p.version, p.purl) for p in npm}
    assert ("minimist", "1.2.0", "pkg:npm/minimist@1.2.0") in names
    assert ("@hapi/hoek", "8.5.0", "pkg:npm/%40hapi/hoek@8.5.0") in names
    assert ("express", "4.16.0", "pkg:npm/express@4.16.0") in names
    assert ("jsonwebtoken", "8.5.0", "pkg:npm/jsonwebtoken@8.5.0") in names


def test_bundled_jars_are_reported_and_debians_own_are_attributed(
    scanned: Scan, dpkg_reference: dict[str, DpkgRow]
) -> None:
    maven = {p.name: p for p in of(scanned, "Maven")}
    snakeyaml = upstream(dpkg_reference["libyaml-snake-java"].version)
    databind = upstream(dpkg_reference["libjackson2-databind-java"].version)
    assert {name: p.version for name, p in maven.items()} == {
        "org.yaml:snakeyaml": snakeyaml,
        "com.fasterxml.jackson.core:jackson-databind": databind,
    }
    assert (snakeyaml, databind) == ("1.33", "2.14.0")
    # The same jars under /usr/share/java belong to Debian packages: only the copies the
    # application bundles are Maven packages.
    assert paths(maven["org.yaml:snakeyaml"]) == [f"{APP}/lib/snakeyaml-1.33.jar"]
    assert maven["org.yaml:snakeyaml"].purl == "pkg:maven/org.yaml/snakeyaml@1.33"


def test_go_binary_with_the_toolchain_debian_built_it_with(
    scanned: Scan, dpkg_reference: dict[str, DpkgRow]
) -> None:
    built_using = dpkg_reference["restic"].built_using
    toolchain = re.search(r"golang-1\.\d+ \(= ([^)]+)\)", built_using)
    assert toolchain is not None, built_using
    go = of(scanned, "Go")
    # Debian builds restic in GOPATH mode: the binary names no module versions, only the
    # toolchain; Debian's own /usr/bin/restic is attributed to the restic package.
    assert [(p.name, p.version, paths(p)) for p in go] == [
        ("stdlib", upstream(toolchain.group(1)), [f"{APP}/bin/restic"])
    ]
    assert go[0].purl == f"pkg:golang/stdlib@{go[0].version}"
