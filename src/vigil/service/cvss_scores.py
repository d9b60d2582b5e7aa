"""Base scores computed from CVSS vectors (v2, v3.0, v3.1, v4.0) with the ``cvss`` library.

Scores are computed, not copied: OSV records carry vectors only, and a stated NVD score that
disagrees with its own vector is worth seeing. A vector the library cannot parse yields its
error message instead of a score.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvss
from cvss.exceptions import CVSSError


@dataclass(frozen=True, slots=True)
class Scored:
    version: str | None  # "2.0", "3.0", "3.1", "4.0"
    base_score: float | None
    severity: str | None  # NONE, LOW, MEDIUM, HIGH, CRITICAL
    error: str | None = None


def version_of(vector: str) -> str | None:
    head = vector.strip().partition("/")[0]
    if head.startswith("CVSS:"):
        return head.removeprefix("CVSS:")
    if head.lstrip("(").startswith("AV:"):
        return "2.0"
    return None


def score_vector(vector: str) -> Scored:
    text = vector.strip()
    version = version_of(text)
    try:
        if version is None:
            return Scored(None, None, None, "not a CVSS vector")
        if version == "2.0":
            v2 = cvss.CVSS2(text.strip("()"))
            return Scored(version, float(v2.scores()[0]), _v2_severity(float(v2.scores()[0])))
        if version.startswith("3."):
            v3 = cvss.CVSS3(text)
            return Scored(version, float(v3.scores()[0]), str(v3.severities()[0]).upper())
        if version.startswith("4."):
            v4 = cvss.CVSS4(text)
            return Scored(version, float(v4.base_score), str(v4.severity).upper())
    except CVSSError as exc:
        return Scored(version, None, None, str(exc))
    return Scored(version, None, None, f"CVSS version {version} is not supported")


def _v2_severity(score: float) -> str:
    """NVD's bands for v2, which itself defines no severity names."""
    if score < 4.0:
        return "LOW"
    if score < 7.0:
        return "MEDIUM"
    return "HIGH"
