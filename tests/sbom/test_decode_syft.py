"""SBOMs that syft 1.18.1 made of fixtures/syft/rootfs decode to the packages in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sbom.realistic import DPKG_ROWS, dpkg_package
from vigil.domain import Ecosystem, Inventory, Location
from vigil.sbom import decode_sbom, detect_format

SYFT = Path(__file__).parent / "fixtures" / "syft"
FILES = ["syft.cdx-1.6.json", "syft.cdx-1.5.json", "syft.cdx-1.4.json", "syft.spdx-2.3.json"]

# (ecosystem, name, version) of every package syft found, sorted.
EXPECTED_LANGUAGE = [
    ("PyPI", "click", "8.5.1"),
    ("PyPI", "jsonschema", "4.26.0"),
    ("PyPI", "packageurl-python", "0.17.6"),
    ("PyPI", "pyyaml", "6.0.3"),
    ("npm", "@babel/helper-string-parser", "7.24.8"),
    ("npm", "debug", "4.3.4"),
    ("npm", "lodash", "4.17.21"),
    ("npm", "minimist", "1.2.8"),
    ("npm", "ms", "2.1.2"),
    ("npm", "vigil-sbom-fixture", "1.0.0"),
]


def _decoded(name: str) -> Inventory:
    return decode_sbom((SYFT / name).read_bytes())


@pytest.mark.parametrize("name", FILES)
def test_format_is_recognised(name: str) -> None:
    expected = "spdx-json" if "spdx" in name else "cyclonedx-json"
    assert detect_format((SYFT / name).read_bytes()) == expected


@pytest.mark.parametrize("name", FILES)
def test_syft_sboms_decode_to_the_rootfs_packages(name: str) -> None:
    inventory = _decoded(name)
    assert inventory.target == "rootfs"
    assert inventory.distro == Ecosystem("Debian", "12")
    assert inventory.warnings == ()
    found = sorted((str(p.ecosystem), p.name, p.version) for p in inventory.packages)
    debian = sorted(("Debian:12", name, version) for name, version, _, _ in DPKG_ROWS)
    assert found == sorted(debian + EXPECTED_LANGUAGE)


@pytest.mark.parametrize("name", FILES)
def test_debian_packages_carry_what_vigil_catalogs(name: str) -> None:
    # Source package, source version and architecture: what Debian advisories are matched by.
    decoded = {p.name: p for p in _decoded(name).packages if p.ecosystem.is_os}
    for row in DPKG_ROWS:
        expected = dpkg_package(*row)
        got = decoded[expected.name]
        assert (got.purl, got.source_name, got.source_version, got.arch) == (
            expected.purl,
            expected.source_name,
            expected.source_version,
            expected.arch,
        )


def test_cyclonedx_keeps_syft_locations_relative_to_the_root() -> None:
    by_name = {p.name: p for p in _decoded("syft.cdx-1.6.json").packages}
    assert by_name["libc6"].locations == (Location("var/lib/dpkg/status"),)
    assert by_name["lodash"].locations == (Location("opt/app/web/package-lock.json"),)
    assert by_name["pyyaml"].locations == (
        Location("opt/app/lib/python3.11/site-packages/pyyaml-6.0.3.dist-info/METADATA"),
    )
    assert {p.cataloger for p in by_name.values()} == {"cyclonedx-json"}


def test_spdx_without_locations_still_names_the_decoder() -> None:
    inventory = _decoded("syft.spdx-2.3.json")
    assert {p.cataloger for p in inventory.packages} == {"spdx-json"}
    assert inventory.catalogers == (("spdx-json", "1"),)
