"""CycloneDX 1.6 JSON with vulnerabilities: what was found, in which components, what to do.

Every affected package is a ``library`` component (its ``bom-ref`` is its purl, made unique when
two copies share one); every finding a ``vulnerabilities[]`` entry whose ``affects`` name those
components. The analysis is what a scanner can honestly state: ``exploitable`` for a
vulnerability known to be exploited in the wild (CISA KEV), else ``in_triage`` (affected by
version, not yet assessed by a person). ``response`` lists ``update`` where a fixed version
exists and ``will_not_fix`` where the distribution said so. Vigil's facts that CycloneDX has no
field for (Inspector severity and score, EPSS, the finding ARN) are ``vigil:finding:*``
properties.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from vigil.domain import Severity
from vigil.reports.context import ReportContext
from vigil.reports.finding_view import CvssView, FindingView, PackageView, read_finding
from vigil.reports.vex_sources import reference_source

SPEC = "1.6"
TARGET_REF = "vigil:target"
_METHOD = {"2.0": "CVSSv2", "3.0": "CVSSv3", "3.1": "CVSSv31", "4.0": "CVSSv4"}
_SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.INFORMATIONAL: "info",
    Severity.UNTRIAGED: "unknown",
}
_VENDOR_WORDS = frozenset({"critical", "high", "medium", "low", "info", "none"})


def render_vex(findings: Sequence[Mapping[str, Any]], context: ReportContext) -> bytes:
    views = [read_finding(finding) for finding in findings]
    components = _Components()
    vulnerabilities = [_vulnerability(view, components) for view in views]
    document: dict[str, Any] = {
        "$schema": f"http://cyclonedx.org/schema/bom-{SPEC}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC,
        "serialNumber": context.serial_number or "",
        "version": 1,
        "metadata": {
            "timestamp": context.created.isoformat(timespec="seconds"),
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": context.tool_name,
                        "version": context.tool_version,
                    }
                ]
            },
            "component": {"bom-ref": TARGET_REF, "type": "application", "name": context.target},
        },
        "components": components.listed,
        "vulnerabilities": vulnerabilities,
    }
    if context.ignored:
        document["metadata"]["properties"] = [
            {"name": "vigil:scan:ignored-findings", "value": str(context.ignored)}
        ]
    if not context.serial_number:
        document["serialNumber"] = _derived_serial(document)
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


class _Components:
    """One component per distinct package; the same package in two findings is listed once."""

    def __init__(self) -> None:
        self.listed: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, ...], str] = {}
        self._refs: set[str] = {TARGET_REF}

    def ref(self, package: PackageView) -> str:
        key = (package.purl or "", package.name, package.version, package.file_path or "")
        found = self._by_key.get(key)
        if found is not None:
            return found
        ref = self._unique(package.purl or f"vigil:package:{package.name}@{package.version}")
        self._by_key[key] = ref
        component: dict[str, Any] = {
            "bom-ref": ref,
            "type": "library",
            "name": package.name,
            "version": package.version,
        }
        if package.purl:
            component["purl"] = package.purl
        if package.file_path:
            component["properties"] = [
                {"name": "vigil:package:location", "value": package.file_path}
            ]
        self.listed.append(component)
        return ref

    def _unique(self, ref: str) -> str:
        candidate, number = ref, 1
        while candidate in self._refs:
            number += 1
            candidate = f"{ref}#{number}"
        self._refs.add(candidate)
        return candidate


def _vulnerability(view: FindingView, components: _Components) -> dict[str, Any]:
    # Two copies of one package in a finding are one component: affects lists it once.
    affected = {components.ref(package): package.version for package in view.packages}
    entry: dict[str, Any] = {"id": view.vulnerability_id}
    source: dict[str, str] = {}
    if view.source:
        source["name"] = view.source
    if view.source_url:
        source["url"] = view.source_url
    if source:
        entry["source"] = source
    if view.related:
        entry["references"] = [
            {"id": related, "source": reference_source(related)} for related in view.related
        ]
    entry["ratings"] = _ratings(view)
    cwes = _cwe_numbers(view.cwes)
    if cwes:
        entry["cwes"] = cwes
    if view.description:
        entry["description"] = view.description
    recommendation = _recommendation(view.packages)
    if recommendation:
        entry["recommendation"] = recommendation
    if view.reference_urls:
        entry["advisories"] = [{"url": url} for url in dict.fromkeys(view.reference_urls)]
    if view.vendor_created:
        entry["published"] = view.vendor_created
    if view.vendor_updated:
        entry["updated"] = view.vendor_updated
    entry["analysis"] = _analysis(view)
    entry["affects"] = [
        {"ref": ref, "versions": [{"version": version, "status": "affected"}]}
        for ref, version in affected.items()
    ]
    entry["properties"] = _properties(view)
    return entry


def _ratings(view: FindingView) -> list[dict[str, Any]]:
    ratings = [_cvss_rating(cvss) for cvss in view.cvss]
    vigil: dict[str, Any] = {"source": {"name": "Vigil (Inspector severity)"}}
    if view.inspector_score is not None:
        vigil["score"] = view.inspector_score
    vigil["severity"] = _SEVERITY[view.severity]
    vigil["method"] = "other"
    ratings.append(vigil)
    vendor = (view.vendor_severity or "").strip().lower()
    if vendor:
        rating: dict[str, Any] = {"source": {"name": view.source or "vendor"}}
        rating["severity"] = vendor if vendor in _VENDOR_WORDS else "unknown"
        rating["method"] = "other"
        rating["justification"] = f"vendor severity: {view.vendor_severity}"
        ratings.append(rating)
    return ratings


def _cvss_rating(cvss: CvssView) -> dict[str, Any]:
    rating: dict[str, Any] = {"source": {"name": cvss.source or "unknown"}}
    rating["score"] = cvss.base_score
    if 0.0 <= cvss.base_score <= 10.0:
        band = Severity.from_score(cvss.base_score)
        rating["severity"] = "none" if band is Severity.INFORMATIONAL else _SEVERITY[band]
    rating["method"] = _METHOD.get(cvss.version, "other")
    if cvss.vector:
        rating["vector"] = cvss.vector
    return rating


def _cwe_numbers(cwes: Sequence[str]) -> list[int]:
    numbers: list[int] = []
    for cwe in cwes:
        digits = cwe.upper().removeprefix("CWE-")
        if digits.isascii() and digits.isdigit() and int(digits) >= 1:
            numbers.append(int(digits))
    return list(dict.fromkeys(numbers))


def _recommendation(packages: Sequence[PackageView]) -> str:
    upgrades = [f"{p.name} to {p.fixed_in}" for p in packages if p.fixed_in is not None]
    return f"Upgrade {', '.join(upgrades)}." if upgrades else ""


def _analysis(view: FindingView) -> dict[str, Any]:
    analysis: dict[str, Any] = {"state": "exploitable" if view.known_exploited else "in_triage"}
    responses = []
    if any(p.fixed_in is not None for p in view.packages):
        responses.append("update")
    if any(p.wont_fix for p in view.packages):
        responses.append("will_not_fix")
    if responses:
        analysis["response"] = responses
    if view.known_exploited:
        analysis["detail"] = "Known to be exploited in the wild (CISA KEV)."
    else:
        analysis["detail"] = "Affected by version; exploitability not assessed."
    return analysis


def _properties(view: FindingView) -> list[dict[str, str]]:
    pairs = [("vigil:finding:severity", view.severity.value)]
    if view.inspector_score is not None:
        pairs.append(("vigil:finding:inspector-score", f"{view.inspector_score:g}"))
    if view.epss is not None:
        pairs.append(("vigil:finding:epss", f"{view.epss:g}"))
    if view.fix_available:
        pairs.append(("vigil:finding:fix-available", view.fix_available))
    if view.last_known_exploit:
        pairs.append(("vigil:finding:last-known-exploit", view.last_known_exploit))
    if view.arn:
        pairs.append(("vigil:finding:arn", view.arn))
    return [{"name": name, "value": value} for name, value in pairs]


def _derived_serial(document: dict[str, Any]) -> str:
    """A serial number from the content: the same findings at the same time give the same id."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4).urn
