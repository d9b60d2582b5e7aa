"""CVSS scoring, Inspector's severity table and the context-adjusted score."""

from vigil.scoring.cvss import CvssScore, InvalidVector, score_vector, scores_of, version_of
from vigil.scoring.inspector import (
    AdjustedScore,
    Adjustment,
    ScoringContext,
    adjusted,
    preferred,
    severity,
)
from vigil.scoring.vendor import vendor_severity

__all__ = [
    "AdjustedScore",
    "Adjustment",
    "CvssScore",
    "InvalidVector",
    "ScoringContext",
    "adjusted",
    "preferred",
    "score_vector",
    "scores_of",
    "severity",
    "vendor_severity",
    "version_of",
]
