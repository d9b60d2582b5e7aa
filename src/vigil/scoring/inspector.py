"""Inspector's score: a base CVSS assessment adjusted by what is known about the context.

Every adjustment names the CVSS metric it touches and why (``inspectorScoreDetails.adjustedCvss
.adjustments``). Context sources plug in through ``ScoringContext``; with none, the adjusted
score is the base score and the list is empty. Known exploitation (a CISA KEV entry) sets the
exploit maturity metric to its highest value; in CVSS 3.x and 4.0 an unset maturity already
scores as the worst case, so the number stays, but the reason is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cvss import CVSS2, CVSS3, CVSS4

from vigil.domain import Severity
from vigil.scoring.cvss import CvssScore

# Preference among a vulnerability's assessments for the Inspector score.
_PREFERRED = ("3.1", "3.0", "4.0", "2.0")
# The exploit maturity metric, and its "exploited" value, per CVSS version.
_EXPLOIT_METRIC = {"2.0": ("E", "H"), "3.0": ("E", "H"), "3.1": ("E", "H"), "4.0": ("E", "A")}


@dataclass(frozen=True, slots=True)
class Adjustment:
    metric: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """What is known about a finding beyond its advisories (each part optional)."""

    kev_date_added: date | None = None  # the CVE is in CISA's Known Exploited Vulnerabilities


@dataclass(frozen=True, slots=True)
class AdjustedScore:
    base: CvssScore
    score: float
    vector: str
    adjustments: tuple[Adjustment, ...] = ()


def preferred(scores: tuple[CvssScore, ...]) -> CvssScore | None:
    """The assessment the Inspector score starts from: newest common version, highest score."""
    for version in _PREFERRED:
        found = [s for s in scores if s.version == version]
        if found:
            return max(found, key=lambda s: s.base_score)
    return None


def adjusted(base: CvssScore, context: ScoringContext | None = None) -> AdjustedScore:
    context = context or ScoringContext()
    vector = base.vector
    adjustments: list[Adjustment] = []
    if context.kev_date_added is not None:
        metric, value = _EXPLOIT_METRIC[base.version]
        vector = _with_metric(vector, metric, value)
        added = context.kev_date_added.isoformat()
        adjustments.append(
            Adjustment("exploitCodeMaturity", f"known exploited (CISA KEV since {added})")
        )
    score = base.base_score if not adjustments else _score(base.version, vector)
    return AdjustedScore(base, score, vector, tuple(adjustments))


def severity(
    scores: tuple[CvssScore, ...], vendor: Severity | None = None, *, os_package: bool = False
) -> Severity:
    """Inspector's severity: the vendor's for OS packages when it gives one, else by CVSS."""
    if os_package and vendor is not None and vendor is not Severity.UNTRIAGED:
        return vendor
    best = preferred(scores)
    return Severity.from_score(best.base_score if best else None)


def _with_metric(vector: str, metric: str, value: str) -> str:
    parts = [p for p in vector.split("/") if not p.startswith(f"{metric}:")]
    return "/".join([*parts, f"{metric}:{value}"])


def _score(version: str, vector: str) -> float:
    if version == "2.0":
        return float(CVSS2(vector).scores()[1] or 0.0)
    if version == "4.0":
        return float(CVSS4(vector).base_score)
    return float(CVSS3(vector).scores()[1])
