"""Inspector's severity levels and its CVSS-to-severity table."""

from __future__ import annotations

from enum import Enum


class Severity(Enum):
    """Severity as Amazon Inspector names it; UNTRIAGED means no score is known."""

    INFORMATIONAL = "INFORMATIONAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"
    UNTRIAGED = "UNTRIAGED"

    @property
    def rank(self) -> int:
        """Order for thresholds and sorting: UNTRIAGED lowest, CRITICAL highest."""
        return _RANK[self]

    @classmethod
    def from_score(cls, score: float | None) -> Severity:
        """Map a CVSS base score to a severity with Inspector's bands."""
        if score is None:
            return cls.UNTRIAGED
        if not 0.0 <= score <= 10.0:
            raise ValueError(f"CVSS score out of range: {score}")
        if score == 0.0:
            return cls.INFORMATIONAL
        if score < 4.0:
            return cls.LOW
        if score < 7.0:
            return cls.MEDIUM
        if score < 9.0:
            return cls.HIGH
        return cls.CRITICAL


_RANK = {
    Severity.UNTRIAGED: 0,
    Severity.INFORMATIONAL: 1,
    Severity.LOW: 2,
    Severity.MEDIUM: 3,
    Severity.HIGH: 4,
    Severity.CRITICAL: 5,
}
