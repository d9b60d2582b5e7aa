"""The registry of formats is explicit and complete."""

from __future__ import annotations

import json

import pytest

from vigil.domain import Inventory
from vigil.sbom import DEFAULT_FORMAT, FORMATS, DocumentInfo
from vigil.sbom.registry import READERS


def test_formats_are_the_documented_ones() -> None:
    assert sorted(FORMATS) == [
        "cyclonedx-json",
        "cyclonedx-json@1.4",
        "cyclonedx-json@1.5",
        "spdx-json",
        "vigil-json",
    ]
    assert DEFAULT_FORMAT == "cyclonedx-json"
    assert all(name == fmt.name for name, fmt in FORMATS.items())
    assert [reader.name for reader in READERS] == ["cyclonedx-json", "spdx-json", "vigil-json"]


def test_registry_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        FORMATS["evil"] = FORMATS["vigil-json"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("cyclonedx-json", "specVersion", "1.6"),
        ("cyclonedx-json@1.5", "specVersion", "1.5"),
        ("cyclonedx-json@1.4", "specVersion", "1.4"),
        ("spdx-json", "spdxVersion", "SPDX-2.3"),
        ("vigil-json", "schemaVersion", "1.0"),
    ],
)
def test_each_format_writes_its_version(
    name: str, key: str, value: str, inventory: Inventory, info: DocumentInfo
) -> None:
    assert json.loads(FORMATS[name].encode(inventory, info))[key] == value
    assert FORMATS[name].media_type.startswith("application/")
