"""A package found in a target, as catalogers report it."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.domain.ecosystem import Ecosystem


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where evidence of a package was read: a path in the target and the image layer holding it."""

    path: str
    layer_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """One installed or declared package.

    Distribution advisories are keyed by source package, so OS packages carry the source name and
    version (``source_name``/``source_version``); for a binary built from a source of the same
    name and version they equal ``name``/``version``.
    """

    name: str
    version: str
    ecosystem: Ecosystem
    purl: str
    cataloger: str
    locations: tuple[Location, ...] = ()
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None

    @property
    def match_name(self) -> str:
        """The name advisories use for this package: the source package for distributions."""
        return self.source_name or self.name

    @property
    def match_version(self) -> str:
        return self.source_version or self.version
