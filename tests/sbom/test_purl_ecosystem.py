"""Package URLs as syft, trivy and Vigil write them, read into OSV ecosystems and names."""

from __future__ import annotations

import pytest

from vigil.domain import Ecosystem
from vigil.sbom.distro import ecosystem_of_os, ecosystem_of_qualifier
from vigil.sbom.purl_ecosystem import PurlFacts, UnsupportedPurl, facts_from_purl

E = Ecosystem.parse


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        (
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc",
            PurlFacts(
                "libc6", "2.36-9+deb12u14", E("Debian:12"), "glibc", "2.36-9+deb12u14", "amd64"
            ),
        ),
        (
            "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2",
            PurlFacts("bash", "5.2.15-2+b8", E("Debian:12"), "bash", "5.2.15-2", "amd64"),
        ),
        (
            "pkg:deb/debian/tzdata@2025b-0%2Bdeb12u2?arch=all&distro=debian-12.11",
            PurlFacts(
                "tzdata", "2025b-0+deb12u2", E("Debian:12"), "tzdata", "2025b-0+deb12u2", "all"
            ),
        ),
        (
            "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04",
            PurlFacts(
                "openssl",
                "3.0.2-0ubuntu1.15",
                E("Ubuntu:22.04:LTS"),
                "openssl",
                "3.0.2-0ubuntu1.15",
                "amd64",
            ),
        ),
        (
            "pkg:deb/ubuntu/libc6@2.38-1ubuntu6?arch=amd64&distro=ubuntu-23.10&upstream=glibc",
            PurlFacts(
                "libc6", "2.38-1ubuntu6", E("Ubuntu:23.10"), "glibc", "2.38-1ubuntu6", "amd64"
            ),
        ),
        (
            "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=bookworm",
            PurlFacts("zlib1g", "1:1.2.13.dfsg-1", E("Debian:12"), "zlib1g", "1:1.2.13.dfsg-1"),
        ),
        (
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1",
            PurlFacts("libcrypto3", "3.1.4-r5", E("Alpine:v3.19"), "openssl", "3.1.4-r5", "x86_64"),
        ),
        (
            "pkg:apk/wolfi/glibc@2.39-r5?arch=x86_64",
            PurlFacts("glibc", "2.39-r5", E("Wolfi"), "glibc", "2.39-r5", "x86_64"),
        ),
        (
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1"
            "&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.4",
            PurlFacts(
                "openssl-libs",
                "1:3.0.7-27.el9",
                E("Red Hat:enterprise_linux:9"),
                "openssl",
                "1:3.0.7-27.el9",
                "x86_64",
            ),
        ),
        (
            "pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&upstream=bash-5.1.8-9.el9.src.rpm"
            "&distro=rocky-9.4",
            PurlFacts("bash", "5.1.8-9.el9", E("Rocky Linux:9"), "bash", "5.1.8-9.el9", "x86_64"),
        ),
        (
            "pkg:rpm/opensuse/libz1@1.2.13-150500.4.3.1?arch=x86_64&distro=opensuse-leap-15.5",
            PurlFacts(
                "libz1",
                "1.2.13-150500.4.3.1",
                E("openSUSE:Leap 15.5"),
                "libz1",
                "1.2.13-150500.4.3.1",
                "x86_64",
            ),
        ),
        (
            "pkg:rpm/suse/libz1@1.2.13-150500.4.3.1?arch=x86_64&distro=sles-15.5",
            PurlFacts(
                "libz1",
                "1.2.13-150500.4.3.1",
                E("SUSE:Linux Enterprise Server 15 SP5"),
                "libz1",
                "1.2.13-150500.4.3.1",
                "x86_64",
            ),
        ),
        ("pkg:pypi/pyyaml@6.0.3", PurlFacts("pyyaml", "6.0.3", E("PyPI"))),
        (
            "pkg:npm/%40babel/helper-string-parser@7.24.8",
            PurlFacts("@babel/helper-string-parser", "7.24.8", E("npm")),
        ),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
            PurlFacts("org.apache.logging.log4j:log4j-core", "2.17.1", E("Maven")),
        ),
        ("pkg:golang/golang.org/x/net@v0.17.0", PurlFacts("golang.org/x/net", "0.17.0", E("Go"))),
        ("pkg:golang/stdlib@1.22.1", PurlFacts("stdlib", "1.22.1", E("Go"))),
        ("pkg:cargo/serde@1.0.197", PurlFacts("serde", "1.0.197", E("crates.io"))),
        ("pkg:gem/rails@7.1.3.2", PurlFacts("rails", "7.1.3.2", E("RubyGems"))),
        (
            "pkg:composer/laravel/framework@v10.48.4",
            PurlFacts("laravel/framework", "10.48.4", E("Packagist")),
        ),
        ("pkg:nuget/Newtonsoft.Json@13.0.3", PurlFacts("Newtonsoft.Json", "13.0.3", E("NuGet"))),
        ("pkg:hex/phoenix@1.7.11", PurlFacts("phoenix", "1.7.11", E("Hex"))),
        ("pkg:pub/http@1.2.1", PurlFacts("http", "1.2.1", E("Pub"))),
        ("pkg:npm/left-pad", PurlFacts("left-pad", None, E("npm"))),
    ],
)
def test_purls_give_osv_coordinates(purl: str, expected: PurlFacts) -> None:
    assert facts_from_purl(purl) == expected


