"""Inventory to SPDX 2.3 JSON.

The document DESCRIBES a root package standing for the target, which CONTAINS one package per
Vigil package (and an OPERATING_SYSTEM package for the distribution). Each package carries its
purl as a PACKAGE-MANAGER external reference and Vigil's properties (``vigil.sbom.properties``)
as one annotation whose comment is a JSON object, since SPDX 2.3 has no property fields. The
inventory's warnings are listed for people in the document ``comment`` and, with the rest of
the inventory's properties, in a document annotation for machines.

The JSON is built directly: spdx-tools needed seconds to write 10,000 packages.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import quote

from vigil.domain import Ecosystem, Inventory, Package
from vigil.sbom import properties
from vigil.sbom.ids import UniqueIds
from vigil.sbom.info import PLACEHOLDER, DocumentInfo, with_derived_id
from vigil.sbom.jsonio import dump_json

DOCUMENT_ID = "SPDXRef-DOCUMENT"
TARGET_ID = "SPDXRef-Target"
DISTRO_ID = "SPDXRef-OperatingSystem"
NAMESPACE_BASE = "https://spdx.org/spdxdocs/vigil"
NOASSERTION = "NOASSERTION"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def encode_spdx(inventory: Inventory, info: DocumentInfo) -> bytes:
    """The inventory as an SPDX 2.3 JSON document (UTF-8)."""
    annotator = f"Tool: {info.tool_name}-{info.tool_version}"
    created = info.timestamp
    packages: list[dict[str, Any]] = [_root(inventory.target)]
    relationships = [_relationship(DOCUMENT_ID, "DESCRIBES", TARGET_ID)]
    if inventory.distro is not None:
        packages.append(_operating_system(inventory.distro))
        relationships.append(_relationship(TARGET_ID, "CONTAINS", DISTRO_ID))
    ids = UniqueIds("-")
    for package in inventory.packages:
        spdx_id = ids.take(_spdx_id(package))
        packages.append(_package(package, spdx_id, annotator, created))
        relationships.append(_relationship(TARGET_ID, "CONTAINS", spdx_id))
    document: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "documentNamespace": info.namespace or PLACEHOLDER,
        "name": inventory.target,
        "creationInfo": {"created": created, "creators": [annotator]},
    }
    if inventory.warnings:
        lines = [f"- {w.path}: {w.reason}" for w in inventory.warnings]
        document["comment"] = "\n".join(["Vigil could not read everything:", *lines])
    inventory_props = properties.inventory_properties(inventory)
    if inventory_props:
        document["annotations"] = [_annotation(inventory_props, annotator, created)]
    document["packages"] = packages
    document["relationships"] = relationships
    data = dump_json(document)
    if info.namespace:
        return data
    slug = quote(_ID_UNSAFE.sub("-", inventory.target).strip("-")[:80] or "target", safe="")
    return with_derived_id(data, lambda derived: f"{NAMESPACE_BASE}/{slug}-{derived}")


def _root(target: str) -> dict[str, Any]:
    return {
        "name": target,
        "SPDXID": TARGET_ID,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "supplier": NOASSERTION,
    }


def _operating_system(distro: Ecosystem) -> dict[str, Any]:
    package: dict[str, Any] = {"name": distro.name, "SPDXID": DISTRO_ID}
    if distro.release:
        package["versionInfo"] = distro.release
    package.update(
        {
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": False,
            "supplier": NOASSERTION,
            "primaryPackagePurpose": "OPERATING_SYSTEM",
        }
    )
    return package


def _package(package: Package, spdx_id: str, annotator: str, created: str) -> dict[str, Any]:
    where = ", ".join(loc.path for loc in package.locations) or "an unrecorded location"
    entry: dict[str, Any] = {
        "name": package.name,
        "SPDXID": spdx_id,
        "versionInfo": package.version,
        "supplier": NOASSERTION,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "sourceInfo": f"found by Vigil's {package.cataloger} cataloger in {where}",
    }
    if package.purl:
        entry["externalRefs"] = [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": package.purl,
            }
        ]
    pairs = properties.package_properties(package)
    entry["annotations"] = [_annotation(pairs, annotator, created)]
    return entry


def _annotation(pairs: list[tuple[str, str]], annotator: str, created: str) -> dict[str, str]:
    return {
        "annotationDate": created,
        "annotationType": "OTHER",
        "annotator": annotator,
        "comment": _json_object(pairs),
    }


def _json_object(pairs: list[tuple[str, str]]) -> str:
    """Pairs (unique names) as a compact JSON object; quicker than ``json.dumps`` per package."""
    members = [f"{encode_basestring(name)}:{encode_basestring(value)}" for name, value in pairs]
    return "{" + ",".join(members) + "}"


def _relationship(element: str, kind: str, related: str) -> dict[str, str]:
    return {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": related}


def _spdx_id(package: Package) -> str:
    # Readable and stable when other packages come and go; repeats are numbered by UniqueIds.
    label = f"{package.ecosystem}-{package.name}-{package.version}"
    return "SPDXRef-Package-" + (_ID_UNSAFE.sub("-", label).strip("-")[:120] or "package")
