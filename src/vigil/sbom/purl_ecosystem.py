"""From a package URL to what Vigil matches on: OSV ecosystem, name, version, source package.

The purl type gives the ecosystem; for OS packages (deb, rpm, apk) the namespace names the
distribution and the ``distro`` qualifier its release (``Debian:12``, ``Alpine:v3.19``). Names and
versions follow OSV's conventions, the same ones Vigil's catalogers record: Maven
``group:artifact``, npm ``@scope/name``, Go module paths and Composer versions without a leading
``v``, rpm versions with their epoch (``1:3.0.7-24.el9``). The source package comes from
``upstream`` (``glibc@2.36-9`` for dpkg, the origin for apk, the source RPM's file name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from packageurl import PackageURL

from vigil.domain import Ecosystem
from vigil.sbom.distro import ecosystem_of_qualifier

_LANGUAGES: dict[str, Ecosystem] = {
    "pypi": Ecosystem("PyPI"),
    "npm": Ecosystem("npm"),
    "maven": Ecosystem("Maven"),
    "golang": Ecosystem("Go"),
    "cargo": Ecosystem("crates.io"),
    "gem": Ecosystem("RubyGems"),
    "composer": Ecosystem("Packagist"),
    "nuget": Ecosystem("NuGet"),
    "hex": Ecosystem("Hex"),
    "pub": Ecosystem("Pub"),
}
# purl namespace -> OSV ecosystem, per OS package type (syft's and Vigil's namespaces).
_DISTRIBUTIONS: dict[str, dict[str, str]] = {
    "deb": {"debian": "Debian", "ubuntu": "Ubuntu"},
    "apk": {"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard"},
    "rpm": {
        "redhat": "Red Hat",
        "rhel": "Red Hat",
        "rocky": "Rocky Linux",
        "almalinux": "AlmaLinux",
        "opensuse": "openSUSE",
        "suse": "SUSE",
        "sles": "SUSE",
        "photon": "Photon OS",
        "mageia": "Mageia",
        "openeuler": "openEuler",
    },
}
_V_PREFIX = re.compile(r"^v(?=\d)")
_SOURCE_RPM = re.compile(r"(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$")
_PEP503 = re.compile(r"[-_.]+")


class UnsupportedPurl(ValueError):
    """A purl that is malformed, of a type Vigil cannot match, or naming an unknown distro."""


@dataclass(frozen=True, slots=True)
class PurlFacts:
    """What a purl says. ``release_known`` is False for an OS package whose release is unknown."""

    name: str
    version: str | None
    ecosystem: Ecosystem
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    release_known: bool = True


def facts_from_purl(purl: str, *, distro: Ecosystem | None = None) -> PurlFacts:
    """Read ``purl``; ``distro`` is the document's OS, used when the purl names no release."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError as exc:
        raise UnsupportedPurl(f"malformed purl: {exc}") from None
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    if parsed.type in _DISTRIBUTIONS:
        return _os_package(parsed, qualifiers, distro)
    base = _LANGUAGES.get(parsed.type)
    if base is None:
        raise UnsupportedPurl(f"purl type {parsed.type!r} has no OSV ecosystem Vigil matches")
    name = _NAMES.get(parsed.type, _plain)(parsed)
    version = parsed.version
    if version is not None and parsed.type in ("golang", "composer"):
        version = _V_PREFIX.sub("", version)
    return PurlFacts(name, version, base, arch=qualifiers.get("arch"))


def same_pypi_name(a: str, b: str) -> bool:
    """Whether two PyPI names are one project (PEP 503 normalisation)."""
    return _PEP503.sub("-", a).lower() == _PEP503.sub("-", b).lower()


def _plain(parsed: PackageURL) -> str:
    return str(parsed.name)


def _joined(separator: str) -> Callable[[PackageURL], str]:
    def name(parsed: PackageURL) -> str:
        return f"{parsed.namespace}{separator}{parsed.name}" if parsed.namespace else parsed.name

    return name


_NAMES: dict[str, Callable[[PackageURL], str]] = {
    "npm": _joined("/"),
    "maven": _joined(":"),
    "golang": _joined("/"),
    "composer": _joined("/"),
}


def _os_package(
    parsed: PackageURL, qualifiers: dict[str, str], distro: Ecosystem | None
) -> PurlFacts:
    namespace = (parsed.namespace or "").lower()
    base_name = _DISTRIBUTIONS[parsed.type].get(namespace)
    if base_name is None:
        raise UnsupportedPurl(
            f"{parsed.type} purl namespace {namespace or '(none)'!r} names no distribution "
            "that OSV covers"
        )
    ecosystem, known = _release(base_name, namespace, qualifiers.get("distro"), distro)
    version = parsed.version
    epoch = qualifiers.get("epoch")
    if version is not None and epoch and parsed.type == "rpm":
        version = f"{epoch}:{version}"
    source_name, source_version = _source(parsed.type, qualifiers.get("upstream"), epoch)
    return PurlFacts(
        name=parsed.name,
        version=version,
        ecosystem=ecosystem,
        source_name=source_name or parsed.name,
        source_version=source_version or version,
        arch=qualifiers.get("arch"),
        release_known=known,
    )


def _release(
    base_name: str, namespace: str, qualifier: str | None, distro: Ecosystem | None
) -> tuple[Ecosystem, bool]:
    if qualifier:
        found = ecosystem_of_qualifier(qualifier, namespace)
        if found is not None and found.name == base_name:
            return found, True
    if distro is not None and distro.name == base_name:
        return distro, True
    rolling = base_name in ("Wolfi", "Chainguard")
    return Ecosystem(base_name), rolling


def _source(
    purl_type: str, upstream: str | None, epoch: str | None
) -> tuple[str | None, str | None]:
    if not upstream:
        return None, None
    if purl_type == "rpm":
        match = _SOURCE_RPM.match(upstream)
        if match is None:
            return None, None
        prefix = f"{epoch}:" if epoch else ""
        return match.group(1), f"{prefix}{match.group(2)}-{match.group(3)}"
    if purl_type == "deb":
        name, _, version = upstream.partition("@")
        return name, version or None
    return upstream, None
