"""Vigil's property namespace: what CycloneDX and SPDX have no field for, as name/value pairs.

Per package: ``vigil:package:ecosystem``, ``vigil:package:cataloger``,
``vigil:package:source-name``, ``vigil:package:source-version``, ``vigil:package:arch``,
``vigil:location:N:path`` and ``vigil:location:N:layer-digest``. Per inventory:
``vigil:inventory:distro``, ``vigil:cataloger:NAME`` (its version) and, for every warning,
``vigil:warning:N`` ("path: reason", for people) with ``vigil:warning:N:path`` and
``vigil:warning:N:cataloger`` (so it reads back exactly). A pair is written only when the value
is not None, which keeps the round trip lossless.

Reading also understands syft's ``syft:location:N:path`` and ``syft:location:N:layerID``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vigil.domain import Inventory, Location, Package, ScanWarning

Pairs = list[tuple[str, str]]

ECOSYSTEM = "vigil:package:ecosystem"
CATALOGER = "vigil:package:cataloger"
SOURCE_NAME = "vigil:package:source-name"
SOURCE_VERSION = "vigil:package:source-version"
ARCH = "vigil:package:arch"
DISTRO = "vigil:inventory:distro"
CATALOGER_PREFIX = "vigil:cataloger:"

_LOCATION = re.compile(r"(vigil|syft):location:(\d{1,6}):(path|layer-digest|layerID)")
_WARNING = re.compile(r"vigil:warning:(\d{1,7})(?::(path|cataloger))?")


@dataclass(frozen=True, slots=True)
class PackageHints:
    """What a package's properties say. ``written_by_vigil`` trusts the absence of a field too."""

    written_by_vigil: bool = False
    ecosystem: str | None = None
    cataloger: str | None = None
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class InventoryHints:
    distro: str | None = None
    catalogers: tuple[tuple[str, str], ...] = ()
    warnings: tuple[ScanWarning, ...] = ()


def package_properties(package: Package) -> Pairs:
    pairs: Pairs = [(ECOSYSTEM, str(package.ecosystem)), (CATALOGER, package.cataloger)]
    for name, value in (
        (SOURCE_NAME, package.source_name),
        (SOURCE_VERSION, package.source_version),
        (ARCH, package.arch),
    ):
        if value is not None:
            pairs.append((name, value))
    for index, location in enumerate(package.locations):
        pairs.append((f"vigil:location:{index}:path", location.path))
        if location.layer_digest is not None:
            pairs.append((f"vigil:location:{index}:layer-digest", location.layer_digest))
    return pairs


def inventory_properties(inventory: Inventory) -> Pairs:
    pairs: Pairs = []
    if inventory.distro is not None:
        pairs.append((DISTRO, str(inventory.distro)))
    pairs.extend((CATALOGER_PREFIX + name, version) for name, version in inventory.catalogers)
    for index, warning in enumerate(inventory.warnings):
        pairs.append((f"vigil:warning:{index}", f"{warning.path}: {warning.reason}"))
        pairs.append((f"vigil:warning:{index}:path", warning.path))
        if warning.cataloger is not None:
            pairs.append((f"vigil:warning:{index}:cataloger", warning.cataloger))
    return pairs


def read_package(pairs: Iterable[tuple[str, str]]) -> PackageHints:
    found: dict[str, str] = {}
    paths: dict[tuple[str, int], str] = {}
    layers: dict[tuple[str, int], str] = {}
    for name, value in pairs:
        match = _LOCATION.fullmatch(name)
        if match is None:
            found.setdefault(name, value)
            continue
        key = (match.group(1), int(match.group(2)))
        (paths if match.group(3) == "path" else layers).setdefault(key, value)
    # Vigil's own locations win over syft's when a document carries both.
    owner = "vigil" if any(tool == "vigil" for tool, _ in paths) else "syft"
    # syft writes absolute paths; Vigil's locations are relative to the target's root.
    locations = tuple(
        Location(paths[key] if owner == "vigil" else paths[key].lstrip("/"), layers.get(key))
        for key in sorted(paths)
        if key[0] == owner
    )
    return PackageHints(
        written_by_vigil=CATALOGER in found,
        ecosystem=found.get(ECOSYSTEM),
        cataloger=found.get(CATALOGER),
        source_name=found.get(SOURCE_NAME),
        source_version=found.get(SOURCE_VERSION),
        arch=found.get(ARCH),
        locations=locations,
    )


def read_inventory(pairs: Iterable[tuple[str, str]]) -> InventoryHints:
    distro: str | None = None
    catalogers: list[tuple[str, str]] = []
    shown: dict[int, str] = {}
    parts: dict[tuple[int, str], str] = {}
    for name, value in pairs:
        if name == DISTRO:
            distro = distro or value
        elif name.startswith(CATALOGER_PREFIX) and len(name) > len(CATALOGER_PREFIX):
            catalogers.append((name[len(CATALOGER_PREFIX) :], value))
        elif (match := _WARNING.fullmatch(name)) is not None:
            index = int(match.group(1))
            if match.group(2) is None:
                shown.setdefault(index, value)
            else:
                parts.setdefault((index, match.group(2)), value)
    warnings = tuple(
        _warning(shown[i], parts.get((i, "path")), parts.get((i, "cataloger")))
        for i in sorted(shown)
    )
    return InventoryHints(distro, tuple(catalogers), warnings)


def _warning(shown: str, path: str | None, cataloger: str | None) -> ScanWarning:
    if path is not None and shown.startswith(path + ": "):
        return ScanWarning(path, shown[len(path) + 2 :], cataloger)
    # Written by hand or by another tool: "path: reason" is the only structure there is.
    head, sep, tail = shown.partition(": ")
    return ScanWarning(head, tail, cataloger) if sep else ScanWarning("", shown, cataloger)
