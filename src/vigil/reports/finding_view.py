"""A typed, defensive reading of one Inspector-shaped finding (JSON dict) for the renderers.

Renderers take findings as the JSON Inspector's API returns (what ``vigil scan --format json``
writes), not service objects, so a report can be made from a saved file as well as from a scan.
Every field is read with its type checked: a missing or odd value becomes ``None`` or empty,
never an exception, so one malformed finding cannot stop a report.

Vigil's own additions that Inspector's shape has no member for (the package URL, the
ecosystem, "will not fix", CWEs) are read from a ``vigil`` object beside Inspector's members,
on the finding and on each vulnerable package; botocore ignores unknown keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vigil.domain import Severity

NOT_AVAILABLE = "NotAvailable"  # Inspector's fixedInVersion when there is no fix
EXTENSION = "vigil"


@dataclass(frozen=True, slots=True)
class PackageView:
    name: str
    version: str  # as installed, epoch and release joined back as the package manager shows it
    fixed_in: str | None  # None when no fixed version is known
    wont_fix: bool  # the distribution stated it will not fix this
    file_path: str | None
    package_manager: str | None
    purl: str | None
    ecosystem: str | None
    remediation: str | None

    @property
    def fix_state(self) -> str:
        if self.fixed_in is not None:
            return "fixed"
        return "will not fix" if self.wont_fix else "no fix"


@dataclass(frozen=True, slots=True)
class CvssView:
    version: str
    base_score: float
    vector: str
    source: str


@dataclass(frozen=True, slots=True)
class FindingView:
    arn: str
    vulnerability_id: str
    title: str
    description: str
    severity: Severity
    fix_available: str | None  # YES, NO or PARTIAL
    known_exploited: bool
    epss: float | None
    inspector_score: float | None
    source: str | None
    source_url: str | None
    reference_urls: tuple[str, ...]
    related: tuple[str, ...]
    vendor_severity: str | None
    cvss: tuple[CvssView, ...]
    cwes: tuple[str, ...]
    packages: tuple[PackageView, ...]
    recommendation: str | None
    recommendation_url: str | None
    vendor_created: str | None
    vendor_updated: str | None
    last_known_exploit: str | None


def read_finding(finding: Mapping[str, Any]) -> FindingView:
    details = _mapping(finding.get("packageVulnerabilityDetails"))
    extension = _mapping(finding.get(EXTENSION))
    recommendation = _mapping(_mapping(finding.get("remediation")).get("recommendation"))
    vulnerability_id = _text(details.get("vulnerabilityId")) or _text(finding.get("title"))
    return FindingView(
        arn=_text(finding.get("findingArn")) or "",
        vulnerability_id=vulnerability_id or "UNKNOWN",
        title=_text(finding.get("title")) or "",
        description=_text(finding.get("description")) or "",
        severity=_severity(finding.get("severity")),
        fix_available=_text(finding.get("fixAvailable")),
        known_exploited=finding.get("exploitAvailable") == "YES",
        epss=_number(_mapping(finding.get("epss")).get("score")),
        inspector_score=_number(finding.get("inspectorScore")),
        source=_text(details.get("source")),
        source_url=_text(details.get("sourceUrl")),
        reference_urls=_texts(details.get("referenceUrls")),
        related=_texts(details.get("relatedVulnerabilities")),
        vendor_severity=_text(details.get("vendorSeverity")),
        cvss=tuple(
            view for item in _list(details.get("cvss")) if (view := _cvss(item)) is not None
        ),
        cwes=_texts(extension.get("cwes")),
        packages=tuple(_package(item) for item in _list(details.get("vulnerablePackages"))),
        recommendation=_text(recommendation.get("text")),
        recommendation_url=_text(recommendation.get("Url")),
        vendor_created=_text(details.get("vendorCreatedAt")),
        vendor_updated=_text(details.get("vendorUpdatedAt")),
        last_known_exploit=_text(
            _mapping(finding.get("exploitabilityDetails")).get("lastKnownExploitAt")
        ),
    )


def _package(raw: Any) -> PackageView:
    item = _mapping(raw)
    extension = _mapping(item.get(EXTENSION))
    fixed = _text(item.get("fixedInVersion"))
    return PackageView(
        name=_text(item.get("name")) or "?",
        version=_installed_version(item),
        fixed_in=None if fixed in (None, NOT_AVAILABLE) else fixed,
        wont_fix=extension.get("fixState") == "WONT_FIX",
        file_path=_text(item.get("filePath")),
        package_manager=_text(item.get("packageManager")),
        purl=_text(extension.get("purl")),
        ecosystem=_text(extension.get("ecosystem")),
        remediation=_text(item.get("remediation")),
    )


def _installed_version(item: Mapping[str, Any]) -> str:
    """Inspector splits OS package versions into epoch, version and release; join them back."""
    version = _text(item.get("version")) or "?"
    release = _text(item.get("release"))
    epoch = item.get("epoch")
    if release:
        version = f"{version}-{release}"
    if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch > 0:
        version = f"{epoch}:{version}"
    return version


def _cvss(raw: Any) -> CvssView | None:
    item = _mapping(raw)
    score = _number(item.get("baseScore"))
    version = _text(item.get("version"))
    if score is None or version is None:
        return None
    return CvssView(
        version=version,
        base_score=score,
        vector=_text(item.get("scoringVector")) or "",
        source=_text(item.get("source")) or "",
    )


def _severity(raw: Any) -> Severity:
    if not isinstance(raw, str):
        return Severity.UNTRIAGED
    try:
        return Severity(raw)
    except ValueError:
        return Severity.UNTRIAGED


def _mapping(raw: Any) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


def _list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def _text(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw else None


def _texts(raw: Any) -> tuple[str, ...]:
    return tuple(item for item in _list(raw) if isinstance(item, str) and item)


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if value == value and abs(value) != float("inf") else None
