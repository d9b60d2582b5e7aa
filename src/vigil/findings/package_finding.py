"""One Inspector ``PACKAGE_VULNERABILITY`` finding per (resource, vulnerability).

``build_package_finding`` joins the matches of one vulnerability in one resource with what the
advisory data says about it (``VulnerabilityFacts``) into a ``PackageFinding``, whose members
follow botocore's ``Finding`` shape of ``inspector2`` (rendered by ``findings.document``):

- ``source``: for OS packages the distribution's record that matched (``DEBIAN_CVE``…), else
  NVD where it knows the CVE, else the matched record's database (``GITHUB``, ``OSV``).
- ``severity``: the vendor's for OS packages where it gives one, else by CVSS in Inspector's
  bands (``scoring.severity``); ``inspectorScore`` is the preferred CVSS assessment adjusted by
  known exploitation (``scoring.adjusted``), every adjustment listed.
- ``fixAvailable``: YES when every package has a fixed version, NO when none has, else PARTIAL.
- Each vulnerable package keeps why it matched (the advisory entry and its range or listed
  version) for audit; the document puts it under a ``vigil`` key, which botocore ignores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.domain import Severity
from vigil.findings.arn import FindingIdFactory, finding_arn, stable_finding_id
from vigil.findings.facts import RecordFacts, VulnerabilityFacts
from vigil.findings.package_manager import (
    fixed_in_version,
    package_manager,
    remediation,
    split_version,
)
from vigil.findings.resource_ref import ResourceRef
from vigil.matching import FixState, Match, MatchReason
from vigil.scoring import AdjustedScore, CvssScore, ScoringContext, adjusted, preferred, severity

NOT_AVAILABLE = "NotAvailable"  # Inspector's fixedInVersion when no fix exists
NONE_PROVIDED = "None Provided"  # Inspector's recommendation text when there is nothing to do
_MAX_TEXT = 1024  # Finding.title and Finding.description are at most 1024 characters
_LAYER_HASH_LENGTH = 71  # "sha256:" and 64 hex digits, Inspector's SourceLayerHash


@dataclass(frozen=True, slots=True)
class VulnerablePackage:
    name: str
    version: str
    fixed_in_version: str  # NOT_AVAILABLE when no fix is known
    fix_state: FixState
    purl: str
    ecosystem: str
    package_manager: str | None = None
    epoch: int | None = None
    release: str | None = None
    arch: str | None = None
    file_path: str | None = None
    source_layer_hash: str | None = None
    remediation: str | None = None
    reasons: tuple[MatchReason, ...] = ()


@dataclass(frozen=True, slots=True)
class PackageVulnerabilityDetails:
    vulnerability_id: str
    source: str
    source_url: str | None
    vulnerable_packages: tuple[VulnerablePackage, ...]
    cvss: tuple[CvssScore, ...] = ()
    related_vulnerabilities: tuple[str, ...] = ()
    reference_urls: tuple[str, ...] = ()
    vendor_severity: str | None = None
    vendor_created_at: datetime | None = None
    vendor_updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PackageFinding:
    finding_arn: str
    resource: ResourceRef
    title: str
    description: str
    severity: Severity
    first_observed_at: datetime
    last_observed_at: datetime
    updated_at: datetime
    details: PackageVulnerabilityDetails
    fix_available: str  # YES, NO or PARTIAL
    exploit_available: str  # YES or NO
    recommendation: str = NONE_PROVIDED
    recommendation_url: str | None = None
    status: str = "ACTIVE"
    inspector_score: AdjustedScore | None = None
    epss_score: float | None = None
    last_known_exploit_at: datetime | None = None
    cwes: tuple[str, ...] = ()

    @property
    def vulnerability_id(self) -> str:
        return self.details.vulnerability_id

    @property
    def account_id(self) -> str:
        return self.resource.account_id


def build_package_finding(
    resource: ResourceRef,
    matches: Sequence[Match],
    facts: VulnerabilityFacts,
    *,
    observed_at: datetime,
    id_factory: FindingIdFactory = stable_finding_id,
) -> PackageFinding:
    """The finding for the matches of one vulnerability (``facts.vulnerability_id``) in one
    resource; ``observed_at`` is timezone-aware and stamps first/last observed and updated."""
    if not matches:
        raise ValueError("a finding needs at least one match")
    if observed_at.tzinfo is None:
        raise ValueError("observed_at must be timezone-aware")
    vid = facts.vulnerability_id
    packages = _packages(matches)
    names = sorted({p.name for p in packages})
    on_os = any(m.package.ecosystem.is_os for m in matches)
    matched = _matched_records(matches, facts)
    primary = next((r for r in matched if r.os), None) if on_os else None
    vendor = _vendor_severity(matches, facts) if on_os else None
    source, url, vendor_word, created, updated = _source(vid, primary, matched, facts)
    if vendor is not None:
        vendor_word = vendor[0]
    base = preferred(facts.cvss)
    score = adjusted(base, ScoringContext(kev_date_added=facts.kev_date_added)) if base else None
    fixed = [p for p in packages if p.fix_state is FixState.FIXED]
    details = PackageVulnerabilityDetails(
        vulnerability_id=vid,
        source=source,
        source_url=url,
        vulnerable_packages=packages,
        cvss=facts.cvss,
        related_vulnerabilities=tuple(a for a in facts.aliases if a != vid),
        reference_urls=_references(primary, matched, facts),
        vendor_severity=vendor_word,
        vendor_created_at=created,
        vendor_updated_at=updated,
    )
    kev = facts.kev_date_added
    return PackageFinding(
        finding_arn=finding_arn(
            resource.partition,
            resource.region,
            resource.account_id,
            id_factory(resource.account_id, resource.resource_id, vid),
        ),
        resource=resource,
        title=_clip(f"{vid} - {', '.join(names)}"),
        description=_clip(facts.description or f"{vid} affects {', '.join(names)}."),
        severity=severity(facts.cvss, vendor[1] if vendor else None, os_package=on_os),
        first_observed_at=observed_at,
        last_observed_at=observed_at,
        updated_at=observed_at,
        details=details,
        fix_available="YES" if len(fixed) == len(packages) else "PARTIAL" if fixed else "NO",
        exploit_available="YES" if kev is not None else "NO",
        recommendation=_recommendation(fixed),
        recommendation_url=url,
        inspector_score=score,
        epss_score=facts.epss,
        last_known_exploit_at=datetime(kev.year, kev.month, kev.day, tzinfo=UTC) if kev else None,
        cwes=facts.cwes,
    )


def _packages(matches: Sequence[Match]) -> tuple[VulnerablePackage, ...]:
    found: dict[tuple[object, ...], VulnerablePackage] = {}
    for match in matches:
        package = match.package
        fix = match.fixed_versions[-1] if match.fixed_versions else None
        split = split_version(package)
        location = package.locations[0] if package.locations else None
        layer = location.layer_digest if location else None
        item = VulnerablePackage(
            name=package.name,
            version=split.version,
            fixed_in_version=fixed_in_version(package, fix) if fix else NOT_AVAILABLE,
            fix_state=match.fix_state,
            purl=package.purl,
            ecosystem=str(package.ecosystem),
            package_manager=package_manager(package),
            epoch=split.epoch,
            release=split.release,
            arch=package.arch,
            # Inspector gives OS packages no file path: the package database is not the package.
            file_path=None if package.ecosystem.is_os or location is None else location.path,
            source_layer_hash=layer if _layer_hash(layer) else None,
            remediation=remediation(package, fix),
            reasons=match.reasons,
        )
        key = (item.name, item.version, item.release, item.file_path, item.source_layer_hash)
        found.setdefault(key, item)
    return tuple(found[k] for k in sorted(found, key=lambda k: tuple(str(p) for p in k)))


def _layer_hash(value: str | None) -> bool:
    if value is None or len(value) != _LAYER_HASH_LENGTH or not value.startswith("sha256:"):
        return False
    return all(c in "0123456789abcdefghijklmnopqrstuvwxyz" for c in value[7:])


def _matched_records(matches: Sequence[Match], facts: VulnerabilityFacts) -> list[RecordFacts]:
    """The records behind the matches, OS packages' first, each once, in match order."""
    ordered = sorted(matches, key=lambda m: not m.package.ecosystem.is_os)
    seen: dict[str, RecordFacts] = {}
    for match in ordered:
        for reason in match.reasons:
            record = facts.record(reason.record_id)
            if record is not None:
                seen.setdefault(record.id, record)
    return list(seen.values())


