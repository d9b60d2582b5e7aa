"""Advisories in the OSV schema (1.6), the one model every source is normalised to.

``parse_osv`` validates a decoded JSON document and raises ``InvalidAdvisory`` naming the record
and the exact place of the first problems (``affected[0].ranges[1].events[2]: ...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

EventKind = Literal["introduced", "fixed", "last_affected", "limit"]
RangeType = Literal["GIT", "SEMVER", "ECOSYSTEM"]
SeverityType = Literal["CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu"]
ReferenceType = Literal[
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "DISCUSSION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
]
CreditType = Literal[
    "FINDER",
    "REPORTER",
    "ANALYST",
    "COORDINATOR",
    "REMEDIATION_DEVELOPER",
    "REMEDIATION_REVIEWER",
    "REMEDIATION_VERIFIER",
    "TOOL",
    "SPONSOR",
    "OTHER",
]
_EVENT_KINDS: tuple[EventKind, ...] = ("introduced", "fixed", "last_affected", "limit")


class InvalidAdvisory(ValueError):
    """An OSV document that does not follow the schema; ``errors`` lists every problem found."""

    def __init__(self, advisory_id: str | None, errors: list[str]) -> None:
        self.advisory_id = advisory_id
        self.errors = errors
        shown = "; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")
        super().__init__(f"{advisory_id or '<no id>'}: {shown}")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Event(_Frozen):
    """One range event. OSV writes it as a one-key object (``{"fixed": "1.2"}``)."""

    kind: EventKind
    value: str

    @model_validator(mode="before")
    @classmethod
    def _from_osv(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "kind" in data:
            return data
        present = [k for k in _EVENT_KINDS if k in data]
        if len(present) != 1:
            raise ValueError(
                "an event needs exactly one of introduced, fixed, last_affected, limit; "
                f"got {sorted(data) or 'none'}"
            )
        return {"kind": present[0], "value": data[present[0]]}

    @model_serializer
    def _to_osv(self) -> dict[str, str]:
        return {self.kind: self.value}


class Range(_Frozen):
    type: RangeType
    events: tuple[Event, ...]
    repo: str | None = None
    database_specific: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _check(self) -> Range:
        if not self.events:
            raise ValueError("a range needs at least one event")
        kinds = {e.kind for e in self.events}
        if "introduced" not in kinds:
            raise ValueError("a range needs an introduced event")
        if "fixed" in kinds and "last_affected" in kinds:
            raise ValueError("a range may not mix fixed and last_affected events")
        if self.type == "GIT" and not self.repo:
            raise ValueError("a GIT range needs a repo")
        return self


class SeverityScore(_Frozen):
    type: SeverityType
    score: str


class AffectedPackage(_Frozen):
    ecosystem: str
    name: str
    purl: str | None = None


class Affected(_Frozen):
    package: AffectedPackage | None = None
    severity: tuple[SeverityScore, ...] = ()
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    ecosystem_specific: dict[str, Any] | None = None
    database_specific: dict[str, Any] | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return () if value is None else value


class Reference(_Frozen):
    type: ReferenceType
    url: str


class Credit(_Frozen):
    name: str
    contact: tuple[str, ...] = ()
    type: CreditType | None = None


class Advisory(_Frozen):
    """One OSV record. Timestamps are timezone-aware; absent lists are empty tuples."""

    id: str
    modified: datetime
    schema_version: str | None = None
    published: datetime | None = None
    withdrawn: datetime | None = None
    aliases: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str | None = None
    details: str | None = None
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[Affected, ...] = ()
    references: tuple[Reference, ...] = ()
    credits: tuple[Credit, ...] = ()
    database_specific: dict[str, Any] | None = None

    @field_validator(
        "aliases",
        "upstream",
        "related",
        "severity",
        "affected",
        "references",
        "credits",
        mode="before",
    )
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("id must not be blank")
        return value

    @field_validator("modified", "published", "withdrawn")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must carry a timezone (RFC 3339)")
        return value

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn is not None

    def to_osv(self) -> dict[str, Any]:
        """The record as an OSV JSON object, omitting absent fields."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def parse_osv(document: Any, *, missing_modified: datetime | None = None) -> Advisory:
    """Validate a decoded OSV JSON document and return it as an ``Advisory``.

    ``modified`` is required by the schema, but some converted feeds omit it. A source that
    accepts such feeds passes ``missing_modified`` (typically the feed's own timestamp); the
    record's ``published`` time is preferred when it has one.
    """
    if not isinstance(document, Mapping):
        raise InvalidAdvisory(None, [f"expected a JSON object, got {type(document).__name__}"])
    advisory_id = document.get("id")
    if missing_modified is not None and "modified" not in document:
        document = {**document, "modified": document.get("published", missing_modified)}
    try:
        return Advisory.model_validate(document)
    except ValidationError as exc:
        raise InvalidAdvisory(
            advisory_id if isinstance(advisory_id, str) else None,
            [_describe(err) for err in exc.errors(include_url=False)],
        ) from None


def _describe(err: Mapping[str, Any]) -> str:
    where = ""
    for part in err["loc"]:
        if isinstance(part, int):
            where += f"[{part}]"
        elif part in _EVENT_KINDS and where.endswith("]"):
            # Union-tag noise from the one-key event form; the index already says where.
            continue
        else:
            where += f".{part}" if where else str(part)
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where or '<root>'}: {message}"
