"""Properties of reconcile over random scan histories: idempotence, ARNs kept, full history."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.domain import Delta, FindingStatus, Observation, StatusReason, StoredFinding
from vigil.findings.lifecycle import finding_arns
from vigil.findings.reconcile import reconcile

T0 = datetime(2026, 1, 1, tzinfo=UTC)
VIDS = [f"CVE-2026-{n}" for n in range(6)]


class Memory:
    """Applies deltas to an in-memory table, the way the store does, to chain reconciles."""

    def __init__(self) -> None:
        self.rows: dict[str, StoredFinding] = {}
        self.ids = itertools.count(1)
        self.history: list[tuple[str, FindingStatus | None, FindingStatus]] = []

    def apply(self, delta: Delta) -> None:
        at = delta.at
        for new in delta.created:
            old = self.rows.get(new.vulnerability_id)
            self.rows[new.vulnerability_id] = StoredFinding(
                old.finding_id if old else next(self.ids),
                new.finding_arn,
                new.vulnerability_id,
                new.status,
                at,
                at,
                at,
                new.document_hash,
                suppressed_by=new.suppressed_by,
            )
        for seen in delta.seen:
            old = self.rows[seen.vulnerability_id]
            self.rows[seen.vulnerability_id] = StoredFinding(
                old.finding_id,
                old.finding_arn,
                old.vulnerability_id,
                seen.status,
                old.first_observed_at,
                at,
                at if seen.changed else old.updated_at,
                seen.document_hash,
                suppressed_by=seen.suppressed_by,
            )
        for closure in delta.closed:
            old = self.rows[closure.vulnerability_id]
            self.rows[closure.vulnerability_id] = StoredFinding(
                old.finding_id,
                old.finding_arn,
                old.vulnerability_id,
                FindingStatus.CLOSED,
                old.first_observed_at,
                old.last_observed_at,
                at,
                old.document_hash,
                closed_at=at,
                closed_reason=closure.reason,
            )
        self.history.extend((t.vulnerability_id, t.from_status, t.to_status) for t in delta.history)


scans = st.lists(
    st.tuples(
        st.frozensets(st.sampled_from(VIDS)),  # what the scan observes
        st.sampled_from(["LOW", "HIGH"]),  # the document's severity
        st.frozensets(st.sampled_from(VIDS[:2])),  # which observations a rule suppresses
        st.integers(min_value=1, max_value=20),  # days since the previous scan
        st.booleans(),  # resource removed
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(scans)
def test_histories_keep_the_lifecycle_invariants(history: list[tuple[Any, ...]]) -> None:
    memory = Memory()
    new_arn = finding_arns("us-east-1", "123456789012")
    now = T0
    for observed_ids, severity, suppressed_ids, days, removed in history:
        now += timedelta(days=days)
        observed = [Observation.of(v, {"severity": severity}) for v in sorted(observed_ids)]

        def rule(o: Observation, ids: frozenset[str] = suppressed_ids) -> list[int]:
            return [1] if o.vulnerability_id in ids else []

        before = dict(memory.rows)
        delta = reconcile(
            before.values(),
            observed,
            resource_pk=1,
            now=now,
            new_arn=new_arn,
            resource_removed=removed,
            suppressed=rule,
        )
        memory.apply(delta)

        # Applying the same observation again changes nothing but lastObservedAt.
        again = reconcile(
            memory.rows.values(),
            observed,
            resource_pk=1,
            now=now + timedelta(minutes=5),
            new_arn=new_arn,
            resource_removed=removed,
            suppressed=rule,
        )
        assert again.only_observed
        assert again.created == again.closed == again.history == ()

        for vid, row in memory.rows.items():
            open_now = vid in observed_ids and not removed
            assert (row.status is not FindingStatus.CLOSED) == open_now
            if open_now:
                expected = (
                    FindingStatus.SUPPRESSED if vid in suppressed_ids else FindingStatus.ACTIVE
                )
                assert row.status is expected
                assert row.last_observed_at == now
            old = before.get(vid)
            reopened_in_window = (
                old is not None
                and old.status is FindingStatus.CLOSED
                and old.closed_at is not None
                and now - old.closed_at <= timedelta(days=7)
            )
            if old is not None and (old.status is not FindingStatus.CLOSED or reopened_in_window):
                # The same finding: its ARN and first observation survive every change.
                assert row.finding_arn == old.finding_arn
                assert row.first_observed_at == old.first_observed_at
            if (
                row.status is FindingStatus.CLOSED
                and removed
                and old
                and old.status is not FindingStatus.CLOSED
            ):
                assert row.closed_reason is StatusReason.RESOURCE_REMOVED
        # Every status change is in the history, and history and rows agree on the latest state.
        latest = {vid: to for vid, _, to in memory.history}
        assert latest == {vid: row.status for vid, row in memory.rows.items()}
