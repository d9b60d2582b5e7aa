"""``vigil vuln show ID``: everything the store knows about one vulnerability, under any of its ids.

The id (CVE, GHSA, PYSEC, GO, DSA, ALPINE…) is resolved to its vulnerability group, so every
record naming the same vulnerability contributes its affected packages; bundle advisories that
fix it (a DSA covering several CVEs) contribute theirs too, marked as such. CVSS assessments
come from the records' ``severity`` and from NVD, each scored from its vector; EPSS and KEV are
joined by the group's CVE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vigil.advisories.enrichment import Enrichment
from vigil.advisories.groups import VulnerabilityGroup, is_cve
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Advisory
from vigil.service.vuln_views import AffectedView, CvssView, affected_views, cvss_view, to_json
from vigil.service.vulnerability_facts import assessments, cwes_of, gather, summary_of

__all__ = [
    "AffectedView",
    "CvssView",
    "EpssView",
    "KevView",
    "VulnerabilityReport",
    "vulnerability",
]


@dataclass(frozen=True, slots=True)
class EpssView:
    score: float
    percentile: float
    scored_on: date


@dataclass(frozen=True, slots=True)
class KevView:
    date_added: date
    due_date: date | None
    required_action: str
    vendor: str
    product: str
    name: str
    ransomware: str


@dataclass(frozen=True, slots=True)
class VulnerabilityReport:
    query: str
    id: str
    aliases: tuple[str, ...]
    records: tuple[str, ...]  # the store's records for this vulnerability
    withdrawn: tuple[str, ...]  # those of them that are withdrawn
    covers: tuple[str, ...]  # for a bundle advisory: the CVEs it fixes
    covered_by: tuple[str, ...]  # bundle advisories fixing this vulnerability
    related: tuple[str, ...]
    summary: str | None
    published: str | None
    modified: str | None
    cwes: tuple[str, ...]
    nvd_status: str | None
    cvss: tuple[CvssView, ...]
    epss: EpssView | None
    kev: KevView | None
    affected: tuple[AffectedView, ...]

    def to_json(self) -> dict[str, Any]:
        return to_json(self)


def _candidates(identifier: str) -> list[str]:
    text = identifier.strip()
    out = [text]
    upper = text.upper()
    if upper.startswith("GHSA-"):
        out.append("GHSA-" + text[5:].lower())  # GHSA ids are lower case after the prefix
    elif upper != text:
        out.append(upper)
    return out


def vulnerability(store_path: Path, identifier: str) -> VulnerabilityReport | None:
    """The report for ``identifier``, or None when the store knows nothing of it."""
    with AdvisoryStore(store_path, create=False) as store:
        for candidate in _candidates(identifier):
            group = store.group(candidate)
            if group is not None:
                return _report(store, identifier, group)
            alone = _ungrouped(store, candidate)
            if alone is not None:
                return _report(store, identifier, alone)
    return None


def _ungrouped(store: AdvisoryStore, identifier: str) -> VulnerabilityGroup | None:
    """A vulnerability no record is about, but one a bundle advisory fixes or NVD, EPSS or KEV
    know: a CVE that only a DSA names, say. ``get`` finds one such bundle, not every one."""
    bundle = store.get(identifier)
    covered_by = (bundle.id,) if bundle is not None and bundle.id != identifier else ()
    if not covered_by and not is_cve(identifier):
        return None
    if not covered_by:
        enrichment = store.enrichment(identifier)
        if enrichment.nvd is None and enrichment.epss is None and enrichment.kev is None:
            return None
    return VulnerabilityGroup(identifier, (identifier,), (), covered_by=covered_by)


def _report(store: AdvisoryStore, query: str, group: VulnerabilityGroup) -> VulnerabilityReport:
    gathered = gather(store, group, group.covered_by)
    advisories, bundles, enrichment = gathered.advisories, gathered.bundles, gathered.enrichment
    nvd = enrichment.nvd
    wanted = {query.strip(), *_candidates(query)}
    ordered = sorted(advisories, key=lambda a: (a.id not in wanted, a.withdrawn is not None, a.id))
    return VulnerabilityReport(
        query=query,
        id=group.id,
        aliases=tuple(m for m in group.members if m != group.id),
        records=group.records,
        withdrawn=tuple(a.id for a in advisories if a.withdrawn is not None),
        covers=group.covers,
        covered_by=group.covered_by,
        related=group.related,
        summary=summary_of(ordered) or (nvd.description if nvd else None),
        published=_first_time(ordered, "published"),
        modified=max((a.modified.isoformat() for a in ordered), default=None),
        cwes=cwes_of(ordered, nvd.cwes if nvd else ()),
        nvd_status=nvd.status if nvd else None,
        cvss=_cvss(ordered, enrichment),
        epss=EpssView(enrichment.epss.score, enrichment.epss.percentile, enrichment.epss.scored_on)
        if enrichment.epss
        else None,
        kev=_kev(enrichment),
        affected=tuple(
            view
            for advisory in [*ordered, *sorted(bundles, key=lambda a: a.id)]
            for view in affected_views(advisory, bundle=advisory in bundles)
        ),
    )


def _first_time(advisories: list[Advisory], field: str) -> str | None:
    times = [getattr(a, field) for a in advisories if getattr(a, field) is not None]
    return min(times).isoformat() if times else None


def _cvss(advisories: list[Advisory], enrichment: Enrichment) -> tuple[CvssView, ...]:
    views = []
    for item in assessments(advisories, enrichment):
        if item.record is None:
            source = f"NVD: {item.scorer or 'unknown'}" + (" (primary)" if item.primary else "")
        else:
            source = item.record
        views.append(cvss_view(item.vector, source, item.stated))
    # Newest CVSS version first; within one, NVD's primary assessment first (the order it came).
    return tuple(sorted(views, key=lambda v: v.version or "", reverse=True))


def _kev(enrichment: Enrichment) -> KevView | None:
    kev = enrichment.kev
    if kev is None:
        return None
    return KevView(
        kev.date_added,
        kev.due_date,
        kev.required_action,
        kev.vendor,
        kev.product,
        kev.name,
        kev.ransomware,
    )
