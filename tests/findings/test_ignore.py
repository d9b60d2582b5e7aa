"""Ignore files: parsed strictly, expiry by an injected day, a finding ignored only when every
vulnerable package is covered by a rule naming its vulnerability or an alias."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from vigil.domain import Severity
from vigil.findings import (
    PackageFinding,
    PackageVulnerabilityDetails,
    VulnerablePackage,
    local_resource,
)
from vigil.findings.ignore import (
    IgnoreFileError,
    IgnoreRules,
    apply_ignore_rules,
    parse_ignore_file,
)
from vigil.matching import FixState

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def package(
    name: str, version: str, ecosystem: str, purl: str, **extra: object
) -> VulnerablePackage:
    return VulnerablePackage(
        name=name,
        version=version,
        fixed_in_version="NotAvailable",
        fix_state=FixState.NOT_FIXED,
        purl=purl,
        ecosystem=ecosystem,
        **extra,  # type: ignore[arg-type]
    )


SUDO = package(
    "sudo", "1.8.27", "Debian:10", "pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u2?arch=amd64",
    release="1+deb10u2", epoch=0,
)  # fmt: skip
LIBSSL = package(
    "libssl1.1", "1.1.1k", "Debian:11", "pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1",
    release="1+deb11u1",
)  # fmt: skip
OPENSSL = package(
    "openssl", "1.1.1k", "Debian:11", "pkg:deb/debian/openssl@1.1.1k-1%2Bdeb11u1",
    release="1+deb11u1",
)  # fmt: skip
ZLIB = package(
    "zlib1g", "1.2.13.dfsg", "Debian:12", "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1",
    release="1", epoch=1,
)  # fmt: skip
PYYAML = package("PyYAML", "5.3", "PyPI", "pkg:pypi/pyyaml@5.3")


def finding(
    vid: str, *packages: VulnerablePackage, related: tuple[str, ...] = ()
) -> PackageFinding:
    details = PackageVulnerabilityDetails(
        vulnerability_id=vid,
        source="NVD",
        source_url=None,
        vulnerable_packages=packages,
        related_vulnerabilities=related,
    )
    return PackageFinding(
        finding_arn=f"arn:aws:inspector2:local:000000000000:finding/{vid}",
        resource=local_resource("dir:rootfs", "host"),
        title=f"{vid} - {', '.join(p.name for p in packages)}",
        description="",
        severity=Severity.HIGH,
        first_observed_at=NOW,
        last_observed_at=NOW,
        updated_at=NOW,
        details=details,
        fix_available="NO",
        exploit_available="NO",
    )


CVE_SUDO = finding("CVE-2021-3156", SUDO, related=("DSA-4839-1", "DLA-2534-1"))
CVE_SSL = finding("CVE-2022-0778", LIBSSL, OPENSSL, related=("DSA-5103-1",))
CVE_ZLIB = finding("CVE-2022-37434", ZLIB)
CVE_YAML = finding("CVE-2020-1747", PYYAML, related=("GHSA-6757-jp84-gxfx", "PYSEC-2020-96"))
ALL = [CVE_SUDO, CVE_SSL, CVE_ZLIB, CVE_YAML]


def ignored_ids(text: str, findings: list[PackageFinding] = ALL) -> list[str]:
    outcome = apply_ignore_rules(findings, parse_ignore_file(text, today=TODAY))
    kept = {f.vulnerability_id for f in outcome.kept}
    gone = [i.finding.vulnerability_id for i in outcome.ignored]
    assert kept.isdisjoint(gone)
    assert len(kept) + len(gone) == len(findings)
    return gone


def test_by_id_and_by_any_alias_in_any_case() -> None:
    text = """
vulnerabilities:
  - id: CVE-2021-3156
  - id: ghsa-6757-jp84-gxfx
    reason: PyYAML is only used with safe_load here
