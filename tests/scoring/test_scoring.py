from __future__ import annotations

from datetime import date

import pytest

from tests.advisories.conftest import doc_of
from vigil.domain import Severity, parse_osv
from vigil.scoring import (
    CvssScore,
    InvalidVector,
    ScoringContext,
    adjusted,
    preferred,
    score_vector,
    scores_of,
    severity,
    vendor_severity,
)

# Vectors and the base scores NVD publishes for them.
V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
V30 = "CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H"  # 5.5
V2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P"  # 7.5
V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"  # 9.3


@pytest.mark.parametrize(
    ("vector", "version", "score"),
    [
        (V31, "3.1", 9.8),
        (V30, "3.0", 5.5),
        (V2, "2.0", 7.5),
        (f"({V2})", "2.0", 7.5),
        (V4, "4.0", 9.3),
    ],
)
def test_base_scores_from_vectors(vector: str, version: str, score: float) -> None:
    result = score_vector(vector, "NVD")
    assert (result.version, result.base_score, result.source) == (version, score, "NVD")


@pytest.mark.parametrize("vector", ["", "CVSS:3.1/AV:X", "CVSS:3.1/AV:N/AC:L", "nonsense"])
def test_invalid_vectors_are_refused(vector: str) -> None:
    with pytest.raises(InvalidVector):
        score_vector(vector, "NVD")


def test_scores_of_a_real_record() -> None:
    # PYSEC-2025-190 publishes a full CVSS 4.0 vector (every optional metric X): it scores as
    # its base metrics alone do.
    record = parse_osv(doc_of("PYSEC-2025-190"))
    (scored,) = scores_of(record.severity, "PYSEC")
    short = "CVSS:4.0/AV:L/AC:H/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N"
    assert (scored.version, scored.source) == ("4.0", "PYSEC")
    assert scored.base_score == score_vector(short, "x").base_score
    assert severity((scored,)) is Severity.LOW


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, Severity.INFORMATIONAL),
        (0.1, Severity.LOW),
        (3.9, Severity.LOW),
        (4.0, Severity.MEDIUM),
        (6.9, Severity.MEDIUM),
        (7.0, Severity.HIGH),
        (8.9, Severity.HIGH),
        (9.0, Severity.CRITICAL),
        (10.0, Severity.CRITICAL),
    ],
)
def test_inspector_severity_bands(score: float, expected: Severity) -> None:
    assert severity((CvssScore("3.1", V31, score, "NVD"),)) is expected


def test_no_score_is_untriaged_and_vendor_wins_for_os_packages() -> None:
    nvd = (score_vector(V31, "NVD"),)
    assert severity(()) is Severity.UNTRIAGED
    assert severity(nvd, Severity.LOW, os_package=True) is Severity.LOW
    assert severity(nvd, Severity.LOW, os_package=False) is Severity.CRITICAL
    assert severity(nvd, Severity.UNTRIAGED, os_package=True) is Severity.CRITICAL


def test_preferred_assessment_is_v3_then_v4_then_v2() -> None:
    v2, v30, v4 = score_vector(V2, "NVD"), score_vector(V30, "NVD"), score_vector(V4, "NVD")
    assert preferred((v2, v4, v30)) == v30
    assert preferred((v2, v4)) == v4
    assert preferred(()) is None


def test_ubuntu_priority_is_the_vendor_severity() -> None:
    # The shape of Canonical's OSV feed (canonical/ubuntu-security-notices, osv/cve/2024/
    # CVE-2024-0727.json): the priority sits in each entry's ecosystem_specific.
    doc = {
        "id": "CVE-2024-0727",
        "modified": "2024-08-23T16:30:37Z",
        "affected": [
            {
                "package": {"ecosystem": "Ubuntu:20.04:LTS", "name": "openssl"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": "1.1.1f-1ubuntu2.21"}],
                    }
                ],
                "ecosystem_specific": {"ubuntu_priority": "low"},
            }
        ],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H"}],
    }
    record = parse_osv(doc)
    assert vendor_severity(record, record.affected[0]) == ("low", Severity.LOW)
    osv_dev = record.model_copy(
        update={"affected": (record.affected[0].model_copy(update={"ecosystem_specific": None}),)}
    )
    osv_dev = parse_osv({**osv_dev.to_osv(), "severity": [{"type": "Ubuntu", "score": "medium"}]})
    assert vendor_severity(osv_dev, osv_dev.affected[0]) == ("medium", Severity.MEDIUM)


def test_debian_and_alpine_records_give_no_vendor_severity() -> None:
    for record_id in ("DSA-5000-1", "ALPINE-CVE-2015-8325"):
        record = parse_osv(
            doc_of(record_id), missing_modified=parse_osv(doc_of("PYSEC-2023-100")).modified
        )
        assert vendor_severity(record, record.affected[0]) is None


def test_without_context_the_adjusted_score_is_the_base() -> None:
    base = score_vector(V31, "NVD")
    result = adjusted(base)
    assert (result.score, result.vector, result.adjustments) == (9.8, V31, ())


@pytest.mark.parametrize("vector", [V31, V30, V4, V2])
def test_a_kev_entry_notes_exploit_maturity(vector: str) -> None:
    base = score_vector(vector, "NVD")
    result = adjusted(base, ScoringContext(kev_date_added=date(2021, 12, 10)))
    (adjustment,) = result.adjustments
    assert adjustment.metric == "exploitCodeMaturity"
    assert "2021-12-10" in adjustment.reason
    assert result.vector.endswith("/E:A" if base.version == "4.0" else "/E:H")
    # Exploited is the worst case the base already assumes, so the number does not move.
    assert result.score == base.base_score
