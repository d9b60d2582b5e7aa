"""The inputs of the accuracy gate: how Debian changelogs become records, and how the fixture's
labels follow the fixture when its Debian versions move on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from scripts.fixtures.debian12_security import (
    Changelog,
    Deb,
    fixes,
    parse_changelog,
    records,
)
from scripts.label_match_expectations import SMALL

from tests.matching.accuracy_gate import fixture_labels, read_labels

# Shaped like libxml2's bookworm changelog: a stable update on top of an unstable upload
# whose entry names the CVE, and an older entry fixing another one.
CHANGELOG = """\
libxml2 (2.9.14+dfsg-1.3~deb12u1) bookworm; urgency=medium

  * Rebuild for bookworm.
  * Fix CVE-2024-25062.

 -- Someone <someone@example.org>  Sat, 01 Jun 2024 10:00:00 +0200

libxml2 (2.9.14+dfsg-1.3) unstable; urgency=medium

  * Non-maintainer upload.
  * Reset nsNr in xmlCtxtReset (CVE-2022-2309) (Closes: #1039991)

 -- Someone Else <else@example.org>  Sat, 08 Jul 2023 21:18:29 +0200

libxml2 (2.9.14+dfsg-1.1) unstable; urgency=high

  * Fix integer overflows (CVE-2022-40303, CVE-2022-40304).

 -- Someone Else <else@example.org>  Fri, 21 Oct 2022 12:00:00 +0000
"""


def changelog() -> Changelog:
    deb = Deb("libxml2", "2.9.14+dfsg-1.3~deb12u1", "libxml2", "2.9.14+dfsg-1.3~deb12u1", 1)
    return Changelog("libxml2", deb, "http://example/libxml2.deb", "00", parse_changelog(CHANGELOG))


def test_changelog_entries_name_their_cves() -> None:
    entries = changelog().entries
    assert [e.version for e in entries] == [
        "2.9.14+dfsg-1.3~deb12u1",
        "2.9.14+dfsg-1.3",
        "2.9.14+dfsg-1.1",
    ]
    assert entries[1].cves == {"CVE-2022-2309"}
    assert entries[2].cves == {"CVE-2022-40303", "CVE-2022-40304"}
    assert (entries[2].urgency, entries[2].date) == ("high", datetime(2022, 10, 21, 12, tzinfo=UTC))


def test_a_backported_fix_counts_from_the_stable_version_carrying_it() -> None:
    fixed = {cve: entry.version for cve, entry in fixes(changelog()).items()}
    assert fixed == {
        # Named by the unstable upload 1.3, which bookworm never had: its backport 1.3~deb12u1
        # (lower than 1.3 for dpkg) is the first bookworm version with the fix.
        "CVE-2022-2309": "2.9.14+dfsg-1.3~deb12u1",
        "CVE-2024-25062": "2.9.14+dfsg-1.3~deb12u1",
        "CVE-2022-40303": "2.9.14+dfsg-1.1",
        "CVE-2022-40304": "2.9.14+dfsg-1.1",
    }


def test_records_have_osv_devs_debian_shape() -> None:
    docs = records([changelog()], datetime(2026, 11, 22, tzinfo=UTC))
    doc = json.loads(json.dumps(docs["DEBIAN-CVE-2022-2309"]))
    assert doc["upstream"] == ["CVE-2022-2309"]
    assert doc["modified"] == "2026-11-22T00:00:00Z"
    [affected] = doc["affected"]
    assert affected["package"] == {
        "ecosystem": "Debian:12",
        "name": "libxml2",
        "purl": "pkg:deb/debian/libxml2?arch=source",
    }
    assert affected["ranges"] == [
        {
            "type": "ECOSYSTEM",
            "events": [{"introduced": "0"}, {"fixed": "2.9.14+dfsg-1.3~deb12u1"}],
        }
    ]


def test_fixture_labels_are_redone_by_dpkg_when_its_debian_versions_differ() -> None:
    # Give it a root whose Debian packages are not the labelled fixture's: the small target's.
    labels = fixture_labels(SMALL)
    debian = sorted(
        (r.name, r.version, r.record, r.affected) for r in labels if r.ecosystem == "Debian:12"
    )
    expected = sorted(
        (r.name, r.version, r.record, r.affected)
        for r in read_labels("debian12-host")
        if r.ecosystem == "Debian:12"
    )
    assert debian == expected
    assert {r.target for r in labels} == {"debian12-fixture"}
    # The other ecosystems keep the committed fixture labels.
    kept = [r for r in read_labels("debian12-fixture") if r.ecosystem != "Debian:12"]
    assert [r for r in labels if r.ecosystem != "Debian:12"] == kept
