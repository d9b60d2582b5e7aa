"""The columns a stored finding copies out of its Inspector document, for filters and sorting."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from vigil.domain.severity import Severity

_EXPLOIT = frozenset({"YES", "NO"})
_FIX = frozenset({"YES", "NO", "PARTIAL"})


def _cut(value: Any, limit: int) -> str | None:
    """A bounded copy for a column; the document keeps the whole value."""
    return None if value is None else str(value)[:limit]


def _score(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def severity_rank(severity: Severity) -> int:
    """INFORMATIONAL 0 … CRITICAL 4, UNTRIAGED -1 (the schema's order for sorting)."""
    return -1 if severity is Severity.UNTRIAGED else severity.rank - 1


def finding_columns(vulnerability_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """Severity, scores, availability flags and title, as the findings table holds them."""
    if len(vulnerability_id) > 128:
        raise ValueError("a vulnerability id has at most 128 characters")
    severity = Severity(document.get("severity", "UNTRIAGED"))
    details = document.get("packageVulnerabilityDetails") or {}
    epss = document.get("epss") or {}
    exploit = document.get("exploitAvailable")
    fix = document.get("fixAvailable")
    return {
        "type": _cut(document.get("type", "PACKAGE_VULNERABILITY"), 32),
        "title": _cut(document.get("title") or vulnerability_id, 1024),
        "severity": severity.value,
        "severity_rank": severity_rank(severity),
        "inspector_score": _score(document.get("inspectorScore")),
        "epss_score": _score(epss.get("score")),
        "exploit_available": exploit if exploit in _EXPLOIT else "NO",
        "fix_available": fix if fix in _FIX else "NO",
        "vendor_severity": _cut(details.get("vendorSeverity"), 32),
    }


def package_rows(finding_id: int, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One finding_packages row per ``vulnerablePackages`` entry, in document order."""
    details = document.get("packageVulnerabilityDetails") or {}
    rows = []
    for position, package in enumerate(details.get("vulnerablePackages") or ()):
        epoch = package.get("epoch")
        rows.append(
            {
                "finding_id": finding_id,
                "position": position,
                "name": _cut(package.get("name", ""), 512),
                "version": _cut(package.get("version", ""), 256),
                "epoch": epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else 0,
                "release": _cut(package.get("release"), 256),
                "arch": _cut(package.get("arch"), 64),
                "package_manager": _cut(package.get("packageManager", ""), 32),
                "file_path": _cut(package.get("filePath"), 2048),
                "source_layer_hash": _cut(package.get("sourceLayerHash"), 128),
                "fixed_in_version": _cut(package.get("fixedInVersion"), 256),
            }
        )
    return rows
