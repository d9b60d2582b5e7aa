"""Findings written as Inspector's report files: CSV rows with Inspector's 55 columns, or the
JSON document ``{"findings": [Finding, ...]}``.

The columns and their order are those of Inspector's CSV export (as consumers such as Athena
table definitions and importers read it). Inspector does not document each cell's format, so
Vigil's choices are: times in ISO 8601 UTC with milliseconds (``2024-07-30T12:17:32.646Z``), a
finding's several packages (or tags, layers, URLs) joined with ``", "`` in package order, and
cells that do not apply to a package vulnerability (network paths, port range, detector name)
left empty. In JSON, findings keep the ``Finding`` shape ListFindings returns, with timestamps
as the same ISO 8601 text and without Vigil's own ``vigil`` extension members.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from vigil.findings import EXTENSION

Row = Mapping[str, Any]
Cell = Callable[[Row, datetime], str]

SEPARATOR = ", "


def iso(value: Any) -> str:
    """A timestamp (datetime, epoch seconds or ISO text) as ISO 8601 UTC; other values as-is."""
    if value is None or value == "":
        return ""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    if moment is None:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_finding(finding: Row) -> dict[str, Any]:
    """The finding for the JSON report: no ``vigil`` members, times as ISO 8601 text."""
    cleaned: dict[str, Any] = _without_extension(finding)
    for name in ("firstObservedAt", "lastObservedAt", "updatedAt"):
        if name in cleaned:
            cleaned[name] = iso(cleaned[name])
    return cleaned


def _without_extension(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_extension(v) for k, v in value.items() if k != EXTENSION}
    if isinstance(value, list | tuple):
        return [_without_extension(item) for item in value]
    if isinstance(value, datetime):
        return iso(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _joined(values: Iterable[Any]) -> str:
    return SEPARATOR.join(_text(v) for v in values if v is not None and v != "")


def _resource(row: Row) -> Mapping[str, Any]:
    resources = row.get("resources") or [{}]
    first = resources[0]
    return first if isinstance(first, Mapping) else {}


def _details(row: Row, kind: str) -> Mapping[str, Any]:
    details = _resource(row).get("details") or {}
    found = details.get(kind) if isinstance(details, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _platform(row: Row) -> str:
    for kind in ("awsEc2Instance", "awsEcrContainerImage"):
        platform = _details(row, kind).get("platform")
        if platform:
            return _text(platform)
    return _text(_details(row, "awsLambdaFunction").get("runtime"))


def _package_details(row: Row) -> Mapping[str, Any]:
    found = row.get("packageVulnerabilityDetails")
    return found if isinstance(found, Mapping) else {}


def _packages(row: Row) -> Sequence[Mapping[str, Any]]:
    packages = _package_details(row).get("vulnerablePackages") or []
    return [p for p in packages if isinstance(p, Mapping)]


def _installed(package: Mapping[str, Any]) -> str:
    version = _text(package.get("version"))
    epoch, release = package.get("epoch"), package.get("release")
    if release:
        version = f"{version}-{release}"
    if epoch:
        version = f"{epoch}:{version}"
    return version


def _package_column(name: str) -> Cell:
    return lambda row, _now: _joined(p.get(name) for p in _packages(row))


def _cvss(nvd: bool, major: str, member: str) -> Cell:
    def cell(row: Row, _now: datetime) -> str:
        for entry in _package_details(row).get("cvss") or []:
            if not isinstance(entry, Mapping):
                continue
            from_nvd = entry.get("source") == "NVD"
            if from_nvd == nvd and str(entry.get("version", "")).startswith(major):
                return _text(entry.get(member))
        return ""

    return cell


def _age(row: Row, now: datetime) -> str:
    first = row.get("firstObservedAt")
    if not isinstance(first, datetime):
        return ""
    return str(max(0, (now - first).days))


def _tags(row: Row, _now: datetime) -> str:
    tags = _resource(row).get("tags") or {}
    return _joined(f"{k}={v}" for k, v in sorted(tags.items())) if isinstance(tags, dict) else ""


def _layers(row: Row, _now: datetime) -> str:
    return _joined(_details(row, "awsLambdaFunction").get("layers") or [])


def _member(*path: str, time: bool = False) -> Cell:
    def cell(row: Row, _now: datetime) -> str:
        value: Any = row
        for name in path:
            value = value.get(name) if isinstance(value, Mapping) else None
        if isinstance(value, list | tuple):
            return _joined(value)
        return iso(value) if time else _text(value)

    return cell


def _of(kind: str, name: str, *, time: bool = False) -> Cell:
    def cell(row: Row, _now: datetime) -> str:
        value = _details(row, kind).get(name)
        if isinstance(value, list | tuple):
            return _joined(value)
        return iso(value) if time else _text(value)

    return cell


COLUMNS: tuple[tuple[str, Cell], ...] = (
    ("AWS Account Id", _member("awsAccountId")),
    ("Severity", _member("severity")),
    ("Fix Available", _member("fixAvailable")),
    ("Finding Type", _member("type")),
    ("Title", _member("title")),
    ("Description", _member("description")),
    ("Finding ARN", _member("findingArn")),
    ("First Seen", _member("firstObservedAt", time=True)),
    ("Last Seen", _member("lastObservedAt", time=True)),
    ("Last Updated", _member("updatedAt", time=True)),
    ("Resource ID", lambda row, _now: _text(_resource(row).get("id"))),
    ("Container Image Tags", _of("awsEcrContainerImage", "imageTags")),
    ("Region", lambda row, _now: _text(_resource(row).get("region"))),
    ("Platform", lambda row, _now: _platform(row)),
    ("Resource Tags", _tags),
    ("Affected Packages", _package_column("name")),
    ("Package Installed Version", lambda row, _now: _joined(map(_installed, _packages(row)))),
    ("Fixed in Version", _package_column("fixedInVersion")),
    ("Package Remediation", _package_column("remediation")),
    ("File Path", _package_column("filePath")),
    ("Network Paths", lambda _row, _now: ""),
    ("Age (Days)", _age),
    ("Remediation", _member("remediation", "recommendation", "text")),
    ("Inspector Score", _member("inspectorScore")),
    (
        "Inspector Score Vector",
        _member("inspectorScoreDetails", "adjustedCvss", "scoringVector"),
    ),
    ("Status", _member("status")),
    ("Vulnerability Id", _member("packageVulnerabilityDetails", "vulnerabilityId")),
    ("Vendor", _member("packageVulnerabilityDetails", "source")),
    ("Vendor Severity", _member("packageVulnerabilityDetails", "vendorSeverity")),
    ("Vendor Advisory", _member("packageVulnerabilityDetails", "sourceUrl")),
    (
        "Vendor Advisory Published",
        _member("packageVulnerabilityDetails", "vendorCreatedAt", time=True),
    ),
    ("NVD CVSS3 Score", _cvss(True, "3", "baseScore")),
    ("NVD CVSS3 Vector", _cvss(True, "3", "scoringVector")),
    ("NVD CVSS2 Score", _cvss(True, "2", "baseScore")),
    ("NVD CVSS2 Vector", _cvss(True, "2", "scoringVector")),
    ("Vendor CVSS3 Score", _cvss(False, "3", "baseScore")),
    ("Vendor CVSS3 Vector", _cvss(False, "3", "scoringVector")),
    ("Vendor CVSS2 Score", _cvss(False, "2", "baseScore")),
    ("Vendor CVSS2 Vector", _cvss(False, "2", "scoringVector")),
    ("Resource Type", lambda row, _now: _text(_resource(row).get("type"))),
    ("Ami", _of("awsEc2Instance", "imageId")),
    ("Resource Public Ipv4", lambda _row, _now: ""),
    ("Resource Private Ipv4", _of("awsEc2Instance", "ipV4Addresses")),
    ("Resource Ipv6", _of("awsEc2Instance", "ipV6Addresses")),
    ("Resource Vpc", _of("awsEc2Instance", "vpcId")),
    ("Port Range", lambda _row, _now: ""),
    ("Epss Score", _member("epss", "score")),
    ("Exploit Available", _member("exploitAvailable")),
    ("Last Exploited At", _member("exploitabilityDetails", "lastKnownExploitAt", time=True)),
    ("Lambda Layers", _layers),
    ("Lambda Package Type", _of("awsLambdaFunction", "packageType")),
    ("Lambda Last Updated At", _of("awsLambdaFunction", "lastModifiedAt", time=True)),
    ("Reference Urls", _member("packageVulnerabilityDetails", "referenceUrls")),
    ("Detector Name", lambda _row, _now: ""),
    ("Package Manager", _package_column("packageManager")),
)
HEADER: tuple[str, ...] = tuple(name for name, _cell in COLUMNS)


def csv_row(finding: Row, now: datetime) -> list[str]:
    """The finding's cells in column order; ``now`` dates its age."""
    return [cell(finding, now) for _name, cell in COLUMNS]