def _vendor_severity(
    matches: Sequence[Match], facts: VulnerabilityFacts
) -> tuple[str, Severity] | None:
    """The highest severity a distribution gives the entries its OS packages matched."""
    found: list[tuple[str, Severity]] = []
    for match in matches:
        if not match.package.ecosystem.is_os:
            continue
        for reason in match.reasons:
            record = facts.record(reason.record_id)
            entry = record.entry_severity.get(reason.affected_index) if record else None
            if entry is not None:
                found.append(entry)
    return max(found, key=lambda e: e[1].rank) if found else None


def _source(
    vid: str, primary: RecordFacts | None, matched: list[RecordFacts], facts: VulnerabilityFacts
) -> tuple[str, str | None, str | None, datetime | None, datetime | None]:
    if primary is None and facts.nvd is not None:
        nvd = facts.nvd
        return "NVD", nvd.url, nvd.severity, nvd.published, nvd.last_modified
    record = primary or (matched[0] if matched else None)
    if record is None:
        return "OSV", f"https://osv.dev/vulnerability/{vid}", None, None, None
    return (
        record.source,
        record.source_url,
        record.vendor_severity,
        record.published,
        record.modified,
    )


def _references(
    primary: RecordFacts | None, matched: list[RecordFacts], facts: VulnerabilityFacts
) -> tuple[str, ...]:
    urls: dict[str, None] = {}
    groups = [primary.references if primary else ()]
    groups.append(facts.nvd.references if facts.nvd else ())
    groups.extend(r.references for r in matched)
    groups.extend(r.references for r in facts.records)
    for group in groups:
        for url in group:
            if url:
                urls.setdefault(url, None)
    return tuple(urls)


def _recommendation(fixed: list[VulnerablePackage]) -> str:
    if not fixed:
        return NONE_PROVIDED
    steps = sorted({f"{p.name} to {p.fixed_in_version}" for p in fixed})
    return _clip("Upgrade " + ", ".join(steps) + ".")


def _clip(text: str) -> str:
    text = text.strip() or "-"
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
