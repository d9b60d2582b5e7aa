"""Scan one target into an inventory: open it, run the catalogers, say what could not be read.

The target's own warnings (members skipped while indexing, a walk cut short) join the
catalogers' in the inventory, so an SBOM states everything that was left out and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from vigil.catalog.cataloger import Cataloger
from vigil.catalog.registry import DEFAULT_CATALOGERS
from vigil.catalog.runner import catalog, wanted_predicate
from vigil.domain import Inventory, ScanWarning
from vigil.targets import (
    DEFAULT_LIMITS,
    ImageNotFound,
    Limits,
    Platform,
    RegistryOptions,
    TargetError,
    TargetNotFound,
    open_target,
)
from vigil.targets.oci_model import DEFAULT_PLATFORM
from vigil.targets.registry_ref import NO_OPTIONS

# What callers outside the service (the CLI, the API) need to call ``scan_inventory`` and to tell
# its failures apart, without reaching into the rooms behind it.
__all__ = [
    "INCOMPLETE",
    "ImageNotFound",
    "Limits",
    "Platform",
    "RegistryOptions",
    "ScanProgress",
    "TargetError",
    "TargetNotFound",
    "scan_inventory",
]

INCOMPLETE = "the target was read only in part (a bound was hit); the inventory is incomplete"


class ScanProgress(Protocol):
    """What a scan reports as it goes; a display implements it, the scan never waits on it."""

    def opening(self, spec: str) -> None:
        """The target is being opened (for images: every layer is read once)."""

    def cataloging(self, done: int, total: int) -> None:
        """``done`` of ``total`` files have been dispatched to the catalogers."""


def scan_inventory(
    spec: str,
    *,
    platform: Platform | None = None,
    limits: Limits | None = None,
    progress: ScanProgress | None = None,
    registry: RegistryOptions | None = None,
    catalogers: Sequence[Cataloger] = DEFAULT_CATALOGERS,
) -> Inventory:
    """The inventory of the target ``spec`` names (``dir:``, ``docker-archive:``, ``oci:``,
    ``registry:``, ``zip:`` or a bare path); raises a ``TargetError`` when it cannot be opened.
    """
    if progress is not None:
        progress.opening(spec)
    with open_target(
        spec,
        wanted_predicate(catalogers),
        limits=limits or DEFAULT_LIMITS,
        platform=platform or DEFAULT_PLATFORM,
        registry=registry or NO_OPTIONS,
    ) as target:
        found = catalog(
            target,
            catalogers,
            target=spec,
            progress=progress.cataloging if progress is not None else None,
        )
        reading = list(target.warnings)
        if not target.complete:
            reading.append(ScanWarning(".", INCOMPLETE))
    if not reading:
        return found
    merged = sorted([*reading, *found.warnings], key=lambda w: w.path)
    return replace(found, warnings=tuple(merged))
