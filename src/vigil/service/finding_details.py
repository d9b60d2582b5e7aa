"""BatchGetFindingDetails: what is known about each finding's vulnerability beyond the finding.

Each ARN gets a ``FindingDetail`` or an ``errors`` entry, never a failed call: an ARN that is not
a finding ARN is ``INVALID_INPUT``; one naming an account the caller may not see is
``ACCESS_DENIED`` (decided from the ARN's text, so it tells nothing about what is stored); one
of a visible account that is not stored is ``FINDING_DETAILS_NOT_FOUND``.

The details come from the stored finding (CWEs, reference URLs, EPSS, the date CISA listed the
CVE as exploited) and, where the process has an advisory store, from its current KEV and EPSS
data, which may be newer than the finding. Vigil has no threat-intelligence feed, so ``tools``
and ``ttps`` are always empty lists: known to be none, rather than left out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from vigil.advisories.enrichment import Enrichment
from vigil.advisories.groups import is_cve
from vigil.advisories.store import AdvisoryStore
from vigil.db.tables import findings
from vigil.findings.criteria import as_datetime
from vigil.findings.document import EXTENSION
from vigil.service.advisory_access import AdvisoryOpener, opened

_ARN = re.compile(r"arn:aws[a-z-]*:inspector2:[a-z0-9-]{1,32}:(\d{12}):finding/[0-9a-f]{32}")
_MAX_URLS = 100


def batch_get_finding_details(
    engine: Engine,
    accounts: Collection[str],
    arns: Sequence[str],
    advisories: AdvisoryOpener | None = None,
) -> dict[str, Any]:
    wanted = list(dict.fromkeys(arns))
    errors: list[dict[str, str]] = []
    lookup: list[str] = []
    for arn in wanted:
        match = _ARN.fullmatch(arn)
        if match is None:
            errors.append(_error(arn, "INVALID_INPUT", "not an Inspector finding ARN"))
        elif match.group(1) not in accounts:
            errors.append(_error(arn, "ACCESS_DENIED", "the finding's account is not visible"))
        else:
            lookup.append(arn)
    stored = _stored(engine, accounts, lookup)
    details = []
    with opened(advisories if stored else None) as store:
        for arn in lookup:
            document = stored.get(arn)
            if document is None:
                errors.append(_error(arn, "FINDING_DETAILS_NOT_FOUND", "no such finding"))
            else:
                details.append(detail(arn, document, store))
    return {"findingDetails": details, "errors": errors}


def _stored(
    engine: Engine, accounts: Collection[str], arns: list[str]
) -> dict[str, dict[str, Any]]:
    if not arns:
        return {}
    query = select(findings.c.finding_arn, findings.c.document).where(
        findings.c.finding_arn.in_(arns), findings.c.account_id.in_(sorted(accounts))
    )
    with engine.connect() as connection:
        return {arn: dict(document) for arn, document in connection.execute(query)}


def _error(arn: str, code: str, message: str) -> dict[str, str]:
    return {"findingArn": arn, "errorCode": code, "errorMessage": message}


def detail(arn: str, document: Mapping[str, Any], store: AdvisoryStore | None) -> dict[str, Any]:
    """The ``FindingDetail`` of one stored finding document."""
    pvd = document.get("packageVulnerabilityDetails") or {}
    vid = pvd.get("vulnerabilityId")
    cve = vid if isinstance(vid, str) and is_cve(vid) else None
    enrichment = store.enrichment(cve) if store is not None and cve else None
    epss = _epss(document, enrichment)
    listed = _kev_date(document, enrichment)
    out: dict[str, Any] = {
        "findingArn": arn,
        "cwes": _strings((document.get(EXTENSION) or {}).get("cwes")),
        "referenceUrls": _strings(pvd.get("referenceUrls"))[:_MAX_URLS],
        "epssScore": epss,
        "tools": [],
        "ttps": [],
    }
    if enrichment is not None and not out["cwes"] and enrichment.nvd is not None:
        out["cwes"] = list(enrichment.nvd.cwes)
    if listed is not None:
        cisa: dict[str, Any] = {"dateAdded": listed}
        kev = enrichment.kev if enrichment is not None else None
        if kev is not None:
            cisa["dateDue"] = _midnight(kev.due_date) if kev.due_date else None
            cisa["action"] = kev.required_action or None
        out["cisaData"] = cisa
        # CISA lists a CVE once exploitation has been seen: the earliest sighting Vigil knows.
        out["exploitObserved"] = {"firstSeen": listed}
    return out


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _epss(document: Mapping[str, Any], enrichment: Enrichment | None) -> float | None:
    if enrichment is not None and enrichment.epss is not None:
        return float(enrichment.epss.score)
    score = (document.get("epss") or {}).get("score")
    return float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None


def _kev_date(document: Mapping[str, Any], enrichment: Enrichment | None) -> datetime | None:
    if enrichment is not None and enrichment.kev is not None:
        return _midnight(enrichment.kev.date_added)
    # Findings record the KEV listing date as their last known exploit.
    return as_datetime((document.get("exploitabilityDetails") or {}).get("lastKnownExploitAt"))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
