"""What the command-line tests compare SBOMs by: their package URLs."""

from __future__ import annotations

from typing import Any

from tests.service.targets import DEBIAN, PYPI

# Without qualifiers; "+" is percent-encoded in a purl version, ":" is not.
PURLS = {f"pkg:deb/debian/{n}@{v.replace('+', '%2B')}" for n, v in DEBIAN} | {
    f"pkg:pypi/{n}@{v}" for n, v in PYPI
}


def purls(document: dict[str, Any]) -> set[str]:
    """Package URLs without qualifiers (distro=, arch=...), from CycloneDX or SPDX."""
    if "components" in document:
        found = [c["purl"] for c in document["components"] if "purl" in c]
    else:
        found = [
            ref["referenceLocator"]
            for package in document["packages"]
            for ref in package.get("externalRefs", ())
            if ref["referenceType"] == "purl"
        ]
    return {purl.partition("?")[0] for purl in found}
