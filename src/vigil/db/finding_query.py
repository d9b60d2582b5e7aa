"""ListFindings: filter, sort by any of Inspector's SortFields, and page with keyset tokens.

Every query is limited to the accounts the caller may see. Sorting puts findings without a value
for the sort field last in either order; ties (and each page's resume point) go by finding id in
the same direction as the sort, so pages never skip or repeat rows while data stands still.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Connection, asc, desc, false, select, tuple_

from vigil.db import json_sql, page_token
from vigil.db.finding_sql import criteria_condition
from vigil.db.tables import findings, resources
from vigil.domain.filter_criteria import FilterCriteria

F, R = findings.c, resources.c

DEFAULT_MAX_RESULTS = 25
MAX_RESULTS = 100


class SortField(Enum):
    AWS_ACCOUNT_ID = "AWS_ACCOUNT_ID"
    FINDING_TYPE = "FINDING_TYPE"
    SEVERITY = "SEVERITY"
    FIRST_OBSERVED_AT = "FIRST_OBSERVED_AT"
    LAST_OBSERVED_AT = "LAST_OBSERVED_AT"
    FINDING_STATUS = "FINDING_STATUS"
    RESOURCE_TYPE = "RESOURCE_TYPE"
    ECR_IMAGE_PUSHED_AT = "ECR_IMAGE_PUSHED_AT"
    ECR_IMAGE_REPOSITORY_NAME = "ECR_IMAGE_REPOSITORY_NAME"
    ECR_IMAGE_REGISTRY = "ECR_IMAGE_REGISTRY"
    NETWORK_PROTOCOL = "NETWORK_PROTOCOL"
    COMPONENT_TYPE = "COMPONENT_TYPE"
    VULNERABILITY_ID = "VULNERABILITY_ID"
    VULNERABILITY_SOURCE = "VULNERABILITY_SOURCE"
    INSPECTOR_SCORE = "INSPECTOR_SCORE"
    VENDOR_SEVERITY = "VENDOR_SEVERITY"
    EPSS_SCORE = "EPSS_SCORE"


class SortOrder(Enum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True, slots=True)
class Sort:
    field: SortField
    order: SortOrder = SortOrder.ASC

    @classmethod
    def from_wire(cls, wire: object) -> Sort | None:
        """``SortCriteria`` as sent (both members required); ValueError names what is wrong."""
        if wire is None:
            return None
        if not isinstance(wire, dict) or set(wire) - {"field", "sortOrder"}:
            raise ValueError("sortCriteria must have field and sortOrder")
        try:
            return cls(SortField(wire.get("field")), SortOrder(wire.get("sortOrder")))
        except ValueError as exc:
            raise ValueError(f"sortCriteria: {exc}") from exc


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding as stored: its state columns and its document."""

    id: int
    finding_arn: str
    account_id: str
    status: str
    first_observed_at: datetime
    last_observed_at: datetime
    updated_at: datetime
    document: dict[str, Any]

    def finding(self) -> dict[str, Any]:
        """The Inspector ``Finding`` (timestamps as datetimes; the API encodes them)."""
        out = dict(self.document)
        out.update(
            findingArn=self.finding_arn,
            awsAccountId=self.account_id,
            status=self.status,
            firstObservedAt=self.first_observed_at,
            lastObservedAt=self.last_observed_at,
            updatedAt=self.updated_at,
        )
        return out


@dataclass(frozen=True, slots=True)
class FindingPage:
    rows: tuple[FindingRow, ...]
    next_token: str | None


def sort_key(field: SortField | None, dialect: str) -> ColumnElement[Any]:
    """The expression a sort field orders by (severity by rank, not by name)."""
    ecr = ("awsEcrContainerImage",)
    net = ("networkReachabilityDetails",)
    match field:
        case None:
            return F.id
        case SortField.SEVERITY:
            return F.severity_rank
        case SortField.ECR_IMAGE_PUSHED_AT:
            return json_sql.scalar(dialect, R.details, (*ecr, "pushedAt"), "number")
        case SortField.ECR_IMAGE_REGISTRY:
            return json_sql.scalar(dialect, R.details, (*ecr, "registry"), "string")
        case SortField.NETWORK_PROTOCOL:
            return json_sql.scalar(dialect, F.document, (*net, "protocol"), "string")
        case SortField.COMPONENT_TYPE:
            # The first step of the path (the edge it starts from) names the finding's component.
            path = (*net, "networkPath", "steps", "0", "componentType")
            return json_sql.scalar(dialect, F.document, path, "string")
        case SortField.VULNERABILITY_SOURCE:
            source = ("packageVulnerabilityDetails", "source")
            return json_sql.scalar(dialect, F.document, source, "string")
    column: ColumnElement[Any] = _SORT_COLUMNS[field]
    return column


_SORT_COLUMNS: dict[SortField, Any] = {
    SortField.AWS_ACCOUNT_ID: F.account_id,
    SortField.FINDING_TYPE: F.type,
    SortField.FIRST_OBSERVED_AT: F.first_observed_at,
    SortField.LAST_OBSERVED_AT: F.last_observed_at,
    SortField.FINDING_STATUS: F.status,
    SortField.RESOURCE_TYPE: F.resource_type,
    SortField.ECR_IMAGE_REPOSITORY_NAME: R.ecr_repository_name,
    SortField.VULNERABILITY_ID: F.vulnerability_id,
    SortField.INSPECTOR_SCORE: F.inspector_score,
    SortField.VENDOR_SEVERITY: F.vendor_severity,
    SortField.EPSS_SCORE: F.epss_score,
}

