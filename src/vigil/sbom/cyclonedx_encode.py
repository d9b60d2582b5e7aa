"""Inventory to CycloneDX JSON, spec 1.6 by default, 1.5 and 1.4 on request.

The target is ``metadata.component``; the distribution, when known, an ``operating-system``
component; every package a ``library`` component whose ``bom-ref`` is its purl (made unique
when two packages share one). Vigil's properties (see ``vigil.sbom.properties``) carry what
CycloneDX has no field for, and the inventory's warnings are metadata properties, so what could
not be read is stated in the SBOM itself.

The JSON is built directly: cyclonedx-python-lib's model needed minutes for 10,000 components.
"""

from __future__ import annotations

from typing import Any

from vigil.domain import Ecosystem, Inventory, Package
from vigil.sbom import properties
from vigil.sbom.ids import UniqueIds
from vigil.sbom.info import PLACEHOLDER, DocumentInfo, with_derived_id
from vigil.sbom.jsonio import dump_json

SPEC_VERSIONS = ("1.4", "1.5", "1.6")
TARGET_REF = "vigil:target"
DISTRO_REF = "vigil:distro"


def encode_cyclonedx(inventory: Inventory, info: DocumentInfo, *, spec: str = "1.6") -> bytes:
    """The inventory as a CycloneDX ``spec`` JSON document (UTF-8)."""
    if spec not in SPEC_VERSIONS:
        raise ValueError(f"CycloneDX {spec} is not supported; choose one of {SPEC_VERSIONS}")
    metadata: dict[str, Any] = {
        "timestamp": info.timestamp,
        "tools": _tools(info, spec),
        "component": {"bom-ref": TARGET_REF, "type": "application", "name": inventory.target},
    }
    inventory_props = properties.inventory_properties(inventory)
    if inventory_props:
        metadata["properties"] = _properties(inventory_props)
    components: list[dict[str, Any]] = []
    if inventory.distro is not None:
        components.append(_operating_system(inventory.distro))
    refs = UniqueIds("#")
    components.extend(
        _component(package, refs.take(_ref(package))) for package in inventory.packages
    )
    data = dump_json(
        {
            "$schema": f"http://cyclonedx.org/schema/bom-{spec}.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": spec,
            "serialNumber": info.serial_number or PLACEHOLDER,
            "version": 1,
            "metadata": metadata,
            "components": components,
        }
    )
    if info.serial_number:
        return data
    return with_derived_id(data, lambda derived: f"urn:uuid:{derived}")


def _tools(info: DocumentInfo, spec: str) -> Any:
    if spec == "1.4":
        return [{"name": info.tool_name, "version": info.tool_version}]
    # 1.5 deprecated the array of tools in favour of tools as components.
    tool = {"type": "application", "name": info.tool_name, "version": info.tool_version}
    return {"components": [tool]}


def _operating_system(distro: Ecosystem) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": DISTRO_REF, "type": "operating-system"}
    component["name"] = distro.name
    if distro.release:
        component["version"] = distro.release
    return component


def _component(package: Package, ref: str) -> dict[str, Any]:
    component: dict[str, Any] = {
        "bom-ref": ref,
        "type": "library",
        "name": package.name,
        "version": package.version,
    }
    if package.purl:
        component["purl"] = package.purl
    component["properties"] = _properties(properties.package_properties(package))
    return component


def _ref(package: Package) -> str:
    return package.purl or f"vigil:package:{package.ecosystem}:{package.name}@{package.version}"


def _properties(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]
