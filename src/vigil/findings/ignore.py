"""Ignore rules for a one-shot scan: a YAML file of accepted vulnerabilities, like
``.trivyignore.yaml`` or grype's ignore rules.

    vulnerabilities:
      - id: CVE-2021-3156          # the vulnerability id or any of its aliases
        package:                   # optional: only in this package
          name: sudo
          version: 1.8.27-1+deb10u2  # optional, the installed version
          ecosystem: Debian          # optional; "Debian" covers "Debian:12"
          purl: pkg:deb/debian/sudo  # optional; a version in it must match too
        expires: 2026-06-30        # optional: the rule stops applying after this day
        reason: sudo is not installed setuid in this image

A finding is ignored when every one of its vulnerable packages is covered by a rule naming the
finding's vulnerability (a rule without ``package`` covers them all). A finding that lists other
packages as well stays whole, so nothing vulnerable is hidden without being named. Expired rules
are returned apart so the caller can say so. The file is checked strictly: an unknown key or a
value of the wrong type is an error naming the entry, because a misspelt rule that silently
matches nothing is worse than a failed build.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from packageurl import PackageURL

from vigil.findings.package_finding import PackageFinding, VulnerablePackage

_ENTRY_KEYS = frozenset({"id", "package", "expires", "reason"})
_PACKAGE_KEYS = frozenset({"name", "version", "ecosystem", "purl"})
_MAX_RULES = 10_000


class IgnoreFileError(ValueError):
    """The ignore file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class PackageSelector:
    name: str | None = None
    version: str | None = None
    ecosystem: str | None = None
    purl: PackageURL | None = None

    def covers(self, package: VulnerablePackage) -> bool:
        if self.name is not None and not _same_name(self.name, package):
            return False
        if self.version is not None and self.version not in _versions(package):
            return False
        if self.ecosystem is not None and not _same_ecosystem(self.ecosystem, package.ecosystem):
            return False
        return self.purl is None or _same_purl(self.purl, package.purl)


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    entry: int  # 1-based position in the file, for messages
    id: str
    package: PackageSelector | None = None
    expires: date | None = None
    reason: str | None = None

    def names(self, finding: PackageFinding) -> bool:
        wanted = self.id.upper()
        ids = (finding.vulnerability_id, *finding.details.related_vulnerabilities)
        return any(i.upper() == wanted for i in ids)

    def covers(self, package: VulnerablePackage) -> bool:
        return self.package is None or self.package.covers(package)


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    active: tuple[IgnoreRule, ...]
    expired: tuple[IgnoreRule, ...] = ()


@dataclass(frozen=True, slots=True)
class IgnoredFinding:
    finding: PackageFinding
    rules: tuple[IgnoreRule, ...]  # every active rule that covered one of its packages


@dataclass(frozen=True, slots=True)
class IgnoreOutcome:
    kept: tuple[PackageFinding, ...]
    ignored: tuple[IgnoredFinding, ...]