"""
    assert ignored_ids(text) == ["CVE-2021-3156", "CVE-2020-1747"]


def test_the_rule_that_ignored_each_finding_is_kept() -> None:
    rules = parse_ignore_file(
        "vulnerabilities:\n  - id: DSA-4839-1\n    reason: not setuid\n", today=TODAY
    )
    outcome = apply_ignore_rules(ALL, rules)
    (ignored,) = outcome.ignored
    assert ignored.finding is CVE_SUDO
    (rule,) = ignored.rules
    assert (rule.entry, rule.id, rule.reason) == (1, "DSA-4839-1", "not setuid")
    assert outcome.kept == (CVE_SSL, CVE_ZLIB, CVE_YAML)


def test_a_finding_stays_until_every_package_is_covered() -> None:
    one = "vulnerabilities:\n  - id: CVE-2022-0778\n    package: {name: openssl}\n"
    assert ignored_ids(one) == []
    both = one + "  - id: CVE-2022-0778\n    package: {name: libssl1.1}\n"
    assert ignored_ids(both) == ["CVE-2022-0778"]


@pytest.mark.parametrize(
    ("selector", "ignored"),
    [
        ("{name: sudo, version: 1.8.27-1+deb10u2}", True),
        ("{name: sudo, version: 1.8.27-1+deb10u3}", False),
        ("{name: sudo, version: '1.8.27'}", False),  # the upstream part alone is not the version
        ("{name: sudo, ecosystem: Debian}", True),
        ("{name: sudo, ecosystem: 'Debian:10'}", True),
        ("{name: sudo, ecosystem: 'Debian:11'}", False),
        ("{name: sudo, ecosystem: Ubuntu}", False),
        ("{purl: pkg:deb/debian/sudo}", True),
        ("{purl: 'pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u2'}", True),
        ("{purl: 'pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u3'}", False),
        ("{purl: pkg:rpm/redhat/sudo}", False),
        ("{name: SUDO}", True),
    ],
)
def test_package_selectors(selector: str, ignored: bool) -> None:
    text = f"vulnerabilities:\n  - id: CVE-2021-3156\n    package: {selector}\n"
    assert ignored_ids(text) == (["CVE-2021-3156"] if ignored else [])


def test_versions_with_an_epoch_and_python_names() -> None:
    epoch = "vulnerabilities:\n  - id: CVE-2022-37434\n    package: {name: zlib1g, version: "
    assert ignored_ids(epoch + "'1:1.2.13.dfsg-1'}\n") == ["CVE-2022-37434"]
    assert ignored_ids(epoch + "1.2.13.dfsg-1}\n") == ["CVE-2022-37434"]
    pep503 = (
        "vulnerabilities:\n  - id: CVE-2020-1747\n    package: {name: py_yaml, version: '5.3'}\n"
    )
    assert ignored_ids(pep503) == []
    pep503 = (
        "vulnerabilities:\n  - id: CVE-2020-1747\n    package: {name: pyyaml, version: '5.3'}\n"
    )
    assert ignored_ids(pep503) == ["CVE-2020-1747"]


def test_expired_rules_stop_applying_and_are_returned() -> None:
    text = """
vulnerabilities:
  - id: CVE-2021-3156
    expires: 2026-02-28
  - id: CVE-2022-37434
    expires: 2026-03-01
  - id: CVE-2020-1747
    expires: "2027-01-01"
"""
    rules = parse_ignore_file(text, today=TODAY)
    assert [r.id for r in rules.expired] == ["CVE-2021-3156"]
    assert [(r.id, r.expires) for r in rules.active] == [
        ("CVE-2022-37434", date(2026, 3, 1)),  # the last day still counts
        ("CVE-2020-1747", date(2027, 1, 1)),
    ]
    assert ignored_ids(text) == ["CVE-2022-37434", "CVE-2020-1747"]
    later = parse_ignore_file(text, today=date(2026, 3, 2))
    assert [r.id for r in later.expired] == ["CVE-2021-3156", "CVE-2022-37434"]


def test_empty_files_ignore_nothing() -> None:
    assert parse_ignore_file("", today=TODAY) == IgnoreRules(())
    assert parse_ignore_file("vulnerabilities: []\n", today=TODAY) == IgnoreRules(())
    assert ignored_ids("# nothing accepted yet\n") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("vulnerabilities: [", "not valid YAML"),
        ("- id: CVE-1\n", "expected a mapping with one key"),
        ("ignore:\n  - vulnerability: CVE-1\n", "expected a mapping with one key"),
        ("vulnerabilities: CVE-1\n", "must be a list"),
        ("vulnerabilities:\n  - CVE-1\n", "entry 1: expected a mapping"),
        ("vulnerabilities:\n  - reason: x\n", "entry 1: 'id' must be a non-empty string"),
        ("vulnerabilities:\n  - id: ''\n", "entry 1: 'id' must be a non-empty string"),
        ("vulnerabilities:\n  - id: A\n  - id: B\n    expire: 2026-01-01\n",
         "entry 2: unknown key(s) 'expire'"),
        ("vulnerabilities:\n  - id: A\n    expires: soon\n", "entry 1: 'expires' must be a date"),
        ("vulnerabilities:\n  - id: A\n    package: sudo\n", "'package' must be a mapping"),
        ("vulnerabilities:\n  - id: A\n    package: {nam: sudo}\n", "unknown package key(s) 'nam'"),
        ("vulnerabilities:\n  - id: A\n    package: {name: x, version: 1.10}\n",
         "'package.version' must be a string: quote it"),
        ("vulnerabilities:\n  - id: A\n    package: {purl: 'not a purl'}\n",
         "'package.purl' is not a package URL"),
        ("vulnerabilities:\n  - id: A\n    reason: [a]\n", "'reason' must be a non-empty string"),
    ],
)  # fmt: skip
def test_mistakes_are_errors_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(IgnoreFileError, match=re.escape(message)):
        parse_ignore_file(text, today=TODAY)


def test_hostile_yaml_is_refused_not_executed() -> None:
    with pytest.raises(IgnoreFileError, match="not valid YAML"):
        parse_ignore_file("!!python/object/apply:os.system ['true']\n", today=TODAY)
    aliases = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nvulnerabilities: [*b]\n"
    with pytest.raises(IgnoreFileError, match="one key"):
        parse_ignore_file(aliases, today=TODAY)
