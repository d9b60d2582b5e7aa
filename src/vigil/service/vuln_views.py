"""Plain views of a vulnerability's parts for display: affected ranges, CVSS rows, and JSON.

A range is shown as intervals (``>=1.0, <1.2``; ``<=2.3`` for a last affected version; an
``introduced`` of ``0`` has no lower bound). Fixed versions are those of ECOSYSTEM and SEMVER
ranges; a GIT range's commits are kept in the JSON but not listed as versions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from vigil.domain import Advisory, Range, Severity
from vigil.scoring import InvalidVector, score_vector


@dataclass(frozen=True, slots=True)
class CvssView:
    version: str | None
    vector: str
    base_score: float | None  # computed from the vector
    severity: str | None
    stated_score: float | None  # what the source itself stated, if it did
    source: str
    error: str | None = None


def cvss_view(vector: str, source: str, stated: float | None = None) -> CvssView:
    """One assessment, scored from its vector (the stated score is shown beside, not used);
    severity in Inspector's bands, as findings will carry it."""
    try:
        scored = score_vector(vector, source)
    except InvalidVector as exc:
        return CvssView(None, vector, None, None, stated, source, str(exc))
    severity = Severity.from_score(scored.base_score).value
    return CvssView(scored.version, scored.vector, scored.base_score, severity, stated, source)


@dataclass(frozen=True, slots=True)
class RangeView:
    type: str
    intervals: tuple[str, ...]
    events: tuple[tuple[str, str], ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class AffectedView:
    record: str
    ecosystem: str
    name: str
    purl: str | None
    ranges: tuple[RangeView, ...]
    versions: int  # how many explicit versions the entry lists
    fixed: tuple[str, ...]
    withdrawn: bool
    via_bundle: bool  # listed by an advisory that fixes several vulnerabilities at once


def intervals(events: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    out = []
    low: str | None = None
    for kind, value in events:
        if kind == "introduced":
            low = value
            continue
        bound = {"fixed": "<", "last_affected": "<=", "limit": "<"}[kind]
        parts = [f">={low}"] if low not in (None, "0") else []
        out.append(", ".join([*parts, f"{bound}{value}"]))
        low = None
    if low is not None:
        out.append(f">={low}" if low != "0" else "all versions")
    return tuple(out)


def range_view(item: Range) -> RangeView:
    events = [(e.kind, e.value) for e in item.events]
    return RangeView(item.type, intervals(events), tuple(events), item.repo)


def affected_views(advisory: Advisory, *, bundle: bool) -> list[AffectedView]:
    out = []
    for entry in advisory.affected:
        if entry.package is None:
            continue
        ranges = tuple(range_view(r) for r in entry.ranges)
        fixed = tuple(
            value for r in ranges if r.type != "GIT" for kind, value in r.events if kind == "fixed"
        )
        out.append(
            AffectedView(
                record=advisory.id,
                ecosystem=entry.package.ecosystem,
                name=entry.package.name,
                purl=entry.package.purl,
                ranges=ranges,
                versions=len(entry.versions),
                fixed=fixed,
                withdrawn=advisory.withdrawn is not None,
                via_bundle=bundle,
            )
        )
    return out


def to_json(view: Any) -> dict[str, Any]:
    """A dataclass as JSON-ready data: dates as ISO strings, tuples as lists."""
    data: dict[str, Any] = _plain(dataclasses.asdict(view))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