# Sort fields read from the resource row: only these queries join resources.
_RESOURCE_SORTS = frozenset(
    {
        SortField.ECR_IMAGE_PUSHED_AT,
        SortField.ECR_IMAGE_REGISTRY,
        SortField.ECR_IMAGE_REPOSITORY_NAME,
    }
)

_KEY_TYPES: dict[SortField | None, tuple[type, ...]] = {
    None: (int,),
    SortField.SEVERITY: (int,),
    SortField.FIRST_OBSERVED_AT: (datetime,),
    SortField.LAST_OBSERVED_AT: (datetime,),
    SortField.ECR_IMAGE_PUSHED_AT: (int, float),
    SortField.INSPECTOR_SCORE: (int, float),
    SortField.EPSS_SCORE: (int, float),
}


def query_digest(criteria: FilterCriteria, sort: Sort | None) -> str:
    sort_text = json.dumps(None if sort is None else [sort.field.value, sort.order.value])
    return hashlib.sha256(f"{criteria.digest()}|{sort_text}".encode()).hexdigest()


def list_findings(
    connection: Connection,
    accounts: Collection[str],
    criteria: FilterCriteria,
    *,
    sort: Sort | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> FindingPage:
    """One page of the findings of ``accounts`` matching ``criteria``.

    Raises ``page_token.InvalidToken`` for a token not issued for this criteria and sort.
    """
    limit = DEFAULT_MAX_RESULTS if max_results is None else max_results
    if not 1 <= limit <= MAX_RESULTS:
        raise ValueError(f"maxResults must be from 1 to {MAX_RESULTS}")
    dialect = connection.dialect.name
    # Without sortCriteria: by id, the order findings were first stored in.
    field = None if sort is None else sort.field
    descending = sort is not None and sort.order is SortOrder.DESC
    key = sort_key(field, dialect)
    nullable = _nullable(key)
    digest = query_digest(criteria, sort)
    where = [scope(accounts), criteria_condition(criteria, dialect)]
    resume: tuple[Any, int] | None = None
    if next_token:
        resume = page_token.decode(next_token, digest)
        if resume[0] is not None and not isinstance(resume[0], _KEY_TYPES.get(field, (str,))):
            raise page_token.InvalidToken("malformed nextToken")
    # Findings with a value, then (for a nullable key) those without, as two plain index-ordered
    # queries: "NULLS LAST" in one ORDER BY defeats the indexes of one database or the other.
    source = (
        findings.join(resources, R.id == F.resource_pk) if field in _RESOURCE_SORTS else findings
    )
    page: list[tuple[FindingRow, Any]] = []
    if resume is None or resume[0] is not None:
        present = [*where, key.is_not(None)] if nullable else list(where)
        if resume is not None:
            present.append(_after(key, resume[0], resume[1], descending))
        page = _page(connection, source, present, key, descending, limit + 1)
    if nullable and len(page) <= limit:
        absent = [*where, key.is_(None)]
        if resume is not None and resume[0] is None:
            absent.append(F.id < resume[1] if descending else F.id > resume[1])
        nulls = _page(connection, source, absent, F.id, descending, limit + 1 - len(page))
        page += [(row, None) for row, _ in nulls]
    token = None
    if len(page) > limit:
        last_row, last_key = page[limit - 1]
        token = page_token.encode(digest, last_key, last_row.id)
    return FindingPage(tuple(row for row, _ in page[:limit]), token)


def _page(
    connection: Connection,
    source: Any,
    where: list[ColumnElement[bool]],
    key: ColumnElement[Any],
    descending: bool,
    limit: int,
) -> list[tuple[FindingRow, Any]]:
    """One page of findings with their sort keys, in one statement.

    A narrow subquery picks the page's (id, key) from the indexes, so whatever the database
    orders to find the page is narrow, and only the chosen rows are read in full: one round trip,
    no list of ids sent back, and the same statement text whatever the page holds.
    """
    direction = desc if descending else asc
    order = [direction(key)]
    if key is not F.id:
        order.append(direction(F.id))
    chosen = (
        select(F.id.label("id"), key.label("sort_key"))
        .select_from(source)
        .where(*where)
        .order_by(*order)
        .limit(limit)
        .subquery("page")
    )
    query = (
        select(*_ROW_COLUMNS, chosen.c.sort_key)
        .join_from(findings, chosen, F.id == chosen.c.id)
        .order_by(direction(chosen.c.sort_key), direction(chosen.c.id))
    )
    return [
        (FindingRow(pk, arn, account, status, first, last, updated, document), sort_value)
        for pk, arn, account, status, first, last, updated, document, sort_value in (
            connection.execute(query).all()
        )
    ]


_ROW_COLUMNS = (
    F.id,
    F.finding_arn,
    F.account_id,
    F.status,
    F.first_observed_at,
    F.last_observed_at,
    F.updated_at,
    F.document,
)


def scope(accounts: Collection[str]) -> ColumnElement[bool]:
    """Findings of the given accounts only; no accounts, no findings."""
    allowed = sorted(set(accounts))
    return F.account_id.in_(allowed) if allowed else false()


def _nullable(key: ColumnElement[Any]) -> bool:
    """Whether a sort key can be NULL: a nullable column, or any value read from JSON."""
    return bool(getattr(key, "nullable", True))


def _after(
    key: ColumnElement[Any], last_key: Any, last_id: int, descending: bool
) -> ColumnElement[bool]:
    """Rows past (last key, last id) in the sort's direction, as one row-value comparison: both
    databases then start the index range there instead of filtering every row before it."""
    if key is F.id:
        return F.id < last_id if descending else F.id > last_id
    # Each bound value takes its type from the expression it is compared with.
    mark = (last_key, last_id)
    return tuple_(key, F.id) < mark if descending else tuple_(key, F.id) > mark