def test_document_distro_scopes_os_purls_without_a_qualifier() -> None:
    purl = "pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc"
    bare = facts_from_purl(purl)
    assert (bare.ecosystem, bare.release_known) == (Ecosystem("Debian"), False)
    scoped = facts_from_purl(purl, distro=Ecosystem("Debian", "12"))
    assert (scoped.ecosystem, scoped.release_known) == (Ecosystem("Debian", "12"), True)
    # A distro of another family does not apply.
    other = facts_from_purl(purl, distro=Ecosystem("Alpine", "v3.19"))
    assert other.ecosystem == Ecosystem("Debian")


@pytest.mark.parametrize(
    ("purl", "reason"),
    [
        ("pkg:generic/openssl@3.0.13", "purl type 'generic'"),
        ("pkg:conan/zlib@1.3", "purl type 'conan'"),
        ("pkg:deb/raspbian/libc6@2.36-9", "namespace 'raspbian'"),
        ("pkg:rpm/fedora/bash@5.2.26-3.fc40", "namespace 'fedora'"),
        ("pkg:apk/libcrypto3@3.1.4-r5", "namespace '(none)'"),
        ("not a purl", "malformed purl"),
        ("pkg:", "malformed purl"),
    ],
)
def test_unusable_purls_are_refused_with_a_reason(purl: str, reason: str) -> None:
    with pytest.raises(UnsupportedPurl, match=reason.replace("(", r"\(").replace(")", r"\)")):
        facts_from_purl(purl)


@pytest.mark.parametrize(
    ("os_id", "version", "expected"),
    [
        ("debian", "12", "Debian:12"),
        ("debian", "11.9", "Debian:11"),
        ("bookworm", "", "Debian:12"),
        ("ubuntu", "24.04", "Ubuntu:24.04:LTS"),
        ("ubuntu", "jammy", "Ubuntu:22.04:LTS"),
        ("alpine", "3.20.3", "Alpine:v3.20"),
        ("rhel", "8.10", "Red Hat:enterprise_linux:8"),
        ("almalinux", "9.4", "AlmaLinux:9"),
        ("sles", "15", "SUSE:Linux Enterprise Server 15"),
        ("photon", "5.0", "Photon OS:5.0"),
        ("chainguard", "20230214", "Chainguard"),
    ],
)
def test_operating_systems_by_os_release_id(os_id: str, version: str, expected: str) -> None:
    assert ecosystem_of_os(os_id, version) == Ecosystem.parse(expected)


@pytest.mark.parametrize(
    ("os_id", "version"), [("fedora", "40"), ("debian", "sid"), ("alpine", "edge"), ("", "")]
)
def test_operating_systems_osv_does_not_cover(os_id: str, version: str) -> None:
    assert ecosystem_of_os(os_id, version) is None


def test_a_bare_version_qualifier_takes_the_namespace() -> None:
    assert ecosystem_of_qualifier("12", "debian") == Ecosystem("Debian", "12")
    assert ecosystem_of_qualifier("!!", "debian") is None
