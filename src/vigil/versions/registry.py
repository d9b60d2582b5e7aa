"""Which version scheme each OSV ecosystem uses. Explicit, so a missing scheme is visible here."""

from __future__ import annotations

from vigil.versions import (
    apk,
    cargo,
    composer,
    dpkg,
    golang,
    maven,
    npm,
    nuget,
    pep440,
    rpm,
    rubygems,
    semver,
)
from vigil.versions.scheme import VersionScheme


class UnsupportedEcosystem(ValueError):
    """No version scheme is known for this ecosystem, so its versions cannot be compared."""


_BY_ECOSYSTEM: dict[str, VersionScheme] = {
    "Debian": dpkg.SCHEME,
    "Ubuntu": dpkg.SCHEME,
    "Alpine": apk.SCHEME,
    "Alpaquita": apk.SCHEME,
    "BellSoft Hardened Containers": apk.SCHEME,
    "Chainguard": apk.SCHEME,
    "MinimOS": apk.SCHEME,
    "Wolfi": apk.SCHEME,
    "AlmaLinux": rpm.SCHEME,
    "Mageia": rpm.SCHEME,
    "openEuler": rpm.SCHEME,
    "openSUSE": rpm.SCHEME,
    "Photon OS": rpm.SCHEME,
    "Red Hat": rpm.SCHEME,
    "Rocky Linux": rpm.SCHEME,
    "SUSE": rpm.SCHEME,
    "PyPI": pep440.SCHEME,
    "npm": npm.SCHEME,
    "Maven": maven.SCHEME,
    "RubyGems": rubygems.SCHEME,
    "Go": golang.SCHEME,
    "crates.io": cargo.SCHEME,
    "NuGet": nuget.SCHEME,
    "Packagist": composer.SCHEME,
    "Bitnami": semver.SCHEME,
    "Hex": semver.SCHEME,
    "SwiftURL": semver.SCHEME,
}

# OSV's SEMVER ranges are SemVer 2.0 whatever the ecosystem; Go keeps its own rules because
# Go versions accept shorthands (v1.2) that plain SemVer does not.
_SEMVER_OVERRIDES: dict[str, VersionScheme] = {"Go": golang.SCHEME}


def _base(ecosystem: str) -> str:
    return ecosystem.partition(":")[0]


def scheme_for(ecosystem: str) -> VersionScheme:
    """The scheme for an OSV ecosystem name, with or without release suffix (``Debian:12``)."""
    try:
        return _BY_ECOSYSTEM[_base(ecosystem)]
    except KeyError:
        raise UnsupportedEcosystem(f"no version scheme for ecosystem {ecosystem!r}") from None


def semver_scheme_for(ecosystem: str) -> VersionScheme:
    """The scheme for a ``SEMVER`` range of a record in this ecosystem."""
    return _SEMVER_OVERRIDES.get(_base(ecosystem), semver.SCHEME)


def supported_ecosystems() -> tuple[str, ...]:
    return tuple(sorted(_BY_ECOSYSTEM, key=str.lower))
