"""ListCoverage and ListCoverageStatistics over the resources table.

Every Vigil resource is covered by package scanning (scanType PACKAGE). Hosts report the
agent-based scan mode: a Vigil host sends its inventory through an agent or is read over SSH,
which is what Inspector's agent-based mode means. Keys that describe things Vigil does not scan
(code repositories, machine images, other clouds) have no value: EQUALS never matches them and
NOT_EQUALS always does, as for any absent value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)

from vigil.db import json_sql, page_token
from vigil.db.finding_sql import Source, range_condition, strings_condition, tags_condition
from vigil.db.tables import resources
from vigil.domain.filter_criteria import (
    filter_list,
    parse_date_filter,
    parse_map_filter,
    parse_number_filter,
    parse_string_filter,
)
from vigil.domain.filter_values import CriteriaError, StringComparison

R = resources.c
DEFAULT_MAX_RESULTS = 100
MAX_RESULTS = 200
GROUPS_PER_PAGE = 5  # CountsList holds at most five groups
EQ_NE = frozenset({StringComparison.EQUALS, StringComparison.NOT_EQUALS})
EC2_SCAN_MODE = "EC2_SSM_AGENT_BASED"

_ECR = ("awsEcrContainerImage",)
_Build = Callable[[Any, str, str], ColumnElement[bool]]


def _strings(column: Callable[[str], Any]) -> _Build:
    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        items = filter_list(wire, path)
        parsed = [parse_string_filter(item, f"{path}[{i}]", EQ_NE) for i, item in items]
        return strings_condition(parsed, Source(scalar=column(dialect)))

    return build


def _image_tags(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
    parsed = [parse_string_filter(v, f"{path}[{i}]", EQ_NE) for i, v in filter_list(wire, path)]
    column = R.ecr_image_tags
    return strings_condition(
        parsed,
        Source(any_of=lambda p: json_sql.elements_exist(dialect, column, (), (), "string", p)),
    )


def _tags(resource_type: str | None) -> _Build:
    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        items = filter_list(wire, path)
        parsed = [parse_map_filter(item, f"{path}[{i}]", value_min=1) for i, item in items]
        if resource_type is None:
            return false()
        return and_(R.resource_type == resource_type, tags_condition(parsed, dialect))

    return build


def _range(value: Callable[[str], Any], is_date: bool, as_epoch: bool) -> _Build:
    parse = parse_date_filter if is_date else parse_number_filter

    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        parsed = [parse(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
        column = value(dialect)
        return or_(
            *(and_(column.is_not(None), range_condition(f, column, as_epoch)) for f in parsed)
        )

    return build


def _col(column: Any) -> Callable[[str], Any]:
    return lambda _dialect: column


def _none(_dialect: str) -> Any:
    return cast(null(), String)


def _detail_number(*path: str) -> Callable[[str], Any]:
    return lambda dialect: json_sql.scalar(dialect, R.details, path, "number")


SCAN_MODE = case((R.resource_type == "AWS_EC2_INSTANCE", EC2_SCAN_MODE), else_=None)

FILTERS: dict[str, _Build] = {
    "scanStatusCode": _strings(_col(R.scan_status_code)),
    "scanStatusReason": _strings(_col(R.scan_status_reason)),
    "accountId": _strings(_col(R.account_id)),
    "resourceId": _strings(_col(R.resource_id)),
    "resourceType": _strings(_col(R.resource_type)),
    "scanType": _strings(_col(literal("PACKAGE", String))),
    "ecrRepositoryName": _strings(_col(R.ecr_repository_name)),
    "ecrImageTags": _image_tags,
    "ec2InstanceTags": _tags("AWS_EC2_INSTANCE"),
    "lambdaFunctionName": _strings(_col(R.lambda_function_name)),
    "lambdaFunctionTags": _tags("AWS_LAMBDA_FUNCTION"),
    "lambdaFunctionRuntime": _strings(_col(R.lambda_function_runtime)),
    "machineImageTags": _tags(None),
    "lastScannedAt": _range(_col(R.last_scanned_at), True, False),
    "scanMode": _strings(_col(SCAN_MODE)),
    "imagePulledAt": _range(_none, True, True),
    "ecrImageLastInUseAt": _range(_detail_number(*_ECR, "lastInUseAt"), True, True),
    "ecrImageInUseCount": _range(_detail_number(*_ECR, "inUseCount"), False, False),
    **{
        key: _strings(_none)
        for key in (
            "codeRepositoryProjectName",
            "codeRepositoryProviderType",
            "codeRepositoryProviderTypeVisibility",
            "lastScannedCommitId",
            "cloudProvider",
            "cloudProviderAccountId",
            "cloudProviderRegion",
            "cloudContainerImageTags",
            "cloudContainerRepositoryName",
            "cloudContainerRegistryName",
            "cloudServerlessFunctionName",
            "cloudServerlessFunctionRuntime",
            "cloudProviderOrgId",
        )
    },
    "cloudVmInstanceTags": _tags(None),
    "cloudServerlessFunctionTags": _tags(None),
}

GROUPS: dict[str, Any] = {
    "SCAN_STATUS_CODE": R.scan_status_code,
    "SCAN_STATUS_REASON": R.scan_status_reason,
    "ACCOUNT_ID": R.account_id,
    "RESOURCE_TYPE": R.resource_type,
    "ECR_REPOSITORY_NAME": R.ecr_repository_name,
}


@dataclass(frozen=True, slots=True)
class CoveragePage:
    covered_resources: tuple[dict[str, Any], ...]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class CoverageStatistics:
    counts_by_group: tuple[dict[str, Any], ...]
    total_counts: int
    next_token: str | None


def coverage_condition(criteria: Mapping[str, Any] | None, dialect: str) -> ColumnElement[bool]:
    """A CoverageFilterCriteria document as a condition on resources (keys AND-ed)."""
    if criteria is None:
        return true()
    if not isinstance(criteria, Mapping):
        raise CriteriaError("filterCriteria", "must be an object")
    parts = []
    for key in sorted(criteria):
        build = FILTERS.get(key) if isinstance(key, str) else None
        if build is None:
            raise CriteriaError(f"filterCriteria.{key}", "unknown coverage filter key")
        parts.append(build(criteria[key], f"filterCriteria.{key}", dialect))
    return and_(true(), *parts)


def _scope(accounts: Collection[str]) -> ColumnElement[bool]:
    allowed = sorted(set(accounts))
    return R.account_id.in_(allowed) if allowed else false()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def list_coverage(
    connection: Connection,
    accounts: Collection[str],
    criteria: Mapping[str, Any] | None = None,
    *,
    max_results: int | None = None,
    next_token: str | None = None,
) -> CoveragePage:
    limit = DEFAULT_MAX_RESULTS if max_results is None else max_results
    if not 1 <= limit <= MAX_RESULTS:
        raise ValueError(f"maxResults must be from 1 to {MAX_RESULTS}")
    where = [_scope(accounts), coverage_condition(criteria, connection.dialect.name)]
    digest = _digest("coverage", criteria)
    if next_token:
        _, last_id = page_token.decode(next_token, digest)
        where.append(R.id > last_id)
    query = select(resources).where(*where).order_by(R.id).limit(limit + 1)
    rows = connection.execute(query).mappings().all()
    covered = tuple(covered_resource(dict(row)) for row in rows[:limit])
    token = page_token.encode(digest, None, rows[limit - 1]["id"]) if len(rows) > limit else None
    return CoveragePage(covered, token)


def coverage_statistics(
    connection: Connection,
    accounts: Collection[str],
    criteria: Mapping[str, Any] | None = None,
    *,
    group_by: str | None = None,
    next_token: str | None = None,
) -> CoverageStatistics:
    """Resource counts, in groups of ``group_by`` (each group's value is its ``groupKey``)."""
    where = and_(_scope(accounts), coverage_condition(criteria, connection.dialect.name))
    total = connection.execute(select(func.count()).select_from(resources).where(where)).scalar()
    if group_by is None:
        return CoverageStatistics((), int(total or 0), None)
    column = GROUPS.get(group_by)
    if column is None:
        raise CriteriaError("groupBy", f"{group_by!r} is not a group key Vigil counts by")
    digest = _digest("statistics", criteria, group_by)
    offset = page_token.decode(next_token, digest)[1] if next_token else 0
    query = (
        select(column.label("key"), func.count().label("count"))
        .where(where, column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .offset(offset)
        .limit(GROUPS_PER_PAGE + 1)
    )
    rows = connection.execute(query).all()
    groups = tuple({"count": int(n), "groupKey": key} for key, n in rows[:GROUPS_PER_PAGE])
    more = len(rows) > GROUPS_PER_PAGE
    token = page_token.encode(digest, None, offset + GROUPS_PER_PAGE) if more else None
    return CoverageStatistics(groups, int(total or 0), token)


def covered_resource(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CoveredResource for a resources row."""
    kind = row["resource_type"]
    details = row["details"] or {}
    tags = dict(row["tags"] or {})
    metadata: dict[str, Any] = {}
    if kind == "AWS_EC2_INSTANCE":
        ec2 = details.get("awsEc2Instance", {})
        metadata["ec2"] = _compact(
            tags=tags, amiId=row["ec2_instance_image_id"], platform=_platform(ec2.get("platform"))
        )
    elif kind == "AWS_ECR_CONTAINER_IMAGE":
        ecr = details.get("awsEcrContainerImage", {})
        metadata["ecrImage"] = _compact(
            tags=list(row["ecr_image_tags"] or []),
            lastInUseAt=_epoch(ecr.get("lastInUseAt")),
            inUseCount=ecr.get("inUseCount"),
        )
        metadata["ecrRepository"] = _compact(name=row["ecr_repository_name"])
    elif kind == "AWS_ECR_REPOSITORY":
        metadata["ecrRepository"] = _compact(name=row["ecr_repository_name"])
    elif kind == "AWS_LAMBDA_FUNCTION":
        metadata["lambdaFunction"] = _compact(
            functionTags=tags,
            layers=list(row["lambda_function_layers"] or []),
            functionName=row["lambda_function_name"],
            runtime=row["lambda_function_runtime"],
        )
    return _compact(
        resourceType=kind,
        resourceId=row["resource_id"],
        accountId=row["account_id"],
        scanType="PACKAGE",
        scanStatus={"statusCode": row["scan_status_code"], "reason": row["scan_status_reason"]},
        resourceMetadata=metadata or None,
        lastScannedAt=row["last_scanned_at"],
        scanMode=EC2_SCAN_MODE if kind == "AWS_EC2_INSTANCE" else None,
    )


def _compact(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _platform(platform: Any) -> str | None:
    """Inspector's Ec2Platform from the free-text platform of the instance details."""
    if not isinstance(platform, str) or not platform:
        return None
    upper = platform.upper()
    if "WINDOWS" in upper:
        return "WINDOWS"
    if "MAC" in upper:
        return "MACOS"
    return "LINUX"
