"""FindingStore on SQLite and PostgreSQL: the lifecycle written, idempotence, history, retention."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from tests.db.findings_support import ACCOUNT, T0, Harness, host, observe
from vigil.db.retention import RetentionPolicy
from vigil.db.tables import (
    filters,
    finding_history,
    finding_packages,
    finding_suppressions,
    findings,
)
from vigil.domain import Delta, NewFinding, Observation
from vigil.domain.finding_state import EncodedDocument
from vigil.findings.reconcile import reconcile


def rows(engine: Engine, table: Any, *order: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(select(table).order_by(*order))
        return [dict(r._mapping) for r in result]


def history(engine: Engine) -> list[tuple[Any, ...]]:
    return [
        (h["finding_arn"][-4:], h["from_status"], h["to_status"], h["reason"], h["at"])
        for h in rows(engine, finding_history, finding_history.c.id)
    ]


@pytest.fixture
def harness(db_engine: Engine) -> Harness:
    return Harness(db_engine)


def test_new_findings_are_written_with_their_columns_packages_and_history(
    db_engine: Engine, harness: Harness
) -> None:
    pk = harness.resources.upsert(host())
    stats = harness.ingest({pk: [observe("CVE-2024-5535", packages=("libssl3", "openssl"))]}, T0)
    assert (stats.created, stats.history) == (1, 1)
    (row,) = rows(db_engine, findings, findings.c.id)
    assert row["finding_arn"] == f"arn:aws:inspector2:eu-west-1:{ACCOUNT}:finding/{1:032x}"
    assert {k: row[k] for k in ("account_id", "resource_pk", "resource_id", "resource_type")} == {
        "account_id": ACCOUNT,
        "resource_pk": pk,
        "resource_id": host().resource_id,
        "resource_type": "AWS_EC2_INSTANCE",
    }
    assert {
        k: row[k]
        for k in (
            "type",
            "vulnerability_id",
            "title",
            "status",
            "severity",
            "severity_rank",
            "inspector_score",
            "epss_score",
            "exploit_available",
            "fix_available",
            "vendor_severity",
        )
    } == {
        "type": "PACKAGE_VULNERABILITY",
        "vulnerability_id": "CVE-2024-5535",
        "title": "CVE-2024-5535 - libssl3, openssl",
        "status": "ACTIVE",
        "severity": "HIGH",
        "severity_rank": 3,
        "inspector_score": 7.5,
        "epss_score": 0.00043,
        "exploit_available": "NO",
        "fix_available": "YES",
        "vendor_severity": "high",
    }
    assert row["first_observed_at"] == row["last_observed_at"] == row["updated_at"] == T0
    assert row["closed_at"] is None
    assert row["document"]["packageVulnerabilityDetails"]["source"] == "DEBIAN_CVE"
    assert (
        row["document_hash"]
        == observe("CVE-2024-5535", packages=("libssl3", "openssl")).document_hash
    )
    packages = rows(db_engine, finding_packages, finding_packages.c.position)
    assert [
        (p["position"], p["name"], p["version"], p["release"], p["fixed_in_version"])
        for p in packages
    ] == [
        (0, "libssl3", "3.0.11", "1~deb12u2", "3.0.15-1~deb12u1"),
        (1, "openssl", "3.0.11", "1~deb12u2", "3.0.15-1~deb12u1"),
    ]
    assert {p["package_manager"] for p in packages} == {"OS"}
    assert history(db_engine) == [(f"{1:04x}", None, "ACTIVE", "OBSERVED", T0)]


def test_the_same_observation_twice_moves_only_last_observed(
    db_engine: Engine, harness: Harness
) -> None:
    pk = harness.resources.upsert(host())
    observed = {pk: [observe("CVE-2024-1"), observe("CVE-2024-2", packages=("curl",))]}
    harness.ingest(observed, T0)
    before = rows(db_engine, findings, findings.c.id)
    packages_before = rows(db_engine, finding_packages, finding_packages.c.finding_id)
    later = T0 + timedelta(hours=6)
    stats = harness.ingest(observed, later)
    assert (stats.created, stats.updated, stats.closed, stats.history, stats.observed) == (
        0,
        0,
        0,
        0,
        2,
    )
    after = rows(db_engine, findings, findings.c.id)
    assert [r["last_observed_at"] for r in after] == [later, later]

    def strip(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "last_observed_at"} for r in found]

    assert strip(after) == strip(before)
    assert rows(db_engine, finding_packages, finding_packages.c.finding_id) == packages_before
    assert len(history(db_engine)) == 2


def test_a_changed_document_updates_columns_and_packages(
    db_engine: Engine, harness: Harness
) -> None:
    pk = harness.resources.upsert(host())
    harness.ingest({pk: [observe("CVE-2024-1")]}, T0)
    later = T0 + timedelta(days=1)
    stats = harness.ingest(
        {
            pk: [
                observe(
                    "CVE-2024-1", severity="CRITICAL", packages=("curl",), fixed=None, score=9.8
                )
            ]
        },
        later,
    )
    assert (stats.updated, stats.history) == (1, 0)
    (row,) = rows(db_engine, findings, findings.c.id)
    assert (
        row["severity"],
        row["severity_rank"],
        row["inspector_score"],
        row["fix_available"],
    ) == (
        "CRITICAL",
        4,
        9.8,
        "NO",
    )
    assert (row["first_observed_at"], row["last_observed_at"], row["updated_at"]) == (
        T0,
        later,
        later,
    )
    (package,) = rows(db_engine, finding_packages, finding_packages.c.position)
    assert (package["name"], package["fixed_in_version"]) == ("curl", None)


def test_close_reopen_and_renew_keep_one_row_and_the_whole_history(
    db_engine: Engine, harness: Harness
) -> None:
    pk = harness.resources.upsert(host())
    harness.ingest({pk: [observe("CVE-2024-1")]}, T0)
    closed_at = T0 + timedelta(days=1)
    assert harness.ingest({pk: []}, closed_at).closed == 1
    (row,) = rows(db_engine, findings, findings.c.id)
    assert (row["status"], row["closed_at"], row["closed_reason"]) == (
        "CLOSED",
        closed_at,
        "REMEDIATED",
    )
    assert row["last_observed_at"] == T0
    arn = row["finding_arn"]

    back = closed_at + timedelta(days=2)
    assert harness.ingest({pk: [observe("CVE-2024-1")]}, back).reopened == 1
    (row,) = rows(db_engine, findings, findings.c.id)
    assert (row["finding_arn"], row["status"], row["first_observed_at"], row["closed_at"]) == (
        arn,
        "ACTIVE",
        T0,
        None,
    )

    harness.ingest({pk: []}, back + timedelta(hours=1))
    much_later = back + timedelta(days=8)
    harness.ingest({pk: [observe("CVE-2024-1")]}, much_later)
    (row,) = rows(db_engine, findings, findings.c.id)
    assert row["finding_arn"] != arn
    assert (row["status"], row["first_observed_at"]) == ("ACTIVE", much_later)
    assert [h[1:4] for h in history(db_engine)] == [
        (None, "ACTIVE", "OBSERVED"),
        ("ACTIVE", "CLOSED", "REMEDIATED"),
        ("CLOSED", "ACTIVE", "RECURRED"),
        ("ACTIVE", "CLOSED", "REMEDIATED"),
        (None, "ACTIVE", "OBSERVED"),
    ]
    arns = [h["finding_arn"] for h in rows(db_engine, finding_history, finding_history.c.id)]
    assert arns == [arn] * 4 + [row["finding_arn"]]


def test_a_removed_resource_closes_its_findings(db_engine: Engine, harness: Harness) -> None:
    pk = harness.resources.upsert(host())
    harness.ingest({pk: [observe("CVE-2024-1"), observe("CVE-2024-2")]}, T0)
    harness.ingest({pk: []}, T0 + timedelta(hours=1), removed={pk})
    assert {
        (r["status"], r["closed_reason"]) for r in rows(db_engine, findings, findings.c.id)
    } == {("CLOSED", "RESOURCE_REMOVED")}


def _rule(engine: Engine, name: str) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(filters)
                .values(
                    arn=f"arn:aws:inspector2:eu-west-1:{ACCOUNT}:owner/{ACCOUNT}/filter/{name}",
                    account_id=ACCOUNT,
                    name=name,
                    action="SUPPRESS",
                    criteria={},
                    tags={},
                    created_at=T0,
                    updated_at=T0,
                )
                .returning(filters.c.id)
            ).scalar_one()
        )


def test_suppression_rules_are_recorded_and_follow_the_rules(
    db_engine: Engine, harness: Harness
) -> None:
    pk = harness.resources.upsert(host())
    a, b = _rule(db_engine, "a"), _rule(db_engine, "b")
    harness.ingest({pk: [observe("CVE-2024-1")]}, T0, rules=lambda o: {a, b})
    (row,) = rows(db_engine, findings, findings.c.id)
    assert row["status"] == "SUPPRESSED"

    def pairs() -> set[tuple[int, int]]:
        return {(s["finding_id"], s["filter_id"]) for s in rows(db_engine, finding_suppressions)}

    assert pairs() == {(row["id"], a), (row["id"], b)}
    harness.ingest({pk: [observe("CVE-2024-1")]}, T0 + timedelta(hours=1), rules=lambda o: {b})
    assert pairs() == {(row["id"], b)}
    harness.ingest({pk: [observe("CVE-2024-1")]}, T0 + timedelta(hours=2))
    assert pairs() == set()
    (row,) = rows(db_engine, findings, findings.c.id)
    assert (row["status"], row["updated_at"]) == ("ACTIVE", T0 + timedelta(hours=2))
    assert [h[1:4] for h in history(db_engine)] == [
        (None, "SUPPRESSED", "SUPPRESSED_BY_RULE"),
        ("SUPPRESSED", "ACTIVE", "UNSUPPRESSED"),
    ]


def test_a_batch_is_all_or_nothing(db_engine: Engine, harness: Harness) -> None:
    first = harness.resources.upsert(host(1))
    harness.ingest({first: [observe("CVE-2024-1")]}, T0)
    good = reconcile(
        [], [observe("CVE-2024-2")], resource_pk=first, now=T0, new_arn=harness.new_arn
    )
    stale = Delta(
        first + 1000,
        T0,
        created=(
            NewFinding(harness.new_arn(), "CVE-2024-3", good.created[0].status, {}, "0" * 64),
        ),
    )
    with pytest.raises(LookupError):
        harness.findings.apply_many([good, stale])
    assert [r["vulnerability_id"] for r in rows(db_engine, findings, findings.c.id)] == [
        "CVE-2024-1"
    ]


def test_a_stale_delta_cannot_duplicate_a_finding(db_engine: Engine, harness: Harness) -> None:
    pk = harness.resources.upsert(host())
    delta = reconcile([], [observe("CVE-2024-1")], resource_pk=pk, now=T0, new_arn=harness.new_arn)
    harness.findings.apply_many([delta])
    again = reconcile([], [observe("CVE-2024-1")], resource_pk=pk, now=T0, new_arn=harness.new_arn)
    with pytest.raises(IntegrityError):
        harness.findings.apply_many([again])
    assert len(rows(db_engine, findings)) == 1
    assert len(rows(db_engine, finding_history)) == 1


def test_many_resources_in_one_batch(db_engine: Engine, harness: Harness) -> None:
    pks = [harness.resources.upsert(host(n)) for n in range(30)]
    observed = {pk: [observe(f"CVE-2024-{v}") for v in range(40)] for pk in pks}
    assert harness.ingest(observed, T0).created == 1200
    observed[pks[0]] = observed[pks[0]][:10]
    stats = harness.ingest(observed, T0 + timedelta(hours=1))
    assert (stats.created, stats.closed, stats.observed) == (0, 30, 1200 - 30)
    loaded = harness.findings.current(pks)
    assert sum(len(v) for v in loaded.values()) == 1200
    assert len({f.finding_arn for v in loaded.values() for f in v}) == 1200


def test_retention_deletes_closed_findings_and_keeps_their_history(
    db_engine: Engine, harness: Harness
) -> None:
    gone, fixed, live = (harness.resources.upsert(host(n)) for n in (1, 2, 3))
    harness.ingest(
        {gone: [observe("CVE-1")], fixed: [observe("CVE-2")], live: [observe("CVE-3")]}, T0
    )
    harness.ingest({gone: [], fixed: []}, T0 + timedelta(days=1), removed={gone})
    closed_at = T0 + timedelta(days=1)

    assert harness.findings.sweep(closed_at + timedelta(days=3) - timedelta(seconds=1)) == 0
    assert harness.findings.sweep(closed_at + timedelta(days=3)) == 1
    remaining = {r["vulnerability_id"] for r in rows(db_engine, findings)}
    assert remaining == {"CVE-2", "CVE-3"}
    assert harness.findings.sweep(closed_at + timedelta(days=30)) == 1
    assert {r["vulnerability_id"] for r in rows(db_engine, findings)} == {"CVE-3"}

    kept = rows(db_engine, finding_history, finding_history.c.id)
    deleted = [h for h in kept if h["reason"] == "RETENTION"]
    assert [(h["from_status"], h["to_status"], h["finding_id"]) for h in deleted] == [
        ("CLOSED", "DELETED", None),
        ("CLOSED", "DELETED", None),
    ]
    assert sum(1 for h in kept if h["finding_id"] is None) == 6
    assert rows(db_engine, finding_packages, finding_packages.c.finding_id)[0]["name"] == "openssl"
    assert len(rows(db_engine, finding_packages)) == 1


def test_retention_periods_are_configurable(db_engine: Engine, harness: Harness) -> None:
    pk = harness.resources.upsert(host())
    harness.ingest({pk: [observe("CVE-1")]}, T0)
    harness.ingest({pk: []}, T0)
    policy = RetentionPolicy(closed_after=timedelta(days=90))
    assert harness.findings.sweep(T0 + timedelta(days=60), policy) == 0
    assert harness.findings.sweep(T0 + timedelta(days=90), policy) == 1


def test_an_advisory_diff_reconciles_only_the_vulnerabilities_it_touched(
    db_engine: Engine, harness: Harness
) -> None:
    pks = [harness.resources.upsert(host(n)) for n in range(3)]
    harness.ingest({pk: [observe("CVE-1"), observe("CVE-2")] for pk in pks}, T0)
    later = T0 + timedelta(hours=1)
    touched = {"CVE-2", "CVE-3"}
    with harness.findings.transaction() as tx:
        current = tx.load(pks, vulnerability_ids=touched)
        assert {f.vulnerability_id for fs in current.values() for f in fs} == {"CVE-2"}
        tx.apply(
            [
                reconcile(
                    current[pk],
                    [observe("CVE-2", severity="CRITICAL"), observe("CVE-3")],
                    resource_pk=pk,
                    now=later,
                    new_arn=harness.new_arn,
                    scope=touched,
                )
                for pk in pks
            ]
        )
    by_vid: dict[str, set[tuple[str, str, Any]]] = {}
    for r in rows(db_engine, findings):
        by_vid.setdefault(r["vulnerability_id"], set()).add(
            (r["status"], r["severity"], r["last_observed_at"])
        )
    assert by_vid == {
        "CVE-1": {("ACTIVE", "HIGH", T0)},
        "CVE-2": {("ACTIVE", "CRITICAL", later)},
        "CVE-3": {("ACTIVE", "HIGH", later)},
    }


def test_a_document_that_carries_its_json_is_written_as_that_text(
    db_engine: Engine, harness: Harness
) -> None:
    plain = observe("CVE-2024-5535", packages=("libssl3", "openssl"))
    text = json.dumps(dict(plain.document), sort_keys=True, separators=(",", ":"))
    encoded = Observation(
        plain.vulnerability_id, EncodedDocument(dict(plain.document), text), plain.document_hash
    )
    pk = harness.resources.upsert(host())
    harness.ingest({pk: [encoded]}, T0)
    (row,) = rows(db_engine, findings, findings.c.id)
    assert row["document"] == dict(plain.document)
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT document FROM findings").scalar_one()
        assert stored == text  # written as given, not encoded again
