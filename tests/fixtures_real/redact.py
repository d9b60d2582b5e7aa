"""A stable projection of the fixture's SBOMs for golden files.

Besides the volatile fields every SBOM has (time, serial number, namespace; see
``tests.sbom.redact``), Debian package versions are redacted: the fixture is built from the
live Debian 12 archive (no snapshot is reachable here), whose point releases move them. The
package names, architectures, source names, locations and every language package stay exact.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.sbom.redact import redacted

DEBIAN_VERSION = "<debian-version>"
DEBIAN_SOURCE_VERSION = "<debian-source-version>"
SOURCE_VERSION = "vigil:package:source-version"
_PURL_VERSION = re.compile(r"@[^?#]*")
_PURL_UPSTREAM = re.compile(r"(upstream=[^&#]*?%40)[^&#]*")


def is_debian_purl(value: object) -> bool:
    return isinstance(value, str) and value.startswith("pkg:deb/")


def _debian_purl(purl: str) -> str:
    """The purl without its version nor the version of its ``upstream`` (source) qualifier."""
    purl = _PURL_VERSION.sub("@" + DEBIAN_VERSION, purl, count=1)
    return _PURL_UPSTREAM.sub(r"\g<1>" + DEBIAN_SOURCE_VERSION, purl)


def stable(data: bytes) -> str:
    """The SBOM pretty-printed with volatile fields and Debian versions redacted."""
    document: Any = json.loads(data)
    if document.get("bomFormat") == "CycloneDX":
        for component in document.get("components", []):
            if is_debian_purl(component.get("purl")):
                _cyclonedx_component(component)
    else:
        renamed: dict[str, str] = {}
        for package in document.get("packages", []):
            refs = [r["referenceLocator"] for r in package.get("externalRefs", [])]
            if any(is_debian_purl(ref) for ref in refs):
                old = package["SPDXID"]
                renamed[old] = _spdx_package(package)
        for relationship in document.get("relationships", []):
            for side in ("spdxElementId", "relatedSpdxElement"):
                relationship[side] = renamed.get(relationship[side], relationship[side])
    return redacted(json.dumps(document).encode())


def _cyclonedx_component(component: dict[str, Any]) -> None:
    component["version"] = DEBIAN_VERSION
    component["purl"] = _debian_purl(component["purl"])
    if is_debian_purl(component.get("bom-ref")):
        component["bom-ref"] = component["purl"]
    for prop in component.get("properties", []):
        if prop["name"] == SOURCE_VERSION:
            prop["value"] = DEBIAN_SOURCE_VERSION


def _spdx_package(package: dict[str, Any]) -> str:
    """Redact one Debian package in place; returns its new SPDX ID."""
    version = package["versionInfo"]
    package["versionInfo"] = DEBIAN_VERSION
    for ref in package["externalRefs"]:
        ref["referenceLocator"] = _debian_purl(ref["referenceLocator"])
    for annotation in package.get("annotations", []):
        comment = json.loads(annotation["comment"])
        if SOURCE_VERSION in comment:
            comment[SOURCE_VERSION] = DEBIAN_SOURCE_VERSION
        annotation["comment"] = json.dumps(comment, separators=(",", ":"))
    identifier: str = package["SPDXID"]
    package["SPDXID"] = identifier.replace(_spdx_token(version), "REDACTED")
    return package["SPDXID"]


def _spdx_token(version: str) -> str:
    """How a version appears inside an SPDX ID (letters, digits, '.' and '-' only)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", version)
