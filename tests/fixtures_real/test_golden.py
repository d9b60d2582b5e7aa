"""The fixture's CycloneDX 1.6 and SPDX 2.3 documents: valid against the official schemas, and
equal to reviewed golden files once volatile fields and Debian versions are redacted.

Regenerate after an intended change with ``VIGIL_UPDATE_GOLDEN=1 pytest tests/fixtures_real``
and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fixtures_real.conftest import Scan
from tests.fixtures_real.redact import DEBIAN_VERSION, stable
from tests.sbom.validators import cyclonedx_errors, spdx_errors
from vigil.sbom import FORMATS, DocumentInfo

GOLDEN = Path(__file__).parent / "golden"
FILES = {"cyclonedx-json": "debian12-dir.cdx-1.6.json", "spdx-json": "debian12-dir.spdx-2.3.json"}
INFO = DocumentInfo(
    tool_name="vigil", tool_version="0.0.0", created=datetime(2025, 5, 20, tzinfo=UTC)
)


@pytest.mark.parametrize("name", sorted(FILES))
def test_sbom_matches_golden(name: str, directory_scan: Scan) -> None:
    data = FORMATS[name].encode(directory_scan.inventory, INFO)
    errors = cyclonedx_errors(data, "1.6") if name.startswith("cyclonedx") else spdx_errors(data)
    assert errors == []
    actual = stable(data)
    path = GOLDEN / FILES[name]
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
    assert actual.count(DEBIAN_VERSION) >= len(
        [p for p in directory_scan.inventory.packages if p.ecosystem.name == "Debian"]
    )
