"""``vigil-json``: Vigil's own lossless JSON of an Inventory, and its reader.

Schema version 1.0 (readers accept any 1.x and ignore keys they do not know)::

    {
      "schemaVersion": "1.0",
      "generator": {"name": "vigil", "version": "0.1.0"},
      "created": "2025-01-31T12:00:00Z",
      "target": "registry.example/app:1.2",
      "distro": "Debian:12",                       # optional: OSV ecosystem of the OS
      "catalogers": [{"name": "dpkg", "version": "1"}],
      "packages": [{
        "name": "libc6", "version": "2.36-9+deb12u4", "ecosystem": "Debian:12",
        "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc",
        "cataloger": "dpkg",
        "locations": [{"path": "var/lib/dpkg/status", "layerDigest": "sha256:..."}],
        "sourceName": "glibc", "sourceVersion": "2.36-9+deb12u4", "arch": "amd64"
      }],
      "warnings": [{"path": "usr/lib/x/METADATA", "reason": "...", "cataloger": "python"}]
    }

``layerDigest``, ``sourceName``, ``sourceVersion``, ``arch``, ``distro`` and a warning's
``cataloger`` are left out when absent (None), so reading gives back the same Inventory.
``generator`` and ``created`` describe the document, not the inventory, and are not read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigil.domain import Ecosystem, Inventory, Location, Package, ScanWarning, UnknownEcosystem
from vigil.sbom.info import DocumentInfo
from vigil.sbom.jsonio import MAX_ELEMENTS, MAX_SBOM_BYTES, InvalidSbom, dump_json, load_json

SCHEMA_VERSION = "1.0"


def encode_vigil_json(inventory: Inventory, info: DocumentInfo) -> bytes:
    document: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "generator": {"name": info.tool_name, "version": info.tool_version},
        "created": info.timestamp,
        "target": inventory.target,
    }
    if inventory.distro is not None:
        document["distro"] = str(inventory.distro)
    document["catalogers"] = [{"name": n, "version": v} for n, v in inventory.catalogers]
    document["packages"] = [_package(p) for p in inventory.packages]
    document["warnings"] = [_warning(w) for w in inventory.warnings]
    return dump_json(document)


def is_vigil_json(document: Mapping[str, Any]) -> bool:
    return "schemaVersion" in document and "target" in document and "packages" in document


def inventory_from_vigil_json(data: bytes | str, *, limit: int = MAX_SBOM_BYTES) -> Inventory:
    """Read a ``vigil-json`` document; ``InvalidSbom`` says where it departs from the schema."""
    document = load_json(data, limit=limit)
    if not isinstance(document, Mapping):
        raise InvalidSbom("vigil-json: the document is not a JSON object")
    return decode_vigil_json(document)


def decode_vigil_json(document: Mapping[str, Any]) -> Inventory:
    version = document.get("schemaVersion")
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InvalidSbom(f"vigil-json: schemaVersion {version!r} is not 1.x")
    reader = _Reader(document, "")
    packages = reader.array("packages")
    if len(packages) > MAX_ELEMENTS:
        raise InvalidSbom(f"vigil-json: more than {MAX_ELEMENTS} packages")
    distro = reader.optional("distro")
    return Inventory(
        target=reader.string("target"),
        packages=tuple(_read_package(p) for p in packages),
        distro=reader.ecosystem(distro, "distro") if distro is not None else None,
        warnings=tuple(_read_warning(w) for w in reader.array("warnings")),
        catalogers=tuple(
            (c.string("name"), c.string("version")) for c in reader.array("catalogers")
        ),
    )


def _package(package: Package) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": package.name,
        "version": package.version,
        "ecosystem": str(package.ecosystem),
        "purl": package.purl,
        "cataloger": package.cataloger,
        "locations": [_location(loc) for loc in package.locations],
    }
    optional = {
        "sourceName": package.source_name,
        "sourceVersion": package.source_version,
        "arch": package.arch,
    }
    entry.update({key: value for key, value in optional.items() if value is not None})
    return entry


def _location(location: Location) -> dict[str, str]:
    entry = {"path": location.path}
    if location.layer_digest is not None:
        entry["layerDigest"] = location.layer_digest
    return entry


def _warning(warning: ScanWarning) -> dict[str, str]:
    entry = {"path": warning.path, "reason": warning.reason}
    if warning.cataloger is not None:
        entry["cataloger"] = warning.cataloger
    return entry


def _read_package(reader: _Reader) -> Package:
    return Package(
        name=reader.string("name"),
        version=reader.string("version"),
        ecosystem=reader.ecosystem(reader.string("ecosystem"), "ecosystem"),
        purl=reader.string("purl"),
        cataloger=reader.string("cataloger"),
        locations=tuple(
            Location(loc.string("path"), loc.optional("layerDigest"))
            for loc in reader.array("locations")
        ),
        source_name=reader.optional("sourceName"),
        source_version=reader.optional("sourceVersion"),
        arch=reader.optional("arch"),
    )


def _read_warning(reader: _Reader) -> ScanWarning:
    return ScanWarning(reader.string("path"), reader.string("reason"), reader.optional("cataloger"))


class _Reader:
    """Typed access to one JSON object, naming the offending place in every error."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            raise InvalidSbom(f"vigil-json: {where or 'the document'} is not an object")
        self._value = value
        self._where = where

    def _place(self, key: str) -> str:
        return f"{self._where}.{key}" if self._where else key

    def string(self, key: str) -> str:
        value = self._value.get(key)
        if not isinstance(value, str):
            raise InvalidSbom(f"vigil-json: {self._place(key)} must be a string")
        return value

    def optional(self, key: str) -> str | None:
        return self.string(key) if self._value.get(key) is not None else None

    def array(self, key: str) -> list[_Reader]:
        value = self._value.get(key, [])
        if not isinstance(value, list):
            raise InvalidSbom(f"vigil-json: {self._place(key)} must be an array")
        return [_Reader(item, f"{self._place(key)}[{i}]") for i, item in enumerate(value)]

    def ecosystem(self, text: str, key: str) -> Ecosystem:
        try:
            return Ecosystem.parse(text)
        except UnknownEcosystem:
            raise InvalidSbom(
                f"vigil-json: {self._place(key)}: unknown ecosystem {text!r}"
            ) from None
