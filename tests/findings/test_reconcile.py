"""reconcile(): Inspector's finding lifecycle for one resource, decided without I/O."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vigil.domain import (
    Delta,
    FindingStatus,
    Observation,
    StatusReason,
    StoredFinding,
    Transition,
)
from vigil.findings.lifecycle import REOPEN_WINDOW, finding_arns
from vigil.findings.reconcile import reconcile

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
ACTIVE, SUPPRESSED, CLOSED = FindingStatus.ACTIVE, FindingStatus.SUPPRESSED, FindingStatus.CLOSED


def arns() -> Callable[[], str]:
    counter = itertools.count(1)
    return finding_arns("eu-west-1", "111122223333", new_id=lambda: f"{next(counter):032x}")


def obs(vid: str, severity: str = "HIGH") -> Observation:
    return Observation.of(vid, {"title": f"{vid} - openssl", "severity": severity})


def stored(
    vid: str,
    status: FindingStatus = ACTIVE,
    *,
    severity: str = "HIGH",
    closed_at: datetime | None = None,
    rules: frozenset[int] = frozenset(),
    finding_id: int = 7,
) -> StoredFinding:
    return StoredFinding(
        finding_id=finding_id,
        finding_arn=f"arn:aws:inspector2:eu-west-1:111122223333:finding/{finding_id:032x}",
        vulnerability_id=vid,
        status=status,
        first_observed_at=T0,
        last_observed_at=T0,
        updated_at=T0,
        document_hash=obs(vid, severity).document_hash,
        closed_at=closed_at,
        closed_reason=StatusReason.REMEDIATED if closed_at else None,
        suppressed_by=rules,
    )


def run(
    current: Iterable[StoredFinding],
    observed: Iterable[Observation],
    *,
    now: datetime = T0 + timedelta(hours=1),
    **options: Any,
) -> Delta:
    return reconcile(current, observed, resource_pk=3, now=now, new_arn=arns(), **options)


def test_a_new_vulnerability_is_an_active_finding_with_a_fresh_arn() -> None:
    delta = run([], [obs("CVE-2024-1")])
    (new,) = delta.created
    assert new.finding_arn == "arn:aws:inspector2:eu-west-1:111122223333:finding/" + "0" * 31 + "1"
    assert (new.vulnerability_id, new.status, new.renews) == ("CVE-2024-1", ACTIVE, None)
    assert new.document_hash == obs("CVE-2024-1").document_hash
    assert delta.history == (Transition("CVE-2024-1", None, ACTIVE, StatusReason.OBSERVED),)
    assert (delta.seen, delta.closed, delta.reopened) == ((), (), ())
    assert delta.resource_pk == 3


def test_a_matching_rule_creates_it_suppressed() -> None:
    delta = run([], [obs("CVE-2024-1")], suppressed=lambda o: {11, 12})
    (new,) = delta.created
    assert new.status is SUPPRESSED
    assert new.suppressed_by == frozenset({11, 12})
    assert delta.history[0].reason is StatusReason.SUPPRESSED_BY_RULE


def test_seen_again_unchanged_moves_only_last_observed() -> None:
    delta = run([stored("CVE-2024-1")], [obs("CVE-2024-1")])
    (seen,) = delta.seen
    assert (seen.changed, seen.document_changed, seen.suppression_changed) == (False, False, False)
    assert seen.status is ACTIVE
    assert seen.finding_arn.endswith("finding/" + "7".rjust(32, "0"))
    assert delta.only_observed
    assert delta.history == ()


def test_a_changed_document_is_an_update() -> None:
    delta = run([stored("CVE-2024-1", severity="HIGH")], [obs("CVE-2024-1", "CRITICAL")])
    (seen,) = delta.seen
    assert (seen.changed, seen.document_changed) == (True, True)
    assert seen.document["severity"] == "CRITICAL"
    assert delta.history == ()
    assert not delta.only_observed


def test_absent_now_closes_as_remediated() -> None:
    delta = run([stored("CVE-2024-1"), stored("CVE-2024-2", finding_id=8)], [obs("CVE-2024-2")])
    (closure,) = delta.closed
    assert (closure.vulnerability_id, closure.reason) == ("CVE-2024-1", StatusReason.REMEDIATED)
    assert delta.history == (Transition("CVE-2024-1", ACTIVE, CLOSED, StatusReason.REMEDIATED),)


def test_a_suppressed_finding_closes_too() -> None:
    delta = run([stored("CVE-2024-1", SUPPRESSED, rules=frozenset({4}))], [])
    assert delta.history == (Transition("CVE-2024-1", SUPPRESSED, CLOSED, StatusReason.REMEDIATED),)


def test_a_removed_resource_closes_everything_and_ignores_observations() -> None:
    current = [stored("CVE-2024-1"), stored("CVE-2024-2", SUPPRESSED, finding_id=8)]
    delta = run(current, [obs("CVE-2024-1"), obs("CVE-2024-9")], resource_removed=True)
    assert {c.vulnerability_id for c in delta.closed} == {"CVE-2024-1", "CVE-2024-2"}
    assert {c.reason for c in delta.closed} == {StatusReason.RESOURCE_REMOVED}
    assert (delta.created, delta.seen) == ((), ())


def test_already_closed_findings_stay_closed_without_history() -> None:
    delta = run([stored("CVE-2024-1", CLOSED, closed_at=T0)], [])
    assert (delta.closed, delta.history) == ((), ())


def test_recurring_within_the_window_reopens_the_same_finding() -> None:
    closed_at = T0 + timedelta(days=1)
    delta = run(
        [stored("CVE-2024-1", CLOSED, closed_at=closed_at)],
        [obs("CVE-2024-1")],
        now=closed_at + REOPEN_WINDOW,
    )
    assert delta.created == ()
    (seen,) = delta.seen
    assert (seen.finding_id, seen.status, seen.changed) == (7, ACTIVE, True)
    assert delta.reopened == ("CVE-2024-1",)
    assert delta.history == (Transition("CVE-2024-1", CLOSED, ACTIVE, StatusReason.RECURRED),)


def test_recurring_after_the_window_is_a_new_finding_on_the_same_row() -> None:
    closed_at = T0 + timedelta(days=1)
    delta = run(
        [stored("CVE-2024-1", CLOSED, closed_at=closed_at)],
        [obs("CVE-2024-1")],
        now=closed_at + REOPEN_WINDOW + timedelta(seconds=1),
    )
    (new,) = delta.created
    assert new.renews == 7
    assert not new.finding_arn.endswith("7".rjust(32, "0"))
    assert delta.reopened == ()
    assert delta.history == (Transition("CVE-2024-1", None, ACTIVE, StatusReason.OBSERVED),)


def test_the_reopen_window_is_configurable() -> None:
    closed_at = T0
    delta = run(
        [stored("CVE-2024-1", CLOSED, closed_at=closed_at)],
        [obs("CVE-2024-1")],
        now=closed_at + timedelta(days=20),
        reopen_window=timedelta(days=30),
    )
    assert delta.reopened == ("CVE-2024-1",)


def test_a_new_rule_suppresses_and_its_removal_unsuppresses() -> None:
    delta = run([stored("CVE-2024-1")], [obs("CVE-2024-1")], suppressed=lambda o: [5])
    (seen,) = delta.seen
    assert (seen.status, seen.changed, seen.suppression_changed) == (SUPPRESSED, True, True)
    assert delta.history[0].reason is StatusReason.SUPPRESSED_BY_RULE

    delta = run([stored("CVE-2024-1", SUPPRESSED, rules=frozenset({5}))], [obs("CVE-2024-1")])
    (seen,) = delta.seen
    assert (seen.status, seen.suppressed_by) == (ACTIVE, frozenset())
    assert delta.history == (
        Transition("CVE-2024-1", SUPPRESSED, ACTIVE, StatusReason.UNSUPPRESSED),
    )


def test_another_rule_taking_over_is_not_a_status_change() -> None:
    delta = run(
        [stored("CVE-2024-1", SUPPRESSED, rules=frozenset({5}))],
        [obs("CVE-2024-1")],
        suppressed=lambda o: [6],
    )
    (seen,) = delta.seen
    assert (seen.changed, seen.suppression_changed) == (False, True)
    assert delta.history == ()


def test_the_same_vulnerability_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="observed twice"):
        run([], [obs("CVE-2024-1"), obs("CVE-2024-1")])


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run([], [], now=datetime(2026, 1, 1))


def test_state_keys_never_reach_the_document_or_its_hash() -> None:
    plain = Observation.of("CVE-1", {"title": "t"})
    with_state = Observation.of(
        "CVE-1", {"title": "t", "status": "ACTIVE", "findingArn": "x", "updatedAt": 1}
    )
    assert with_state.document_hash == plain.document_hash
    assert dict(with_state.document) == {"title": "t"}


def test_a_scoped_reconcile_leaves_other_vulnerabilities_alone() -> None:
    current = [stored("CVE-2024-1"), stored("CVE-2024-2", finding_id=8)]
    delta = run(current, [obs("CVE-2024-3")], scope={"CVE-2024-2", "CVE-2024-3"})
    assert [c.vulnerability_id for c in delta.closed] == ["CVE-2024-2"]
    assert [n.vulnerability_id for n in delta.created] == ["CVE-2024-3"]
    assert delta.seen == ()


def test_a_scoped_reconcile_refuses_observations_outside_it() -> None:
    with pytest.raises(ValueError, match="outside the scope"):
        run([], [obs("CVE-2024-1")], scope={"CVE-2024-2"})
