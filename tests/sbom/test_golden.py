"""Each format's output for the realistic inventory, compared with a reviewed golden file.

Regenerate after an intended change with ``VIGIL_UPDATE_GOLDEN=1 pytest tests/sbom`` and review
the diff.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from tests.sbom.redact import redacted
from vigil.domain import Inventory
from vigil.sbom import FORMATS, DocumentInfo

GOLDEN = Path(__file__).parent / "golden"
FILES = {
    "cyclonedx-json": "realistic.cdx-1.6.json",
    "cyclonedx-json@1.5": "realistic.cdx-1.5.json",
    "cyclonedx-json@1.4": "realistic.cdx-1.4.json",
    "spdx-json": "realistic.spdx-2.3.json",
    "vigil-json": "realistic.vigil.json",
}


def test_every_format_has_a_golden_file() -> None:
    assert set(FILES) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(FILES))
def test_output_matches_golden(name: str, inventory: Inventory, info: DocumentInfo) -> None:
    actual = redacted(FORMATS[name].encode(inventory, info))
    path = GOLDEN / FILES[name]
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_output_is_deterministic(name: str, inventory: Inventory, info: DocumentInfo) -> None:
    assert FORMATS[name].encode(inventory, info) == FORMATS[name].encode(inventory, info)


def test_serial_number_is_a_uuid_urn_that_follows_the_content(
    inventory: Inventory, info: DocumentInfo
) -> None:
    def serial(inv: Inventory, inf: DocumentInfo) -> str:
        value: str = json.loads(FORMATS["cyclonedx-json"].encode(inv, inf))["serialNumber"]
        assert value.startswith("urn:uuid:")
        uuid.UUID(value.removeprefix("urn:uuid:"))
        return value

    first = serial(inventory, info)
    later = replace(info, created=info.created.replace(year=2026))
    fewer = replace(inventory, packages=inventory.packages[1:])
    assert len({first, serial(inventory, later), serial(fewer, info)}) == 3


def test_spdx_namespace_names_the_target_and_follows_the_content(
    inventory: Inventory, info: DocumentInfo
) -> None:
    def namespace(inv: Inventory) -> str:
        value: str = json.loads(FORMATS["spdx-json"].encode(inv, info))["documentNamespace"]
        return value

    first = namespace(inventory)
    pattern = (
        r"https://spdx\.org/spdxdocs/vigil/registry\.example\.test-shop-web-1\.4\.2-[0-9a-f-]{36}"
    )
    assert re.fullmatch(pattern, first)
    assert namespace(replace(inventory, packages=inventory.packages[:-1])) != first


def test_injected_identifiers_are_used_verbatim(inventory: Inventory, info: DocumentInfo) -> None:
    fixed = replace(
        info,
        serial_number="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        namespace="https://sbom.example.test/shop/web-1.4.2",
    )
    cdx = json.loads(FORMATS["cyclonedx-json"].encode(inventory, fixed))
    spdx = json.loads(FORMATS["spdx-json"].encode(inventory, fixed))
    assert cdx["serialNumber"] == fixed.serial_number
    assert spdx["documentNamespace"] == fixed.namespace


def test_created_must_carry_a_timezone(info: DocumentInfo) -> None:
    with pytest.raises(ValueError, match="timezone"):
        replace(info, created=info.created.replace(tzinfo=None))
