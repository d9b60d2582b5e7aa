from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.sbom.realistic import realistic_inventory
from vigil.domain import Inventory
from vigil.sbom import DocumentInfo

CREATED = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


@pytest.fixture
def info() -> DocumentInfo:
    return DocumentInfo(tool_name="vigil", tool_version="0.1.0", created=CREATED)


@pytest.fixture
def inventory() -> Inventory:
    return realistic_inventory()
