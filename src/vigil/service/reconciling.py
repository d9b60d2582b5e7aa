"""Reconcile a batch of resources' observations inside one finding-store transaction.

Shared by ingest (one resource), re-evaluation (a batch) and removal (observations ``None``):
load the stored findings (locking the resources on PostgreSQL), reconcile each resource with
the suppression rules of its account, and apply every delta with the store's bulk statements.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from vigil.db.finding_store import ApplyStats, FindingTransaction, Owner
from vigil.db.suppression import suppression_rules
from vigil.domain import Observation, Resource, StoredFinding
from vigil.findings.criteria import Suppressor
from vigil.findings.lifecycle import finding_arns
from vigil.findings.reconcile import reconcile

NewId = Callable[[], str]  # 32 lower-case hex digits for a new finding ARN


@dataclass(frozen=True, slots=True)
class Evaluated:
    """One resource's new observation; ``observations`` None means the resource is gone."""

    pk: int
    resource: Resource
    observations: Sequence[Observation] | None = field(default=None, hash=False)


def _no_rules(_: Observation) -> Collection[int]:
    return ()


def apply_observations(
    tx: FindingTransaction,
    items: Sequence[Evaluated],
    now: datetime,
    *,
    new_id: NewId | None = None,
    current: Mapping[int, list[StoredFinding]] | None = None,
    scope: Collection[str] | None = None,
) -> ApplyStats:
    """Reconcile and write the items (one per resource) in the caller's transaction.

    ``current`` is what ``tx.load`` returned for them, when the caller loaded it already (to
    lock the resources before deciding what to write). ``scope`` limits the reconcile to
    those vulnerability ids (findings outside it are left as they are; see ``reconcile``).
    """
    if not items:
        return ApplyStats()
    if current is None:
        current = tx.load((item.pk for item in items), vulnerability_ids=scope)
    suppressors: dict[str, Suppressor] = {}
    deltas = []
    for item in items:
        resource = item.resource
        account = resource.account_id
        rules = suppressors.get(account)
        if rules is None:
            rules = suppressors[account] = Suppressor(suppression_rules(tx.connection, account))
        suppressed = _rule_check(rules, resource) if rules else _no_rules
        deltas.append(
            reconcile(
                current[item.pk],
                item.observations or (),
                resource_pk=item.pk,
                now=now,
                new_arn=finding_arns(
                    resource.region, account, partition=resource.partition, new_id=new_id
                ),
                resource_removed=item.observations is None,
                suppressed=suppressed,
                scope=scope,
            )
        )
    owners = {
        item.pk: Owner(
            item.resource.account_id,
            item.resource.resource_id,
            item.resource.resource_type.value,
        )
        for item in items
    }
    return tx.apply(deltas, owners)


def _rule_check(rules: Suppressor, resource: Resource) -> Callable[[Observation], Collection[int]]:
    return lambda observation: rules(observation.document, resource)


def merge(total: ApplyStats, part: ApplyStats) -> None:
    for name in ApplyStats.__dataclass_fields__:
        setattr(total, name, getattr(total, name) + getattr(part, name))
