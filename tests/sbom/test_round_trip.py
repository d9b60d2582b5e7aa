"""Encoding an inventory and decoding the result gives the same inventory back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from tests.sbom.test_schemas import AWKWARD
from vigil.domain import Inventory, Package
from vigil.sbom import FORMATS, DocumentInfo, decode_sbom, detect_format, inventory_from_vigil_json


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_round_trips_losslessly(
    name: str, inventory: Inventory, info: DocumentInfo
) -> None:
    data = FORMATS[name].encode(inventory, info)
    assert detect_format(data) == name.split("@")[0]
    assert decode_sbom(data) == inventory


@pytest.mark.parametrize("name", ["cyclonedx-json", "spdx-json", "vigil-json"])
def test_awkward_values_round_trip(name: str, info: DocumentInfo) -> None:
    # The package with an empty purl cannot be matched and comes back as a warning instead.
    decoded = decode_sbom(FORMATS[name].encode(AWKWARD, info))
    if name == "vigil-json":
        assert decoded == AWKWARD
        return
    assert decoded.packages == AWKWARD.packages[1:]
    assert decoded.target == AWKWARD.target
    assert decoded.distro == AWKWARD.distro
    assert decoded.warnings[0] == AWKWARD.warnings[0]
    assert "'weird name/with:chars' 1.0+build#7 has no purl" in decoded.warnings[1].reason


def _strip_vigil(value: Any) -> Any:
    """The document as a tool that knows nothing of Vigil's properties would leave it."""
    if isinstance(value, dict):
        return {
            key: _strip_vigil(item)
            for key, item in value.items()
            if key not in ("properties", "annotations")
        }
    if isinstance(value, list):
        return [_strip_vigil(item) for item in value]
    return value


def _matchable(package: Package) -> Package:
    # What only Vigil's properties carry: the cataloger and the locations.
    return dataclasses.replace(package, cataloger="", locations=())


@pytest.mark.parametrize("name", ["cyclonedx-json", "cyclonedx-json@1.4", "spdx-json"])
def test_purls_alone_give_back_what_matching_needs(
    name: str, inventory: Inventory, info: DocumentInfo
) -> None:
    document = _strip_vigil(json.loads(FORMATS[name].encode(inventory, info)))
    decoded = decode_sbom(json.dumps(document))
    assert [_matchable(p) for p in decoded.packages] == [_matchable(p) for p in inventory.packages]
    assert decoded.distro == inventory.distro
    assert decoded.target == inventory.target
    assert decoded.warnings == ()


def test_vigil_json_reader_accepts_its_own_output(inventory: Inventory, info: DocumentInfo) -> None:
    assert inventory_from_vigil_json(FORMATS["vigil-json"].encode(inventory, info)) == inventory


def test_ten_thousand_packages_round_trip(inventory: Inventory, info: DocumentInfo) -> None:
    many = tuple(
        dataclasses.replace(
            p, purl=f"{p.purl.split('@')[0]}@{p.version}.{i}", version=f"{p.version}.{i}"
        )
        for i in range(400)
        for p in inventory.packages
        if p.ecosystem.name in ("npm", "Maven", "Go")
    )
    big = dataclasses.replace(inventory, packages=many[:10_000])
    for name in ("cyclonedx-json", "spdx-json", "vigil-json"):
        assert decode_sbom(FORMATS[name].encode(big, info)) == big


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_inventory_without_a_distro_round_trips(
    name: str, inventory: Inventory, info: DocumentInfo
) -> None:
    # dpkg records bare "Debian" when the release is unknown; its purls then carry no distro.
    bare = dataclasses.replace(
        inventory,
        distro=None,
        packages=tuple(
            dataclasses.replace(
                p, ecosystem=p.ecosystem.base, purl=p.purl.replace("&distro=debian-12", "")
            )
            for p in inventory.packages
        ),
    )
    assert decode_sbom(FORMATS[name].encode(bare, info)) == bare


def test_declared_spelling_of_a_name_is_kept_when_the_purl_lowercases_it() -> None:
    component = {"type": "library", "name": "JSONStream", "purl": "pkg:npm/jsonstream@1.3.5"}
    maven = {
        "type": "library",
        "group": "org.apache.logging.log4j",
        "name": "log4j-core",
        "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
    }
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [component, maven]}
    names = [p.name for p in decode_sbom(json.dumps(document)).packages]
    assert names == ["JSONStream", "org.apache.logging.log4j:log4j-core"]
