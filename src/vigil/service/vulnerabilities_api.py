"""SearchVulnerabilities: one CVE as Inspector's ``Vulnerability``, from the advisory store.

The model takes exactly one CVE id and answers with none or one vulnerability. Vigil fills the
members from the same gathering its findings use (records, NVD, EPSS, KEV):

- ``source`` is ``NVD`` (the model's only value) when NVD has a record of the CVE, and the
  description, vendor severity and dates, ``sourceUrl`` and the CVSS members are NVD's;
  ``cvss3``/``cvss2``/``cvss4`` prefer NVD's own assessment of that version, else another's;
- ``relatedVulnerabilities`` are the other ids of the same vulnerability (GHSA, distribution
  advisories…);
- ``detectionPlatforms`` are the ecosystems whose packages Vigil finds it in (``Debian:12``,
  ``PyPI``…), from the records' affected entries;
- ``cisaData`` and ``exploitObserved`` come from CISA's KEV catalog, ``epss`` from FIRST.

A CVE the store knows nothing of answers with an empty list, as Inspector does for an id it has
no data for. Without an advisory store every search answers empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from vigil.advisories.store import AdvisoryStore
from vigil.findings import VulnerabilityFacts
from vigil.scoring import CvssScore
from vigil.service.advisory_access import AdvisoryOpener, opened
from vigil.service.request_errors import InvalidParameter
from vigil.service.vulnerability_facts import FactsCollector

_CVE = re.compile(r"CVE-[12][0-9]{3}-[0-9]{1,10}")
_LIST_MAX = 100
_CVSS_MEMBERS = (("cvss4", "4."), ("cvss3", "3."), ("cvss2", "2."))


def search_vulnerabilities(
    advisories: AdvisoryOpener | None, params: Mapping[str, Any]
) -> dict[str, Any]:
    ids = (params.get("filterCriteria") or {}).get("vulnerabilityIds") or []
    if len(ids) != 1:
        raise InvalidParameter("filterCriteria.vulnerabilityIds", "must hold exactly one id")
    cve = ids[0]
    if not isinstance(cve, str) or not _CVE.fullmatch(cve):
        raise InvalidParameter(
            "filterCriteria.vulnerabilityIds[0]", "must be a CVE id (CVE-YYYY-NNNN)"
        )
    if params.get("nextToken"):
        # One CVE is at most one result, so Vigil never issues a token to come back with.
        raise InvalidParameter("nextToken", "not a token issued for this search")
    with opened(advisories) as store:
        found = vulnerability(store, cve) if store is not None else None
    return {"vulnerabilities": [found] if found is not None else []}


def vulnerability(store: AdvisoryStore, cve: str) -> dict[str, Any] | None:
    """The ``Vulnerability`` of ``cve``, or None when the store has nothing on it."""
    group = store.group(cve)
    enrichment = store.enrichment(cve)
    nvd = enrichment.nvd
    if group is None and nvd is None and enrichment.kev is None and enrichment.epss is None:
        return None
    facts = FactsCollector(store).facts(cve)
    out: dict[str, Any] = {
        "id": cve,
        "cwes": list(facts.cwes),
        "description": facts.description,
        "relatedVulnerabilities": list(facts.aliases)[:_LIST_MAX],
        "referenceUrls": _references(facts.nvd.references if facts.nvd else (), facts)[:_LIST_MAX],
        "detectionPlatforms": _platforms(store, group.records if group else ())[:_LIST_MAX],
    }
    if nvd is not None and not nvd.rejected:
        out.update(
            source="NVD",
            sourceUrl=facts.nvd.url if facts.nvd else None,
            vendorSeverity=facts.nvd.severity if facts.nvd else None,
            vendorCreatedAt=nvd.published,
            vendorUpdatedAt=nvd.last_modified,
        )
    for member, prefix in _CVSS_MEMBERS:
        chosen = _pick(facts.cvss, prefix)
        if chosen is not None:
            out[member] = {"baseScore": chosen.base_score, "scoringVector": chosen.vector}
    if enrichment.kev is not None:
        kev = enrichment.kev
        out["cisaData"] = {
            "dateAdded": _midnight(kev.date_added),
            "dateDue": _midnight(kev.due_date) if kev.due_date else None,
            "action": kev.required_action or None,
        }
        out["exploitObserved"] = {"firstSeen": _midnight(kev.date_added)}
    if enrichment.epss is not None:
        out["epss"] = {"score": float(enrichment.epss.score)}
    return {k: v for k, v in out.items() if v is not None}


def _pick(scores: tuple[CvssScore, ...], prefix: str) -> CvssScore | None:
    of_version = [s for s in scores if s.version.startswith(prefix)]
    return next((s for s in of_version if s.source == "NVD"), of_version[0] if of_version else None)


def _references(first: tuple[str, ...], facts: VulnerabilityFacts) -> list[str]:
    urls = dict.fromkeys(first)
    for record in facts.records:
        urls.update(dict.fromkeys(record.references))
    return list(urls)


def _platforms(store: AdvisoryStore, records: tuple[str, ...]) -> list[str]:
    found: dict[str, None] = {}
    for record_id in records:
        advisory = store.get(record_id)
        if advisory is None or advisory.is_withdrawn:
            continue
        for entry in advisory.affected:
            if entry.package is not None and entry.package.ecosystem:
                found[entry.package.ecosystem] = None
    return sorted(found)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
