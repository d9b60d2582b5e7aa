"""SPDX 2.2/2.3 JSON (produced by Vigil, syft, trivy, sbom-tool...) to an Inventory.

The packages the document DESCRIBES (by relationship or ``documentDescribes``) are its subject:
the first one's name is the target, and a described package without a purl is the target only,
not a package. Packages whose purpose is OPERATING_SYSTEM give the distribution. Every other
package needs a purl (a PACKAGE-MANAGER external reference of type ``purl``) to be matched;
Vigil's properties come back from annotations whose comment is a JSON object of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vigil.domain import Ecosystem, Inventory, ScanWarning
from vigil.sbom import properties
from vigil.sbom.assemble import Document, Entry, assemble
from vigil.sbom.jsonio import MAX_ELEMENTS, InvalidSbom, objects, text
from vigil.sbom.os_component import distro_of

NAME = "spdx-json"
VERSION = "1"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
# An annotation comment longer than this is not one of Vigil's property sets.
_MAX_ANNOTATION = 64 * 1024
_OS_PURPOSES = frozenset({"OPERATING_SYSTEM", "OPERATING-SYSTEM"})


def is_spdx(document: Mapping[str, Any]) -> bool:
    version = document.get("spdxVersion")
    return isinstance(version, str) and version.startswith("SPDX-")


def decode_spdx(document: Mapping[str, Any], *, default_target: str = "sbom") -> Inventory:
    """The inventory a parsed SPDX JSON document describes."""
    version = document.get("spdxVersion")
    if version not in ("SPDX-2.2", "SPDX-2.3"):
        raise InvalidSbom(f"SPDX version {version!r} is not supported (SPDX-2.2, SPDX-2.3)")
    packages = objects(document.get("packages"))
    notes: list[ScanWarning] = []
    if len(packages) > MAX_ELEMENTS:
        notes.append(ScanWarning("packages", f"more than {MAX_ELEMENTS} packages", NAME))
        packages = packages[:MAX_ELEMENTS]
    described = _described(document)
    target: str | None = None
    distro: Ecosystem | None = None
    entries: list[Entry] = []
    for index, package in enumerate(packages):
        where = f"packages[{index}]"
        spdx_id = text(package.get("SPDXID"))
        name, purl = text(package.get("name")), _purl(package)
        if spdx_id in described and target is None:
            target = name
        if text(package.get("primaryPackagePurpose")) in _OS_PURPOSES and purl is None:
            found, problem = distro_of(name or "", text(package.get("versionInfo")) or "")
            distro = distro or found
            if problem:
                notes.append(ScanWarning(where, problem, NAME))
            continue
        if spdx_id in described and purl is None:
            continue
        entries.append(Entry(where, name, text(package.get("versionInfo")), purl, _pairs(package)))
    return assemble(
        Document(
            decoder=NAME,
            decoder_version=VERSION,
            target=target or text(document.get("name")) or default_target,
            entries=tuple(entries),
            distro=distro,
            hints=properties.read_inventory(_pairs(document)),
            notes=tuple(notes),
        )
    )


def _described(document: Mapping[str, Any]) -> set[str]:
    listed = document.get("documentDescribes")
    described = (
        {ref for ref in listed if isinstance(ref, str)} if isinstance(listed, list) else set()
    )
    for relation in objects(document.get("relationships")):
        kind = relation.get("relationshipType")
        left, right = relation.get("spdxElementId"), relation.get("relatedSpdxElement")
        if kind == "DESCRIBES" and left == DOCUMENT_ID and isinstance(right, str):
            described.add(right)
        elif kind == "DESCRIBED_BY" and right == DOCUMENT_ID and isinstance(left, str):
            described.add(left)
    return described


def _purl(package: Mapping[str, Any]) -> str | None:
    for ref in objects(package.get("externalRefs")):
        category = ref.get("referenceCategory")
        if ref.get("referenceType") == "purl" and category in (
            "PACKAGE-MANAGER",
            "PACKAGE_MANAGER",
        ):
            locator = text(ref.get("referenceLocator"))
            if locator is not None:
                return locator
    return None


def _pairs(element: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Vigil's properties from an element's annotations; other annotations are left alone."""
    pairs: list[tuple[str, str]] = []
    for annotation in objects(element.get("annotations")):
        comment = annotation.get("comment")
        if not isinstance(comment, str) or not comment.startswith('{"vigil:'):
            continue
        if len(comment) > _MAX_ANNOTATION:
            continue
        try:
            found = json.loads(comment)
        except (ValueError, RecursionError):
            continue
        if isinstance(found, dict):
            pairs.extend(
                (k, v) for k, v in found.items() if isinstance(v, str) and k.startswith("vigil:")
            )
    return tuple(pairs)
