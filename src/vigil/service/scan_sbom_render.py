"""A ScanSbom answer in the layout Inspector's Scan API uses for each ``outputFormat``.

``CYCLONE_DX_1_5`` (the default): the input SBOM as CycloneDX 1.5 with components renumbered
``comp-N``, ``metadata.properties`` counting vulnerabilities per severity
(``amazon:inspector:sbom_scanner:critical_vulnerabilities``… and ``other_vulnerabilities`` for
untriaged and informational ones), and one ``vulnerabilities`` entry per vulnerability
(``vuln-N``): its source, related ids as references, CVSS and EPSS ratings, CWEs, description,
reference URLs as advisories, publication dates, the components it affects and, as
``amazon:inspector:sbom_scanner:*`` properties, exploit availability, the CISA KEV dates and
each component's fixed version. ``INSPECTOR`` (and ``INSPECTOR_ALT``, whose layout Inspector
does not document): ``messages``, ``vulnerability_count`` and ``vulnerabilities`` as
inspector-sbomgen prints them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from vigil import __version__
from vigil.findings import iso_time
from vigil.service.scan_sbom import SbomScan, ScannedVulnerability

NAMESPACE = "amazon:inspector:sbom_scanner"
SEVERITIES = ("critical", "high", "medium", "low")
_METHODS = {"2.0": "CVSSv2", "3.0": "CVSSv3", "3.1": "CVSSv31", "4.0": "CVSSv4"}
_NVD_URL = "https://nvd.nist.gov/vuln/detail/{}"
_EPSS_URL = "https://api.first.org/data/v1/epss?cve={}"
_CDX_SEVERITIES = frozenset({"critical", "high", "medium", "low", "info", "none", "unknown"})


def render(scan: SbomScan, output_format: str | None) -> dict[str, Any]:
    if output_format in ("INSPECTOR", "INSPECTOR_ALT"):
        return inspector_report(scan)
    return cyclonedx_report(scan)


def severity_of(vulnerability: ScannedVulnerability) -> str:
    return str(vulnerability.finding.get("severity", "UNTRIAGED")).lower()


def counts(scan: SbomScan) -> dict[str, int]:
    found = dict.fromkeys((*SEVERITIES, "other"), 0)
    for vulnerability in scan.vulnerabilities:
        severity = severity_of(vulnerability)
        found[severity if severity in SEVERITIES else "other"] += 1
    return found


def cyclonedx_report(scan: SbomScan) -> dict[str, Any]:
    document = dict(scan.document)
    document.pop("$schema", None)
    metadata = dict(document.get("metadata") or {})
    metadata.update(
        timestamp=iso_time(scan.scanned_at),
        tools=[{"vendor": "Vigil", "name": "vigil", "version": __version__}],
        properties=[
            {"name": f"{NAMESPACE}:{name}_vulnerabilities", "value": str(count)}
            for name, count in counts(scan).items()
        ],
    )
    document.update(
        specVersion="1.5",
        serialNumber=f"urn:uuid:{uuid.uuid4()}",
        metadata=metadata,
        vulnerabilities=[
            _cyclonedx_vulnerability(v, f"vuln-{n}") for n, v in enumerate(scan.vulnerabilities, 1)
        ],
    )
    return document


def _details(vulnerability: ScannedVulnerability) -> Mapping[str, Any]:
    details = vulnerability.finding.get("packageVulnerabilityDetails")
    return details if isinstance(details, Mapping) else {}


def _cyclonedx_vulnerability(vulnerability: ScannedVulnerability, ref: str) -> dict[str, Any]:
    finding, details = vulnerability.finding, _details(vulnerability)
    vid = str(details.get("vulnerabilityId"))
    out: dict[str, Any] = {"bom-ref": ref, "id": vid}
    source = _source(details)
    if source:
        out["source"] = source
    related = [str(r) for r in details.get("relatedVulnerabilities") or []]
    if related:
        out["references"] = [{"id": r, "source": {"name": r.split("-")[0]}} for r in related]
    ratings = _ratings(vulnerability)
    if ratings:
        out["ratings"] = ratings
    cwes = _cwe_numbers(finding)
    if cwes:
        out["cwes"] = cwes
    if finding.get("description"):
        out["description"] = finding["description"]
    urls = [str(u) for u in details.get("referenceUrls") or []]
    if urls:
        out["advisories"] = [{"url": u} for u in urls]
    for member, name in (("created", "vendorCreatedAt"), ("updated", "vendorUpdatedAt")):
        if details.get(name):
            out[member] = details[name]
    out["affects"] = [{"ref": r} for r in vulnerability.refs]
    exploited = finding.get("exploitAvailable") == "YES"
    out["analysis"] = {"state": "exploitable" if exploited else "in_triage"}
    properties = _properties(vulnerability, exploited)
    if properties:
        out["properties"] = properties
    return out


def _source(details: Mapping[str, Any]) -> dict[str, str]:
    source: dict[str, str] = {}
    if details.get("source"):
        source["name"] = str(details["source"])
    if details.get("sourceUrl"):
        source["url"] = str(details["sourceUrl"])
    return source


def _score_severity(score: float) -> str:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low" if score > 0 else "none"


def _ratings(vulnerability: ScannedVulnerability) -> list[dict[str, Any]]:
    details = _details(vulnerability)
    vid = str(details.get("vulnerabilityId"))
    ratings: list[dict[str, Any]] = []
    vendor = str(details.get("vendorSeverity") or "").lower()
    for cvss in details.get("cvss") or []:
        score = cvss.get("baseScore")
        if not isinstance(score, int | float):
            continue
        name = str(cvss.get("source") or "")
        severity = _score_severity(float(score))
        if name != "NVD" and name == details.get("source") and vendor in _CDX_SEVERITIES:
            severity = vendor
        rating: dict[str, Any] = {
            "method": _METHODS.get(str(cvss.get("version")), "other"),
            "score": score,
            "severity": severity,
            "source": {"name": name}
            if name != "NVD"
            else {"name": name, "url": _NVD_URL.format(vid)},
            "vector": cvss.get("scoringVector"),
        }
        ratings.append({k: v for k, v in rating.items() if v})
    epss = vulnerability.enrichment.epss
    if epss is not None:
        ratings.append(
            {
                "method": "other",
                "score": epss.score,
                "severity": "none",
                "source": {"name": "EPSS", "url": _EPSS_URL.format(vid)},
                "vector": f"percentile:{epss.percentile},date:{epss.scored_on.isoformat()}",
            }
        )
    return ratings


def _cwe_numbers(finding: Mapping[str, Any]) -> list[int]:
    extension = finding.get("vigil")
    cwes = extension.get("cwes", []) if isinstance(extension, Mapping) else []
    numbers = []
    for cwe in cwes:
        digits = str(cwe).removeprefix("CWE-")
        if digits.isdigit():
            numbers.append(int(digits))
    return numbers


def _properties(vulnerability: ScannedVulnerability, exploited: bool) -> list[dict[str, str]]:
    properties = [{"name": f"{NAMESPACE}:exploit_available", "value": str(exploited).lower()}]
    last = (vulnerability.finding.get("exploitabilityDetails") or {}).get("lastKnownExploitAt")
    if last:
        properties.append({"name": f"{NAMESPACE}:exploit_last_seen_in_public", "value": last})
    kev = vulnerability.enrichment.kev
    if kev is not None:
        properties.append(
            {"name": f"{NAMESPACE}:cisa_kev_date_added", "value": _day(kev.date_added)}
        )
        if kev.due_date is not None:
            properties.append(
                {"name": f"{NAMESPACE}:cisa_kev_date_due", "value": _day(kev.due_date)}
            )
    for ref in vulnerability.refs:
        fixed = vulnerability.fixed.get(ref)
        if fixed:
            properties.append({"name": f"{NAMESPACE}:fixed_version:{ref}", "value": fixed})
    return properties


def _day(day: Any) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def inspector_report(scan: SbomScan) -> dict[str, Any]:
    found = counts(scan)
    return {
        "messages": [
            {
                **({"name": c["name"]} if isinstance(c.get("name"), str) else {}),
                "info": "Component skipped: no purl to match against advisories.",
            }
            for c in scan.skipped
        ],
        "vulnerability_count": {name: found[name] for name in SEVERITIES},
        "vulnerabilities": [_inspector_vulnerability(v) for v in scan.vulnerabilities],
    }


def _inspector_vulnerability(vulnerability: ScannedVulnerability) -> dict[str, Any]:
    finding, details = vulnerability.finding, _details(vulnerability)
    properties: dict[str, Any] = {}
    kev = vulnerability.enrichment.kev
    if kev is not None:
        properties["cisa_kev_date_added"] = _day(kev.date_added)
        if kev.due_date is not None:
            properties["cisa_kev_date_due"] = _day(kev.due_date)
    properties["cwes"] = _cwe_numbers(finding)
    properties["cvss"] = _inspector_cvss(details)
    if vulnerability.enrichment.epss is not None:
        properties["epss"] = vulnerability.enrichment.epss.score
    properties["exploit_available"] = finding.get("exploitAvailable") == "YES"
    last = (finding.get("exploitabilityDetails") or {}).get("lastKnownExploitAt")
    if last:
        properties["exploit_last_seen_in_public"] = last
    affects = []
    for ref in vulnerability.refs:
        affected = {"installed_version": vulnerability.purls[ref]}
        if ref in vulnerability.fixed:
            affected["fixed_version"] = vulnerability.fixed[ref]
        affects.append(affected)
    out: dict[str, Any] = {
        "id": details.get("vulnerabilityId"),
        "severity": severity_of(vulnerability),
        "source": details.get("sourceUrl"),
        "related": list(details.get("relatedVulnerabilities") or []),
        "description": finding.get("description"),
        "references": list(details.get("referenceUrls") or []),
        "created": details.get("vendorCreatedAt"),
        "updated": details.get("vendorUpdatedAt"),
        "properties": properties,
        "affects": affects,
    }
    return {k: v for k, v in out.items() if v is not None}


def _inspector_cvss(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    by_source: dict[str, dict[str, Any]] = {}
    for cvss in details.get("cvss") or []:
        score = cvss.get("baseScore")
        if not isinstance(score, int | float):
            continue
        version = str(cvss.get("version", ""))
        major = "cvss3" if version.startswith("3") else "cvss2" if version == "2.0" else None
        if major is None:
            continue
        entry = by_source.setdefault(str(cvss.get("source")), {"source": str(cvss.get("source"))})
        entry.setdefault(f"{major}_base_score", score)
        entry.setdefault(f"{major}_base_vector", cvss.get("scoringVector"))
        if major == "cvss3" or "severity" not in entry:
            entry["severity"] = _score_severity(float(score))
    return list(by_source.values())
