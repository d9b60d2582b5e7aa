"""The clock the service reads time from: injected everywhere, so tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (what every stored timestamp is)."""
    return datetime.now(UTC)