def parse_ignore_file(text: str, *, today: date) -> IgnoreRules:
    """The rules of an ignore file; those whose ``expires`` day is before ``today`` apart."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IgnoreFileError(f"not valid YAML: {exc}") from None
    if document is None:
        return IgnoreRules(())
    if not isinstance(document, dict) or set(document) - {"vulnerabilities"}:
        raise IgnoreFileError("expected a mapping with one key, 'vulnerabilities'")
    entries = document.get("vulnerabilities") or []
    if not isinstance(entries, list):
        raise IgnoreFileError("'vulnerabilities' must be a list of entries")
    if len(entries) > _MAX_RULES:
        raise IgnoreFileError(f"more than {_MAX_RULES} entries")
    rules = [_rule(number, entry) for number, entry in enumerate(entries, start=1)]
    active = tuple(r for r in rules if r.expires is None or r.expires >= today)
    expired = tuple(r for r in rules if r.expires is not None and r.expires < today)
    return IgnoreRules(active, expired)


def apply_ignore_rules(findings: Sequence[PackageFinding], rules: IgnoreRules) -> IgnoreOutcome:
    kept: list[PackageFinding] = []
    ignored: list[IgnoredFinding] = []
    for finding in findings:
        naming = [rule for rule in rules.active if rule.names(finding)]
        packages = finding.details.vulnerable_packages
        covering = [r for r in naming if any(r.covers(p) for p in packages)]
        if covering and all(any(r.covers(p) for r in covering) for p in packages):
            ignored.append(IgnoredFinding(finding, tuple(covering)))
        else:
            kept.append(finding)
    return IgnoreOutcome(tuple(kept), tuple(ignored))


def _rule(number: int, entry: Any) -> IgnoreRule:
    where = f"entry {number}"
    if not isinstance(entry, dict):
        raise IgnoreFileError(f"{where}: expected a mapping with at least 'id'")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise IgnoreFileError(f"{where}: unknown key(s) {_listed(unknown)}")
    identifier = _text(entry.get("id"), f"{where}: 'id'", required=True)
    assert identifier is not None
    return IgnoreRule(
        entry=number,
        id=identifier,
        package=_selector(entry.get("package"), where),
        expires=_date(entry.get("expires"), where),
        reason=_text(entry.get("reason"), f"{where}: 'reason'"),
    )


def _selector(raw: Any, where: str) -> PackageSelector | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        raise IgnoreFileError(f"{where}: 'package' must be a mapping of {_listed(_PACKAGE_KEYS)}")
    unknown = set(raw) - _PACKAGE_KEYS
    if unknown:
        raise IgnoreFileError(f"{where}: unknown package key(s) {_listed(unknown)}")
    purl_text = _text(raw.get("purl"), f"{where}: 'package.purl'")
    purl = None
    if purl_text is not None:
        try:
            purl = PackageURL.from_string(purl_text)
        except ValueError as exc:
            raise IgnoreFileError(f"{where}: 'package.purl' is not a package URL: {exc}") from None
    return PackageSelector(
        name=_text(raw.get("name"), f"{where}: 'package.name'"),
        version=_text(raw.get("version"), f"{where}: 'package.version'"),
        ecosystem=_text(raw.get("ecosystem"), f"{where}: 'package.ecosystem'"),
        purl=purl,
    )


def _text(raw: Any, what: str, *, required: bool = False) -> str | None:
    if raw is None and not required:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # Turning it back into text could be wrong: YAML reads 1.10 as the number 1.1.
        raise IgnoreFileError(f"{what} must be a string: quote it ({raw!r} reads as a number)")
    if not isinstance(raw, str) or not raw.strip():
        raise IgnoreFileError(f"{what} must be a non-empty string")
    return raw.strip()


def _date(raw: Any, where: str) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise IgnoreFileError(f"{where}: 'expires' must be a date (YYYY-MM-DD), not {raw!r}")


def _listed(keys: set[str] | frozenset[str]) -> str:
    return ", ".join(repr(k) for k in sorted(map(str, keys)))


def _same_name(wanted: str, package: VulnerablePackage) -> bool:
    if wanted == package.name:
        return True
    if package.ecosystem.startswith("PyPI"):  # PEP 503: case, '-', '_' and '.' do not count
        return _pep503(wanted) == _pep503(package.name)
    return wanted.lower() == package.name.lower()


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _versions(package: VulnerablePackage) -> set[str]:
    """The installed version as people write it, with or without the epoch (Inspector splits an
    OS package's version into epoch, upstream version and release)."""
    full = package.version + (f"-{package.release}" if package.release else "")
    found = {full}
    if package.epoch:
        found.add(f"{package.epoch}:{full}")
    return found


def _same_ecosystem(wanted: str, ecosystem: str) -> bool:
    wanted, ecosystem = wanted.lower(), ecosystem.lower()
    return wanted == ecosystem or (":" not in wanted and ecosystem.split(":")[0] == wanted)


def _same_purl(wanted: PackageURL, purl: str) -> bool:
    try:
        found = PackageURL.from_string(purl)
    except ValueError:
        return False
    same = (wanted.type, wanted.namespace, wanted.name) == (found.type, found.namespace, found.name)
    return same and (wanted.version is None or wanted.version == found.version)
