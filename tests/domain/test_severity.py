from __future__ import annotations

import pytest

from vigil.domain import Severity


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        (None, Severity.UNTRIAGED),
        (0.0, Severity.INFORMATIONAL),
        (0.1, Severity.LOW),
        (3.9, Severity.LOW),
        (4.0, Severity.MEDIUM),
        (6.9, Severity.MEDIUM),
        (7.0, Severity.HIGH),
        (8.9, Severity.HIGH),
        (9.0, Severity.CRITICAL),
        (10.0, Severity.CRITICAL),
    ],
)
def test_inspector_bands(score: float | None, severity: Severity) -> None:
    assert Severity.from_score(score) is severity


def test_out_of_range_scores_are_rejected() -> None:
    with pytest.raises(ValueError, match="out of range"):
        Severity.from_score(10.1)


def test_rank_orders_thresholds() -> None:
    ordered = sorted(Severity, key=lambda s: s.rank)
    assert ordered[0] is Severity.UNTRIAGED
    assert ordered[-1] is Severity.CRITICAL
