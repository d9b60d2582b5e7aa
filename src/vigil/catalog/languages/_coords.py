"""Package coordinates per ecosystem: the OSV name and version, and the purl for that type.

Names and versions are what advisories are keyed by (OSV conventions); purls follow the purl
specification for each type (https://github.com/package-url/purl-spec).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from packageurl import PackageURL

from vigil.domain import Ecosystem

PYPI = Ecosystem("PyPI")
NPM = Ecosystem("npm")
MAVEN = Ecosystem("Maven")
GO = Ecosystem("Go")
CRATES_IO = Ecosystem("crates.io")
RUBYGEMS = Ecosystem("RubyGems")
PACKAGIST = Ecosystem("Packagist")
NUGET = Ecosystem("NuGet")

_V_PREFIX = re.compile(r"^v(?=\d)")


class Coordinates(NamedTuple):
    name: str
    version: str
    ecosystem: Ecosystem
    purl: str


def pypi(name: str, version: str) -> Coordinates:
    # packageurl applies the spec's pypi rule: lowercase, '_' becomes '-'.
    purl = PackageURL(type="pypi", name=name, version=version).to_string()
    return Coordinates(name, version, PYPI, purl)


def npm(name: str, version: str) -> Coordinates:
    scope, _, bare = name.rpartition("/")
    purl = PackageURL(type="npm", namespace=scope or None, name=bare, version=version)
    return Coordinates(name, version, NPM, purl.to_string())


def maven(group: str, artifact: str, version: str) -> Coordinates:
    """OSV names Maven packages ``group:artifact``; the purl keeps the group as namespace."""
    name = f"{group}:{artifact}" if group else artifact
    purl = PackageURL(type="maven", namespace=group or None, name=artifact, version=version)
    return Coordinates(name, version, MAVEN, purl.to_string())


def golang(module: str, version: str) -> Coordinates:
    """A Go module; OSV versions carry no ``v`` prefix, the purl keeps Go's own spelling."""
    namespace, _, name = module.rpartition("/")
    bare = _V_PREFIX.sub("", version)
    purl = PackageURL(type="golang", namespace=namespace or None, name=name, version=version)
    return Coordinates(module, bare, GO, purl.to_string())


def go_stdlib(version: str) -> Coordinates:
    """The Go standard library, named ``stdlib`` as the Go vulnerability database does."""
    purl = PackageURL(type="golang", name="stdlib", version=version).to_string()
    return Coordinates("stdlib", version, GO, purl)


def cargo(name: str, version: str) -> Coordinates:
    purl = PackageURL(type="cargo", name=name, version=version).to_string()
    return Coordinates(name, version, CRATES_IO, purl)


def gem(name: str, version: str) -> Coordinates:
    purl = PackageURL(type="gem", name=name, version=version).to_string()
    return Coordinates(name, version, RUBYGEMS, purl)


def composer(name: str, version: str) -> Coordinates:
    """A Composer package ``vendor/name``; a ``v`` before the number is dropped for OSV."""
    vendor, _, bare = name.rpartition("/")
    purl = PackageURL(type="composer", namespace=vendor or None, name=bare, version=version)
    return Coordinates(name, _V_PREFIX.sub("", version), PACKAGIST, purl.to_string())


def nuget(name: str, version: str) -> Coordinates:
    purl = PackageURL(type="nuget", name=name, version=version).to_string()
    return Coordinates(name, version, NUGET, purl)
