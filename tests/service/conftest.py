"""The fixture advisory store shared by the service tests: built once, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.service.ingest_support import build_store


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("advisories"))


@pytest.fixture
def store_path(template: Path, tmp_path: Path) -> Path:
    """A copy of the store this test may sync into."""
    path = tmp_path / "advisories.db"
    shutil.copy(template, path)
    return path
