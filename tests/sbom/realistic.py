"""A realistic inventory: the packages in fixtures/syft/rootfs, as Vigil's catalogers record them.

The Debian rows are the real stanzas of a Debian 12 system's /var/lib/dpkg/status (binary name,
version, Source field, architecture); the PyPI and npm rows are real releases (see
fixtures/README.md). Two more language ecosystems and two warnings make every field appear.
"""

from __future__ import annotations

from packageurl import PackageURL

from vigil.domain import Ecosystem, Inventory, Location, Package, ScanWarning

DEBIAN_12 = Ecosystem("Debian", "12")
BASE_LAYER = "sha256:dd2c50ca3a9f17169edaa87eaefbff94651797f88f5f28c37d0f959d4ed4aade"
PYTHON_LAYER = "sha256:7080c6c8dc0762aef1a325d9d1e17dff920855028db43d14b3f47a35addb4104"
NODE_LAYER = "sha256:9ef5d4f3a07aed7fad6a701a0b371b4c549d7b7372e6a6a16e0cf07c632be730"
SITE = "opt/app/lib/python3.11/site-packages"
LOCK = "opt/app/web/package-lock.json"

# (Package, Version, Source field or "", Architecture) from dpkg's status file.
DPKG_ROWS = (
    ("bash", "5.2.15-2+b8", "bash (5.2.15-2)", "amd64"),
    ("ca-certificates", "20230311+deb12u1", "", "all"),
    ("coreutils", "9.1-1", "", "amd64"),
    ("gzip", "1.12-1", "", "amd64"),
    ("libc6", "2.36-9+deb12u14", "glibc", "amd64"),
    ("libgcc-s1", "12.2.0-14+deb12u1", "gcc-12", "amd64"),
    ("liblzma5", "5.4.1-1", "xz-utils", "amd64"),
    ("libssl3", "3.0.19-1~deb12u2", "openssl", "amd64"),
    ("libsystemd0", "252.38-1~deb12u1", "systemd", "amd64"),
    ("libuuid1", "2.38.1-5+deb12u3", "util-linux", "amd64"),
    ("login", "1:4.13+dfsg1-1+deb12u1", "shadow", "amd64"),
    ("perl-base", "5.36.0-7+deb12u4", "perl", "amd64"),
    ("tar", "1.34+dfsg-1.2+deb12u1", "", "amd64"),
    ("tzdata", "2025b-0+deb12u2", "", "all"),
    ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "amd64"),
)
PYPI_ROWS = (
    ("PyYAML", "6.0.3", "pyyaml-6.0.3.dist-info"),
    ("click", "8.5.1", "click-8.5.1.dist-info"),
    ("jsonschema", "4.26.0", "jsonschema-4.26.0.dist-info"),
    ("packageurl-python", "0.17.6", "packageurl_python-0.17.6.dist-info"),
)
NPM_ROWS = (
    ("@babel/helper-string-parser", "7.24.8"),
    ("debug", "4.3.4"),
    ("lodash", "4.17.21"),
    ("minimist", "1.2.8"),
    ("ms", "2.1.2"),
)


def dpkg_package(name: str, version: str, source: str, arch: str) -> Package:
    source_name, _, rest = source.partition(" (")
    source_version = rest.rstrip(")") or None
    upstream = None
    if source_name:
        upstream = f"{source_name}@{source_version}" if source_version else source_name
    qualifiers = {"arch": arch, "distro": "debian-12"}
    if upstream:
        qualifiers["upstream"] = upstream
    purl = PackageURL("deb", "debian", name, version, qualifiers).to_string()
    return Package(
        name=name,
        version=version,
        ecosystem=DEBIAN_12,
        purl=purl,
        cataloger="dpkg",
        locations=(Location("var/lib/dpkg/status", BASE_LAYER),),
        source_name=source_name or name,
        source_version=source_version or version,
        arch=arch,
    )


def _pypi(name: str, version: str, dist_info: str) -> Package:
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem("PyPI"),
        purl=PackageURL("pypi", None, name, version).to_string(),
        cataloger="python-installed",
        locations=(Location(f"{SITE}/{dist_info}/METADATA", PYTHON_LAYER),),
    )


def _npm(name: str, version: str) -> Package:
    scope, _, bare = name.rpartition("/")
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem("npm"),
        purl=PackageURL("npm", scope or None, bare, version).to_string(),
        cataloger="npm-package-lock",
        locations=(Location(LOCK, NODE_LAYER),),
    )


def realistic_inventory() -> Inventory:
    packages = [dpkg_package(*row) for row in DPKG_ROWS]
    packages += [_pypi(*row) for row in PYPI_ROWS]
    packages += [_npm(*row) for row in NPM_ROWS]
    packages.append(
        Package(
            name="org.apache.logging.log4j:log4j-core",
            version="2.17.1",
            ecosystem=Ecosystem("Maven"),
            purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
            cataloger="java-archive",
            locations=(Location("opt/app/lib/log4j-core-2.17.1.jar"),),
        )
    )
    packages.append(
        Package(
            name="golang.org/x/net",
            version="0.17.0",
            ecosystem=Ecosystem("Go"),
            purl="pkg:golang/golang.org/x/net@v0.17.0",
            cataloger="go-binary",
            locations=(Location("usr/local/bin/app"), Location("usr/local/bin/app-helper")),
        )
    )
    return Inventory(
        target="registry.example.test/shop/web:1.4.2",
        packages=tuple(packages),
        distro=DEBIAN_12,
        warnings=(
            ScanWarning(
                "opt/app/lib/python3.11/site-packages/broken-1.0.dist-info/METADATA",
                "no Version field; skipped",
                "python-installed",
            ),
            ScanWarning("usr/share/app/huge.jar", "larger than 268435456 bytes; not read"),
        ),
        catalogers=(
            ("dpkg", "1"),
            ("python-installed", "1"),
            ("npm-package-lock", "1"),
            ("java-archive", "1"),
            ("go-binary", "1"),
        ),
    )
