"""Matches of one resource into its package findings: one per vulnerability, most severe first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from vigil.advisories.store import AdvisoryStore
from vigil.findings import (
    FindingIdFactory,
    PackageFinding,
    ResourceRef,
    build_package_finding,
    stable_finding_id,
)
from vigil.matching import Match
from vigil.service.vulnerability_facts import FactsCollector


def package_findings(
    store: AdvisoryStore,
    resource: ResourceRef,
    matches: Iterable[Match],
    *,
    observed_at: datetime,
    ids: FindingIdFactory = stable_finding_id,
    collector: FactsCollector | None = None,
) -> tuple[PackageFinding, ...]:
    """``collector`` may be shared across resources of one evaluation, so each vulnerability's
    facts are read once however many resources it affects."""
    collector = collector or FactsCollector(store)
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        grouped.setdefault(match.vulnerability_id, []).append(match)
    findings = []
    for vid, found in grouped.items():
        records = dict.fromkeys(r.record_id for m in found for r in m.reasons)
        facts = collector.facts(vid, records)
        findings.append(
            build_package_finding(resource, found, facts, observed_at=observed_at, id_factory=ids)
        )
    findings.sort(key=lambda f: (-f.severity.rank, f.vulnerability_id))
    return tuple(findings)
