"""Reconcile: from the stored findings of one resource and a new observation, what changes.

Pure: no I/O, no clock, no randomness. Time and new ARNs are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta

from vigil.domain.finding_delta import Closure, Delta, NewFinding, Seen, Transition
from vigil.domain.finding_state import FindingStatus, Observation, StatusReason, StoredFinding
from vigil.findings.lifecycle import REOPEN_WINDOW

# Given an observation, the ids of the suppression rules that match it (empty: none).
Suppressor = Callable[[Observation], Collection[int]]


def _no_rules(_: Observation) -> Collection[int]:
    return ()


def reconcile(
    current: Iterable[StoredFinding],
    observed: Iterable[Observation],
    *,
    resource_pk: int,
    now: datetime,
    new_arn: Callable[[], str],
    resource_removed: bool = False,
    suppressed: Suppressor = _no_rules,
    reopen_window: timedelta = REOPEN_WINDOW,
    scope: Collection[str] | None = None,
) -> Delta:
    """Decide what a new observation of one resource changes in its stored findings.

    ``current`` holds every stored finding of the resource, ``observed`` what the latest match
    produced for it (one per vulnerability id). When ``resource_removed`` is true every open
    finding closes and the observation is ignored.

    ``scope`` limits the reconcile to some vulnerability ids: after an advisory diff only the
    vulnerabilities it touched are re-matched, so findings outside the scope are left as they are
    (neither closed nor observed again) and may be left out of ``current``.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    within = None if scope is None else frozenset(scope)
    stored = {
        f.vulnerability_id: f for f in current if within is None or f.vulnerability_id in within
    }
    observations: dict[str, Observation] = {}
    if not resource_removed:
        for obs in observed:
            if obs.vulnerability_id in observations:
                raise ValueError(f"observed twice: {obs.vulnerability_id}")
            if within is not None and obs.vulnerability_id not in within:
                raise ValueError(f"observed outside the scope: {obs.vulnerability_id}")
            observations[obs.vulnerability_id] = obs

    created: list[NewFinding] = []
    seen: list[Seen] = []
    reopened: list[str] = []
    history: list[Transition] = []

    for vid, obs in observations.items():
        rules = frozenset(suppressed(obs))
        status = FindingStatus.SUPPRESSED if rules else FindingStatus.ACTIVE
        first_reason = StatusReason.SUPPRESSED_BY_RULE if rules else StatusReason.OBSERVED
        old = stored.get(vid)
        if old is None or (
            old.status is FindingStatus.CLOSED and _expired(old, now, reopen_window)
        ):
            created.append(
                NewFinding(
                    new_arn(),
                    vid,
                    status,
                    obs.document,
                    obs.document_hash,
                    rules,
                    renews=None if old is None else old.finding_id,
                )
            )
            history.append(Transition(vid, None, status, first_reason))
            continue
        if old.status is FindingStatus.CLOSED:
            reopened.append(vid)
            history.append(Transition(vid, old.status, status, StatusReason.RECURRED))
        elif old.status is not status:
            reason = StatusReason.SUPPRESSED_BY_RULE if rules else StatusReason.UNSUPPRESSED
            history.append(Transition(vid, old.status, status, reason))
        doc_changed = old.document_hash != obs.document_hash
        seen.append(
            Seen(
                old.finding_id,
                old.finding_arn,
                vid,
                status,
                obs.document,
                obs.document_hash,
                changed=doc_changed or old.status is not status,
                document_changed=doc_changed,
                suppressed_by=rules,
                suppression_changed=rules != old.suppressed_by,
            )
        )

    closing_reason = StatusReason.RESOURCE_REMOVED if resource_removed else StatusReason.REMEDIATED
    closed = [
        Closure(f.finding_id, f.finding_arn, vid, closing_reason)
        for vid, f in stored.items()
        if vid not in observations and f.status is not FindingStatus.CLOSED
    ]
    history.extend(
        Transition(
            c.vulnerability_id,
            stored[c.vulnerability_id].status,
            FindingStatus.CLOSED,
            closing_reason,
        )
        for c in closed
    )
    return Delta(
        resource_pk,
        now,
        tuple(created),
        tuple(seen),
        tuple(closed),
        tuple(reopened),
        tuple(history),
    )


def _expired(finding: StoredFinding, now: datetime, window: timedelta) -> bool:
    """A closed finding recurring after the reopen window is a new finding (Inspector §6.1)."""
    return finding.closed_at is not None and now - finding.closed_at > window
