"""inspector-scan ScanSbom: a CycloneDX SBOM in, its vulnerabilities out.

The input is a CycloneDX 1.4 or 1.5 JSON document (Inspector asks for 1.5; 1.4 is a subset for
what is read here) of at most ``MAX_COMPONENTS`` components, nested ones included. Its
components are numbered ``comp-1``, ``comp-2``… in document order (a parent before its
children), as Inspector's answers number them, and read into an inventory; each package is
matched against the advisory store and each vulnerability's facts (CVSS, EPSS, KEV,
references) gathered as for a finding. ``scan_sbom_render`` writes the answer in the format
asked for. Nothing is stored: the scan belongs to no resource and no account.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vigil.advisories.enrichment import Enrichment
from vigil.advisories.groups import is_cve
from vigil.advisories.store import AdvisoryStore
from vigil.findings import NOT_AVAILABLE, local_resource
from vigil.matching import Match, Matcher
from vigil.sbom import InvalidSbom
from vigil.sbom.cyclonedx_decode import decode_cyclonedx
from vigil.service.findings_build import package_findings
from vigil.service.scan import finding_to_json

MAX_COMPONENTS = 5000
SPEC_VERSIONS = ("1.4", "1.5")
MAX_DEPTH = 32


class UnsupportedSbom(ValueError):
    """Not a CycloneDX 1.4/1.5 JSON document (inspector-scan's UNSUPPORTED_SBOM_TYPE)."""


class TooManyComponents(ValueError):
    """More components than one scan takes."""


@dataclass(frozen=True)
class ScannedVulnerability:
    finding: dict[str, Any]  # the Inspector Finding a resource would get (ISO 8601 times)
    refs: tuple[str, ...]  # bom-refs of the affected components, in document order
    fixed: Mapping[str, str]  # bom-ref → fixed version, where one is known
    purls: Mapping[str, str]  # bom-ref → purl
    enrichment: Enrichment


@dataclass(frozen=True)
class SbomScan:
    document: dict[str, Any]  # the input with its components renumbered
    vulnerabilities: tuple[ScannedVulnerability, ...]  # most severe first, then by id
    skipped: tuple[Mapping[str, Any], ...]  # components that could not be matched
    scanned_at: datetime


def scan_sbom(sbom: Any, store: AdvisoryStore, scanned_at: datetime) -> SbomScan:
    document = _checked(sbom)
    by_purl: dict[str, list[str]] = {}
    skipped = []
    for ref, component in _numbered(document):
        purl = component.get("purl")
        if isinstance(purl, str) and purl:
            by_purl.setdefault(purl, []).append(ref)
        elif component.get("type") != "operating-system":
            skipped.append(component)
    try:
        inventory = decode_cyclonedx(document, default_target="sbom")
    except InvalidSbom as exc:
        raise UnsupportedSbom(str(exc)) from None
    matches = Matcher(store).match(inventory).matches
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        grouped.setdefault(match.vulnerability_id, []).append(match)
    findings = package_findings(
        store, local_resource("sbom", "host"), matches, observed_at=scanned_at
    )
    found = []
    for finding in findings:
        refs: dict[str, None] = {}
        fixed: dict[str, str] = {}
        purls: dict[str, str] = {}
        shown = finding_to_json(finding)
        # The finding's own fixed versions, written as Inspector writes them (with the epoch of
        # an OS package), by package name.
        listed = shown["packageVulnerabilityDetails"]["vulnerablePackages"]
        fixes = {p["name"]: p.get("fixedInVersion") for p in listed}
        for match in grouped[finding.vulnerability_id]:
            fix = fixes.get(match.package.name)
            for ref in by_purl.get(match.package.purl, ()):
                refs[ref] = None
                purls[ref] = match.package.purl
                if fix and fix != NOT_AVAILABLE:
                    fixed[ref] = fix
        vid = finding.vulnerability_id
        enrichment = store.enrichment(vid) if is_cve(vid) else Enrichment(vid)
        found.append(ScannedVulnerability(shown, tuple(refs), fixed, purls, enrichment))
    return SbomScan(document, tuple(found), tuple(skipped), scanned_at)


def _checked(sbom: Any) -> dict[str, Any]:
    if not isinstance(sbom, dict) or sbom.get("bomFormat") != "CycloneDX":
        raise UnsupportedSbom("sbom must be a CycloneDX JSON document (bomFormat CycloneDX)")
    if sbom.get("specVersion") not in SPEC_VERSIONS:
        raise UnsupportedSbom(
            f"CycloneDX specVersion {sbom.get('specVersion')!r} is not one of {SPEC_VERSIONS}"
        )
    if not isinstance(sbom.get("components", []), list):
        raise UnsupportedSbom("components must be a list")
    document = copy.deepcopy(sbom)
    count = sum(1 for _ in _walk(document.get("components", []), 0))
    if count > MAX_COMPONENTS:
        raise TooManyComponents(f"{count} components; a scan takes at most {MAX_COMPONENTS}")
    return document


def _walk(components: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth >= MAX_DEPTH or not isinstance(components, list):
        return
    for component in components:
        if isinstance(component, dict):
            yield component
            yield from _walk(component.get("components"), depth + 1)


def _numbered(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Components renumbered; ``dependencies`` follow their new refs, the rest is dropped."""
    numbered: list[tuple[str, dict[str, Any]]] = []
    renamed: dict[str, str] = {}
    for index, component in enumerate(_walk(document.get("components", []), 0), 1):
        ref = f"comp-{index}"
        old = component.get("bom-ref")
        if isinstance(old, str):
            renamed.setdefault(old, ref)
        component["bom-ref"] = ref
        numbered.append((ref, component))
    dependencies = []
    for entry in document.get("dependencies") or []:
        named = entry.get("ref") if isinstance(entry, dict) else None
        if isinstance(named, str) and named in renamed:
            listed = entry.get("dependsOn")
            listed = listed if isinstance(listed, list) else []
            depends = [renamed[d] for d in listed if isinstance(d, str) and d in renamed]
            dependencies.append({"ref": renamed[named], "dependsOn": depends})
    for stale in ("dependencies", "vulnerabilities", "compositions"):
        document.pop(stale, None)
    if dependencies:
        document["dependencies"] = dependencies
    return numbered
