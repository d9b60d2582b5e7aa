from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vigil.reports.context import ReportContext

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def context() -> ReportContext:
    return ReportContext(target="dir:rootfs", tool_version="0.1.0", created=CREATED, ignored=2)
