"""Every target of the Debian 12 fixture (a directory, a docker archive, an OCI layout and the
same image pulled from a loopback registry) yields the packages its sources say it holds.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name
from scripts.fixtures import debian12 as builder

from tests.fixtures_real.conftest import Scan
from tests.fixtures_real.references import DpkgRow, go_version_m, npm_lock, pinned_pypi, upstream
from vigil.domain import Ecosystem, Package

APP = builder.APP
TOOLS = builder.TOOLS


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


def test_npm_releases_installed_from_the_lock_files(scanned: Scan) -> None:
    npm = of(scanned, "npm")
    assert {(p.name, p.version) for p in npm} == npm_lock("npm") | npm_lock("npm-tools")
    lodash = {p.cataloger: p for p in npm if p.name == "lodash"}
    assert {p.version for p in lodash.values()} == {"4.17.15"}
    assert paths(lodash["npm-installed"]) == [f"{APP}/node_modules/lodash/package.json"]
    assert paths(lodash["npm-package-lock"]) == [f"{APP}/package-lock.json"]
    names = {(p.name, p.version, p.purl) for p in npm}
    assert ("minimist", "1.2.0", "pkg:npm/minimist@1.2.0") in names
    assert ("@hapi/hoek", "8.5.0", "pkg:npm/%40hapi/hoek@8.5.0") in names
    assert ("express", "4.16.0", "pkg:npm/express@4.16.0") in names
    assert ("jsonwebtoken", "8.5.0", "pkg:npm/jsonwebtoken@8.5.0") in names
    tools = {(p.name, p.version) for p in npm if paths(p)[0].startswith(f"{TOOLS}/")}
    assert tools == {
        ("@esbuild/linux-x64", "0.20.2"),
        ("google-closure-compiler-java", "20230802.0.0"),
        ("lefthook-linux-x64", "2.0.4"),
    }


LIB = f"{APP}/lib"
CLOSURE = f"{TOOLS}/node_modules/google-closure-compiler-java/compiler.jar"
# Every Maven artifact in the image that no Debian package owns: Debian's jars copied under
# /opt/app/lib (httpclient-osgi embeds five more; xz has only a manifest) and the artifacts
# shaded into the closure compiler's jar. Debian's own /usr/share/java jars are not here.
MAVEN = {
    ("org.yaml:snakeyaml", "1.33", f"{LIB}/snakeyaml-1.33.jar"),
    ("com.fasterxml.jackson.core:jackson-databind", "2.14.0", f"{LIB}/jackson-databind-2.14.0.jar"),
    ("com.fasterxml.jackson.core:jackson-core", "2.14.1", f"{LIB}/jackson-core-2.14.1.jar"),
    ("com.fasterxml.jackson.core:jackson-annotations", "2.14.0",
     f"{LIB}/jackson-annotations-2.14.0.jar"),
    ("com.google.guava:guava", "31.1-jre", f"{LIB}/guava-31.1-jre.jar"),
    ("org.apache.logging.log4j:log4j-api", "2.19.0", f"{LIB}/log4j-api-2.19.0.jar"),
    ("org.apache.logging.log4j:log4j-core", "2.19.0", f"{LIB}/log4j-core-2.19.0.jar"),
    ("org.apache.commons:commons-lang3", "3.12.0", f"{LIB}/commons-lang3-3.12.0.jar"),
    ("commons-io:commons-io", "2.11.0", f"{LIB}/commons-io-2.11.0.jar"),
    ("org.jsoup:jsoup", "1.15.3", f"{LIB}/jsoup-1.15.3.jar"),
    ("org.slf4j:slf4j-api", "1.7.32", f"{LIB}/slf4j-api-1.7.32.jar"),
    ("org.apache.httpcomponents:httpcore", "4.4.16", f"{LIB}/httpcore-4.4.16.jar"),
    ("org.apache.httpcomponents:httpclient-osgi", "4.5.14", f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("org.apache.httpcomponents:httpclient", "4.5.14", f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("org.apache.httpcomponents:httpmime", "4.5.14", f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("org.apache.httpcomponents:fluent-hc", "4.5.14", f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("org.apache.httpcomponents:httpclient-cache", "4.5.14",
     f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("commons-codec:commons-codec", "1.15", f"{LIB}/httpclient-osgi-4.5.14.jar"),
    ("org.apache.commons:commons-compress", "1.22", f"{LIB}/commons-compress-1.22.jar"),
    ("org.tukaani.xz:xz", "1.9", f"{LIB}/xz-1.9.jar"),
    ("args4j:args4j", "2.33", CLOSURE),
    ("com.google.code.gson:gson", "2.9.1", CLOSURE),
    ("com.google.errorprone:error_prone_annotations", "2.15.0", CLOSURE),
    ("com.google.guava:failureaccess", "1.0.1", CLOSURE),
    ("com.google.guava:guava", "31.0.1-jre", CLOSURE),
    ("com.google.auto.value:auto-value-annotations", "1.6", CLOSURE),
    ("com.google.protobuf:protobuf-java", "3.21.12", CLOSURE),
}  # fmt: skip


def test_bundled_jars_are_reported_and_debians_own_are_attributed(
    scanned: Scan, dpkg_reference: dict[str, DpkgRow]
) -> None:
    maven = of(scanned, "Maven")
    assert {(p.name, p.version, *paths(p)) for p in maven} == MAVEN
    assert len(maven) == len(MAVEN)
    # The copies are of the Debian packages' own jars.
    assert upstream(dpkg_reference["libyaml-snake-java"].version) == "1.33"
    assert upstream(dpkg_reference["liblog4j2-java"].version) == "2.19.0"
    assert upstream(dpkg_reference["libguava-java"].version) == "31.1"
    snakeyaml = next(p for p in maven if p.name == "org.yaml:snakeyaml")
    assert snakeyaml.purl == "pkg:maven/org.yaml/snakeyaml@1.33"
    xz = next(p for p in maven if p.name.endswith(":xz"))
    assert xz.purl == "pkg:maven/org.tukaani.xz/xz@1.9"


def test_go_binaries_modules_and_toolchains(
    scanned: Scan, dpkg_reference: dict[str, DpkgRow]
) -> None:
    built_using = dpkg_reference["restic"].built_using
    toolchain = re.search(r"golang-1\.\d+ \(= ([^)]+)\)", built_using)
    assert toolchain is not None, built_using
    expected = go_version_m()
    # Debian builds restic in GOPATH mode: the binary names no module versions, only the
    # toolchain; Debian's own /usr/bin/restic is attributed to the restic package.
    expected[f"{APP}/bin/restic"] = {("stdlib", upstream(toolchain.group(1)))}
    found: dict[str, set[tuple[str, str]]] = {}
    for package in of(scanned, "Go"):
        [path] = paths(package)
        found.setdefault(path, set()).add((package.name, package.version))
    assert found == expected
    lefthook = found[f"{TOOLS}/node_modules/lefthook-linux-x64/bin/lefthook"]
    # A release build names its main module's version; esbuild's (devel) build does not.
    assert ("github.com/evilmartians/lefthook/v2", "2.0.4") in lefthook
    assert ("stdlib", "1.25.3") in lefthook
    assert len(lefthook) == 49
    esbuild = found[f"{TOOLS}/node_modules/@esbuild/linux-x64/bin/esbuild"]
    assert esbuild == {
        ("stdlib", "1.20.12"),
        ("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8"),
    }
    stdlib = next(p for p in of(scanned, "Go") if p.name == "stdlib" and p.version == "1.25.3")
    assert stdlib.purl == "pkg:golang/stdlib@1.25.3"
