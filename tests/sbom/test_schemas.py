"""Encoder output validates against the official schemas and validators."""

from __future__ import annotations

import json

import pytest

from tests.sbom.validators import cyclonedx_errors, spdx_errors
from vigil.domain import Ecosystem, Inventory, Location, Package, ScanWarning
from vigil.sbom import DocumentInfo
from vigil.sbom.cyclonedx_encode import encode_cyclonedx
from vigil.sbom.spdx_encode import encode_spdx

EMPTY = Inventory(target="empty-dir", packages=())
AWKWARD = Inventory(
    target="dir:/srv/data with spaces/ünïcode#1",
    packages=(
        Package(
            name="weird name/with:chars",
            version="1.0+build#7",
            ecosystem=Ecosystem("npm"),
            purl="",
            cataloger="npm-installed",
            locations=(Location("a\nb/package.json"),),
        ),
        Package(
            name="dup",
            version="1",
            ecosystem=Ecosystem("PyPI"),
            purl="pkg:pypi/dup@1",
            cataloger="python-installed",
        ),
        Package(
            name="dup",
            version="1",
            ecosystem=Ecosystem("PyPI"),
            purl="pkg:pypi/dup@1",
            cataloger="python-installed",
        ),
    ),
    distro=Ecosystem("Ubuntu", "22.04:LTS"),
    warnings=(ScanWarning("", "reason with\nnewline"),),
)


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6"])
@pytest.mark.parametrize("case", ["realistic", "empty", "awkward"])
def test_cyclonedx_validates(
    spec: str, case: str, inventory: Inventory, info: DocumentInfo
) -> None:
    chosen = {"realistic": inventory, "empty": EMPTY, "awkward": AWKWARD}[case]
    data = encode_cyclonedx(chosen, info, spec=spec)
    assert cyclonedx_errors(data, spec) == []
    assert json.loads(data)["specVersion"] == spec


@pytest.mark.parametrize("case", ["realistic", "empty", "awkward"])
def test_spdx_validates(case: str, inventory: Inventory, info: DocumentInfo) -> None:
    chosen = {"realistic": inventory, "empty": EMPTY, "awkward": AWKWARD}[case]
    assert spdx_errors(encode_spdx(chosen, info)) == []


def test_the_validators_do_reject_invalid_documents(
    inventory: Inventory, info: DocumentInfo
) -> None:
    cdx = json.loads(encode_cyclonedx(inventory, info))
    cdx["components"][1]["type"] = "gadget"
    assert cyclonedx_errors(json.dumps(cdx).encode(), "1.6")
    spdx = json.loads(encode_spdx(inventory, info))
    del spdx["packages"][1]["downloadLocation"]
    spdx["relationships"][0]["relationshipType"] = "LIKES"
    assert len(spdx_errors(json.dumps(spdx).encode())) >= 2


def test_cyclonedx_1_4_uses_the_tools_array(inventory: Inventory, info: DocumentInfo) -> None:
    old = json.loads(encode_cyclonedx(inventory, info, spec="1.4"))
    new = json.loads(encode_cyclonedx(inventory, info, spec="1.6"))
    assert old["metadata"]["tools"] == [{"name": "vigil", "version": "0.1.0"}]
    assert new["metadata"]["tools"]["components"][0]["name"] == "vigil"


def test_unsupported_cyclonedx_version_is_refused(inventory: Inventory, info: DocumentInfo) -> None:
    with pytest.raises(ValueError, match=r"CycloneDX 1\.3 is not supported"):
        encode_cyclonedx(inventory, info, spec="1.3")
