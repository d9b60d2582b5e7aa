"""CycloneDX JSON (1.2 to 1.7; produced by Vigil, syft, trivy, cdxgen...) to an Inventory.

Components are read with their nested ``components``, up to ``MAX_ELEMENTS`` in all and
``MAX_DEPTH`` levels. ``operating-system`` components give the distribution; components with a purl
become packages (see ``vigil.sbom.assemble``). Purl-less components of kinds that are packages
(library, application...) are warned about one by one; purl-less files, data and similar are
counted in one warning per kind, since they were never packages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from vigil.domain import Ecosystem, Inventory, ScanWarning
from vigil.sbom import properties
from vigil.sbom.assemble import Document, Entry, assemble
from vigil.sbom.jsonio import MAX_ELEMENTS, InvalidSbom, mapping, objects, text
from vigil.sbom.os_component import distro_of

NAME = "cyclonedx-json"
VERSION = "1"
SPEC_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
MAX_DEPTH = 32
_NOT_PACKAGES = frozenset(
    {"file", "data", "machine-learning-model", "cryptographic-asset", "device", "platform"}
)


def is_cyclonedx(document: Mapping[str, Any]) -> bool:
    return document.get("bomFormat") == "CycloneDX"


def decode_cyclonedx(document: Mapping[str, Any], *, default_target: str = "sbom") -> Inventory:
    """The inventory a parsed CycloneDX JSON document describes."""
    if not is_cyclonedx(document):
        raise InvalidSbom("not a CycloneDX document: bomFormat is not 'CycloneDX'")
    spec = document.get("specVersion")
    if spec not in SPEC_VERSIONS:
        raise InvalidSbom(f"CycloneDX specVersion {spec!r} is not supported {SPEC_VERSIONS}")
    metadata = mapping(document.get("metadata"))
    subject = mapping(metadata.get("component"))
    entries: list[Entry] = []
    notes: list[ScanWarning] = []
    distro: Ecosystem | None = None
    skipped: Counter[str] = Counter()
    for where, component in _walk(document.get("components"), notes):
        kind = text(component.get("type")) or "library"
        purl = text(component.get("purl"))
        if kind == "operating-system" and purl is None:
            found, problem = _distro(component)
            distro = distro or found
            if problem:
                notes.append(ScanWarning(where, problem, NAME))
            continue
        if purl is None and kind in _NOT_PACKAGES:
            skipped[kind] += 1
            continue
        entries.append(_entry(where, component, purl))
    notes.extend(
        ScanWarning("components", f"{count} {kind} component(s) without a purl not read", NAME)
        for kind, count in sorted(skipped.items())
    )
    return assemble(
        Document(
            decoder=NAME,
            decoder_version=VERSION,
            target=text(subject.get("name")) or default_target,
            entries=tuple(entries),
            distro=distro,
            hints=properties.read_inventory(_pairs(metadata.get("properties"))),
            notes=tuple(notes),
        )
    )


def _walk(top: Any, notes: list[ScanWarning]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    stack: list[tuple[str, Any, int]] = [("components", top, 0)]
    seen = 0
    while stack:
        prefix, value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            notes.append(ScanWarning(prefix, f"nested deeper than {MAX_DEPTH}; not read", NAME))
            continue
        children: list[tuple[str, Any, int]] = []
        for index, component in enumerate(value if isinstance(value, list) else []):
            if not isinstance(component, dict):
                continue
            seen += 1
            if seen > MAX_ELEMENTS:
                notes.append(ScanWarning(prefix, f"more than {MAX_ELEMENTS} components", NAME))
                return
            where = f"{prefix}[{index}]"
            yield where, component
            if "components" in component:
                children.append((f"{where}.components", component["components"], depth + 1))
        stack.extend(reversed(children))


def _entry(where: str, component: Mapping[str, Any], purl: str | None) -> Entry:
    return Entry(
        where=where,
        name=text(component.get("name")),
        version=text(component.get("version")),
        purl=purl,
        properties=tuple(_pairs(component.get("properties"))),
    )


def _distro(component: Mapping[str, Any]) -> tuple[Ecosystem | None, str | None]:
    name, version = text(component.get("name")) or "", text(component.get("version")) or ""
    return distro_of(name, version)


def _pairs(value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in objects(value):
        name, content = item.get("name"), item.get("value")
        if isinstance(name, str) and isinstance(content, str):
            pairs.append((name, content))
    return pairs
