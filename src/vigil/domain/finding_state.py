"""The states of a finding, why it changes state, and what reconcile reads and writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any


class FindingStatus(Enum):
    """Inspector's ``FindingStatus``."""

    ACTIVE = "ACTIVE"
    SUPPRESSED = "SUPPRESSED"
    CLOSED = "CLOSED"


class StatusReason(Enum):
    """Why a finding entered its status; recorded with every change in its history."""

    OBSERVED = "OBSERVED"
    REMEDIATED = "REMEDIATED"
    RESOURCE_REMOVED = "RESOURCE_REMOVED"
    RECURRED = "RECURRED"
    SUPPRESSED_BY_RULE = "SUPPRESSED_BY_RULE"
    UNSUPPRESSED = "UNSUPPRESSED"
    RETENTION = "RETENTION"


# Keys of an Inspector Finding that the store keeps in columns, never in the stored document, so
# that a document's hash only changes when what was found changes.
STATE_KEYS = frozenset(
    {"findingArn", "awsAccountId", "status", "firstObservedAt", "lastObservedAt", "updatedAt"}
)


def document_hash(document: Mapping[str, Any]) -> str:
    """sha256 over canonical JSON (sorted keys, no whitespace, UTF-8) of a finding document."""
    canonical = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class EncodedDocument(Mapping[str, Any]):
    """A read-only finding document that carries its canonical JSON (what ``document_hash``
    hashes), so that a store writing thousands of them does not encode each again."""

    __slots__ = ("_items", "json")

    def __init__(self, items: dict[str, Any], json_text: str) -> None:
        self._items = items
        self.json = json_text

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class Observation:
    """A finding that a match produced for one resource, before it has state.

    ``document`` is the Inspector ``Finding`` without the state keys (they are dropped here).
    """

    vulnerability_id: str
    document: Mapping[str, Any] = field(hash=False)
    document_hash: str

    @classmethod
    def of(cls, vulnerability_id: str, document: Mapping[str, Any]) -> Observation:
        stateless = {k: v for k, v in document.items() if k not in STATE_KEYS}
        return cls(vulnerability_id, MappingProxyType(stateless), document_hash(stateless))


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """The state of a finding as the store holds it, as much as reconcile needs."""

    finding_id: int
    finding_arn: str
    vulnerability_id: str
    status: FindingStatus
    first_observed_at: datetime
    last_observed_at: datetime
    updated_at: datetime
    document_hash: str
    closed_at: datetime | None = None
    closed_reason: StatusReason | None = None
    suppressed_by: frozenset[int] = frozenset()
