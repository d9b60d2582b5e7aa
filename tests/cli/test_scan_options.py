"""``--max-db-age`` durations and the ``--fail-on`` ordering."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vigil.cli.scan_options import at_or_above, parse_duration
from vigil.domain import Severity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("90m", timedelta(minutes=90)),
        ("36", timedelta(hours=36)),
        ("1.5", timedelta(hours=1.5)),
        (" 12 H ", timedelta(hours=12)),
        ("0", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "h", "-1h", "1y", "1e3", "7 days", "nan", "1h30m", "0x10"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_too_long() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_duration("999999999w")


def test_threshold_order() -> None:
    assert at_or_above(Severity.CRITICAL, Severity.HIGH)
    assert at_or_above(Severity.HIGH, Severity.HIGH)
    assert not at_or_above(Severity.MEDIUM, Severity.HIGH)
    assert not at_or_above(Severity.UNTRIAGED, Severity.LOW)
    assert not at_or_above(Severity.INFORMATIONAL, Severity.LOW)
