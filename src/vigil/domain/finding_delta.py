"""What reconciling one resource's findings changes: the input of the finding store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vigil.domain.finding_state import FindingStatus, StatusReason


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change, kept in the finding's history."""

    vulnerability_id: str
    from_status: FindingStatus | None
    to_status: FindingStatus
    reason: StatusReason


@dataclass(frozen=True, slots=True)
class NewFinding:
    """A finding seen for the first time (or again after its reopen window: ``renews`` is the
    stored row it replaces, which takes the new ARN and starts a new life)."""

    finding_arn: str
    vulnerability_id: str
    status: FindingStatus
    document: Mapping[str, Any] = field(hash=False)
    document_hash: str
    suppressed_by: frozenset[int] = frozenset()
    renews: int | None = None


@dataclass(frozen=True, slots=True)
class Seen:
    """A stored finding observed again. ``changed`` means its document or its status changed,
    which moves ``updatedAt``; otherwise only ``lastObservedAt`` moves."""

    finding_id: int
    finding_arn: str
    vulnerability_id: str
    status: FindingStatus
    document: Mapping[str, Any] = field(hash=False)
    document_hash: str
    changed: bool
    document_changed: bool
    suppressed_by: frozenset[int] = frozenset()
    suppression_changed: bool = False


@dataclass(frozen=True, slots=True)
class Closure:
    """A stored finding that was not observed again, or whose resource went away."""

    finding_id: int
    finding_arn: str
    vulnerability_id: str
    reason: StatusReason


@dataclass(frozen=True, slots=True)
class Delta:
    """Everything reconcile decided for one resource at one time.

    ``reopened`` lists the closed findings observed again within the reopen window; they are
    also in ``seen`` (with their new status), because the store updates them the same way.
    """

    resource_pk: int
    at: datetime
    created: tuple[NewFinding, ...] = ()
    seen: tuple[Seen, ...] = ()
    closed: tuple[Closure, ...] = ()
    reopened: tuple[str, ...] = ()
    history: tuple[Transition, ...] = ()

    @property
    def only_observed(self) -> bool:
        """True when applying it moves nothing but ``lastObservedAt``."""
        return not (
            self.created
            or self.closed
            or self.history
            or any(s.changed or s.suppression_changed for s in self.seen)
        )
