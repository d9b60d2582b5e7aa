"""What a scan of one target found, and what it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.domain.ecosystem import Ecosystem
from vigil.domain.package import Package


@dataclass(frozen=True, slots=True)
class ScanWarning:
    """Something a scan could not read, and why; never silently dropped."""

    path: str
    reason: str
    cataloger: str | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """The packages of one target at one time.

    ``catalogers`` pairs each cataloger that ran with its version, so stored inventories become
    stale when a cataloger changes. ``distro`` is the OS ecosystem (``Debian:12``) when known.
    """

    target: str
    packages: tuple[Package, ...]
    distro: Ecosystem | None = None
    warnings: tuple[ScanWarning, ...] = ()
    catalogers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def understood(self) -> bool:
        """Whether the scan recognised anything at all: an OS or at least one package."""
        return self.distro is not None or bool(self.packages)
