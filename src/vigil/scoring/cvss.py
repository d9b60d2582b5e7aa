"""CVSS base scores computed from vectors (v2, v3.0, v3.1, v4.0) with the ``cvss`` library.

A score published next to a vector is not trusted: the vector is the assessment, the number is
recomputed from it, so a typo in a feed cannot make a finding more or less severe.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from vigil.domain import SeverityScore

_OSV_TYPES = {"CVSS_V2", "CVSS_V3", "CVSS_V4"}


class InvalidVector(ValueError):
    """A CVSS vector the specification (as the ``cvss`` library reads it) rejects."""


@dataclass(frozen=True, slots=True)
class CvssScore:
    """One CVSS assessment: ``version`` as Inspector writes it ("2.0", "3.0", "3.1", "4.0")."""

    version: str
    vector: str
    base_score: float
    source: str  # who assessed it: "NVD", a CNA, a distribution, the advisory's database


def version_of(vector: str) -> str:
    text = vector.strip()
    if text.startswith("CVSS:3.1/"):
        return "3.1"
    if text.startswith("CVSS:3.0/"):
        return "3.0"
    if text.startswith("CVSS:4.0/"):
        return "4.0"
    if text.startswith("AV:") or text.startswith("(AV:"):
        return "2.0"
    raise InvalidVector(f"not a CVSS vector: {vector!r}")


def score_vector(vector: str, source: str) -> CvssScore:
    """The base score of a vector of any supported CVSS version."""
    text = vector.strip()
    version = version_of(text)
    try:
        if version == "2.0":
            base = CVSS2(text.strip("()")).scores()[0]
        elif version == "4.0":
            base = CVSS4(text).base_score
        else:
            base = CVSS3(text).scores()[0]
    except CVSSError as exc:
        raise InvalidVector(f"invalid CVSS {version} vector {vector!r}: {exc}") from None
    return CvssScore(version, text, float(base), source)


def scores_of(severities: tuple[SeverityScore, ...], source: str) -> tuple[CvssScore, ...]:
    """The CVSS entries of an OSV ``severity`` list, scored; other types are not CVSS."""
    return tuple(score_vector(s.score, source) for s in severities if s.type in _OSV_TYPES)
