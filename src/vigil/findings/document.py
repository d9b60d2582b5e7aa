"""A ``PackageFinding`` as the JSON object of botocore's ``inspector2`` ``Finding`` shape.

Member names and enum values are botocore's. Timestamps go through a renderer the caller picks:
``iso_time`` (ISO 8601, for ``vigil scan`` output) or ``epoch_time`` (seconds, what the API
sends, as rest-json does by default). Absent optional members are left out, never null.

Vigil's additions live under a ``vigil`` key (``EXTENSION``), which botocore's parser ignores:

- on the finding: ``cwes``, the weaknesses NVD and the records name;
- on each vulnerable package: ``purl``, ``ecosystem``, ``fixState`` (``FIXED``, ``NOT_FIXED``,
  ``WONT_FIX``) and ``matchedBy``, one entry per advisory entry that matched it:
  ``{"record", "affectedIndex", "ecosystem"}`` plus either ``range`` (``{"index", "events"}``,
  events as OSV writes them, ``[{"introduced": "0"}, {"fixed": "1.2"}]``) or ``listedVersion``
  when the installed version was in the entry's explicit version list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from vigil.findings.package_finding import PackageFinding, VulnerablePackage
from vigil.matching import MatchReason

EXTENSION = "vigil"
TimeRenderer = Callable[[datetime], Any]


def iso_time(moment: datetime) -> str:
    return moment.isoformat()


def epoch_time(moment: datetime) -> float:
    return moment.timestamp()


def finding_document(
    finding: PackageFinding, render_time: TimeRenderer = iso_time
) -> dict[str, Any]:
    """The finding as JSON-ready data in Inspector's shape."""
    details = finding.details
    resource = finding.resource
    recommendation: dict[str, Any] = {"text": finding.recommendation}
    _put(recommendation, "Url", finding.recommendation_url)
    resource_doc: dict[str, Any] = {
        "type": resource.resource_type,
        "id": resource.resource_id,
        "partition": resource.partition,
        "region": resource.region,
    }
    if resource.tags:
        resource_doc["tags"] = dict(resource.tags)
    if resource.details:
        resource_doc["details"] = _plain(resource.details, render_time)
    pvd: dict[str, Any] = {
        "vulnerabilityId": details.vulnerability_id,
        "source": details.source,
        "vulnerablePackages": [_package(p) for p in details.vulnerable_packages],
    }
    if details.cvss:
        pvd["cvss"] = [
            {
                "baseScore": c.base_score,
                "scoringVector": c.vector,
                "version": c.version,
                "source": c.source,
            }
            for c in details.cvss
        ]
    if details.related_vulnerabilities:
        pvd["relatedVulnerabilities"] = list(details.related_vulnerabilities)
    if details.reference_urls:
        pvd["referenceUrls"] = list(details.reference_urls)
    _put(pvd, "sourceUrl", details.source_url)
    _put(pvd, "vendorSeverity", details.vendor_severity)
    _put_time(pvd, "vendorCreatedAt", details.vendor_created_at, render_time)
    _put_time(pvd, "vendorUpdatedAt", details.vendor_updated_at, render_time)
    doc: dict[str, Any] = {
        "findingArn": finding.finding_arn,
        "awsAccountId": finding.account_id,
        "type": "PACKAGE_VULNERABILITY",
        "title": finding.title,
        "description": finding.description,
        "remediation": {"recommendation": recommendation},
        "severity": finding.severity.value,
        "status": finding.status,
        "firstObservedAt": render_time(finding.first_observed_at),
        "lastObservedAt": render_time(finding.last_observed_at),
        "updatedAt": render_time(finding.updated_at),
        "resources": [resource_doc],
        "packageVulnerabilityDetails": pvd,
        "fixAvailable": finding.fix_available,
        "exploitAvailable": finding.exploit_available,
    }
    score = finding.inspector_score
    if score is not None:
        doc["inspectorScore"] = score.score
        doc["inspectorScoreDetails"] = {
            "adjustedCvss": {
                "scoreSource": score.base.source,
                "cvssSource": score.base.source,
                "version": score.base.version,
                "score": score.score,
                "scoringVector": score.vector,
                "adjustments": [
                    {"metric": a.metric, "reason": a.reason} for a in score.adjustments
                ],
            }
        }
    if finding.epss_score is not None:
        doc["epss"] = {"score": finding.epss_score}
    if finding.last_known_exploit_at is not None:
        doc["exploitabilityDetails"] = {
            "lastKnownExploitAt": render_time(finding.last_known_exploit_at)
        }
    doc[EXTENSION] = {"cwes": list(finding.cwes)}
    return doc


def _package(package: VulnerablePackage) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": package.name, "version": package.version}
    _put(doc, "epoch", package.epoch)
    _put(doc, "release", package.release)
    _put(doc, "arch", package.arch)
    _put(doc, "packageManager", package.package_manager)
    _put(doc, "filePath", package.file_path)
    _put(doc, "sourceLayerHash", package.source_layer_hash)
    doc["fixedInVersion"] = package.fixed_in_version
    _put(doc, "remediation", package.remediation)
    doc[EXTENSION] = {
        "purl": package.purl,
        "ecosystem": package.ecosystem,
        "fixState": package.fix_state.value,
        "matchedBy": [_reason(r) for r in package.reasons],
    }
    return doc


def _reason(reason: MatchReason) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "record": reason.record_id,
        "affectedIndex": reason.affected_index,
        "ecosystem": reason.ecosystem,
    }
    if reason.range_index is not None:
        doc["range"] = {
            "index": reason.range_index,
            "events": [{kind: value} for kind, value in reason.events],
        }
    if reason.listed_version is not None:
        doc["listedVersion"] = reason.listed_version
    return doc


def _put(doc: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        doc[key] = value


def _put_time(
    doc: dict[str, Any], key: str, value: datetime | None, render_time: TimeRenderer
) -> None:
    if value is not None:
        doc[key] = render_time(value)


def _plain(value: Any, render_time: TimeRenderer) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v, render_time) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, render_time) for v in value]
    if isinstance(value, datetime):
        return render_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
