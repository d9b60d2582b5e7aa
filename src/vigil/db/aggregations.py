"""ListFindingAggregations for every classic aggregationType, computed with GROUP BY.

Counts are of ACTIVE findings (what Inspector's dashboards show; suppressed and closed findings
are not risk to act on), per account, limited to the accounts the caller may see.
``sortBy`` defaults to CRITICAL and ``sortOrder`` to DESC; ties go by the group's keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, distinct, func, select
from sqlalchemy.sql.expression import FromClause

from vigil.db import page_token
from vigil.db.aggregation_specs import BASE_SORTS, SORT_ORDERS, SPECS, Spec, lambda_layer_elements
from vigil.db.finding_query import MAX_RESULTS, scope
from vigil.db.finding_sql import Source, strings_condition
from vigil.db.tables import finding_packages, findings, resources
from vigil.domain.filter_criteria import filter_list, parse_string_filter
from vigil.domain.filter_values import CriteriaError

F, R, P = findings.c, resources.c, finding_packages.c

DEFAULT_MAX_RESULTS = 25
SEVERITY_COUNTS = (
    ("critical", "CRITICAL"),
    ("high", "HIGH"),
    ("medium", "MEDIUM"),
    ("low", "LOW"),
    ("informational", "INFORMATIONAL"),
    ("untriaged", "UNTRIAGED"),
)
_RESOURCE_TYPE = {
    "AWS_EC2_INSTANCE": "AWS_EC2_INSTANCE",
    "AWS_ECR_CONTAINER": "AWS_ECR_CONTAINER_IMAGE",
    "IMAGE_LAYER": "AWS_ECR_CONTAINER_IMAGE",
    "REPOSITORY": "AWS_ECR_CONTAINER_IMAGE",
    "AWS_LAMBDA_FUNCTION": "AWS_LAMBDA_FUNCTION",
    "LAMBDA_LAYER": "AWS_LAMBDA_FUNCTION",
    "AMI": "AWS_EC2_INSTANCE",
}


class UnsupportedAggregation(ValueError):
    """An aggregationType of the newer, multi-cloud kind that Vigil does not compute."""


@dataclass(frozen=True, slots=True)
class AggregationPage:
    aggregation_type: str
    responses: tuple[dict[str, Any], ...]
    next_token: str | None


def list_aggregations(
    connection: Connection,
    accounts: Collection[str],
    aggregation_type: str,
    aggregation_request: Mapping[str, Any] | None = None,
    *,
    account_ids: list[Any] | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> AggregationPage:
    """One page of aggregated counts; CriteriaError for a request that does not fit the type."""
    spec = SPECS.get(aggregation_type)
    if spec is None:
        raise UnsupportedAggregation(f"aggregationType {aggregation_type} is not supported")
    limit = DEFAULT_MAX_RESULTS if max_results is None else max_results
    if not 1 <= limit <= MAX_RESULTS:
        raise ValueError(f"maxResults must be from 1 to {MAX_RESULTS}")
    body = _request_body(spec, aggregation_request)
    dialect = connection.dialect.name
    source: FromClause = findings.join(resources, R.id == F.resource_pk)
    keys = {name: make(dialect) for name, make in spec.keys.items()}
    where = [scope(accounts), F.status == "ACTIVE"]
    if "packages" in spec.joins:
        source = source.join(finding_packages, P.finding_id == F.id)
    if "lambda_layers" in spec.joins:
        elements, layer = lambda_layer_elements(dialect)
        source = source.join(elements, layer.is_not(None))
        keys["layerArn"] = layer
        if body.get("layerArns") is not None:
            path = "aggregationRequest.lambdaLayerAggregation.layerArns"
            where.append(_strings(body["layerArns"], path, layer))
    if aggregation_type in _RESOURCE_TYPE:
        where.append(F.resource_type == _RESOURCE_TYPE[aggregation_type])
    where += [k.is_not(None) for k in keys.values()]
    if account_ids is not None:
        where.append(_strings(account_ids, "accountIds", F.account_id))
    for name, build in spec.filters.items():
        if body.get(name) is not None:
            where.append(
                build(body[name], f"aggregationRequest.{spec.request_member}.{name}", dialect)
            )
    group = [F.account_id.label("account_id"), *(k.label(n) for n, k in keys.items())]
    if spec.by_resource:
        group.append(R.id.label("resource_pk"))
    measures = _measures()
    order = _order(spec, body, measures, group)
    digest = _digest(aggregation_type, body, account_ids)
    offset = 0
    if next_token:
        _, offset = page_token.decode(next_token, digest)
        if offset < 0:
            raise page_token.InvalidToken("malformed nextToken")
    resource_columns = (
        [
            R.resource_id,
            R.tags,
            R.details,
            R.ec2_instance_image_id,
            R.ecr_repository_name,
            R.ecr_image_tags,
            R.lambda_function_name,
            R.lambda_function_runtime,
        ]
        if spec.by_resource
        else []
    )
    query = (
        select(*group, *measures.values(), *resource_columns)
        .select_from(source)
        .where(*where)
        .group_by(*(c.element for c in group), *resource_columns)
        .order_by(*order)
        .offset(offset)
        .limit(limit + 1)
    )
    rows = connection.execute(query).mappings().all()
    responses = tuple(
        {spec.response_member: _response(aggregation_type, dict(row))} for row in rows[:limit]
    )
    token = page_token.encode(digest, None, offset + limit) if len(rows) > limit else None
    return AggregationPage(aggregation_type, responses, token)


def _request_body(spec: Spec, request: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not request:
        return {}
    if not isinstance(request, Mapping) or set(request) != {spec.request_member}:
        raise CriteriaError("aggregationRequest", f"must hold {spec.request_member} only")
    body = request[spec.request_member]
    if not isinstance(body, Mapping):
        raise CriteriaError(f"aggregationRequest.{spec.request_member}", "must be an object")
    allowed = {*spec.filters, "sortBy", "sortOrder"}
    if spec.request_member == "lambdaLayerAggregation":
        allowed.add("layerArns")
    if spec.request_member == "amiAggregation":
        allowed.add("scanSources")
    unknown = set(body) - allowed
    if unknown:
        member = sorted(map(str, unknown))[0]
        raise CriteriaError(f"aggregationRequest.{spec.request_member}.{member}", "unknown member")
    return body


def _strings(wire: Any, path: str, column: ColumnElement[Any]) -> ColumnElement[bool]:
    parsed = [parse_string_filter(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
    return strings_condition(parsed, Source(scalar=column))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(distinct(case((condition, F.id), else_=None)))


def _measures() -> dict[str, ColumnElement[Any]]:
    out: dict[str, ColumnElement[Any]] = {"all": func.count(distinct(F.id)).label("all")}
    for name, severity in SEVERITY_COUNTS:
        out[name] = _count_if(F.severity == severity).label(name)
    out["exploit"] = _count_if(F.exploit_available == "YES").label("exploit")
    out["fix"] = _count_if(F.fix_available == "YES").label("fix")
    out["affected"] = func.count(distinct(F.resource_pk)).label("affected")
    out["network"] = _count_if(F.type == "NETWORK_REACHABILITY").label("network")
    return out


def _order(
    spec: Spec, body: Mapping[str, Any], measures: dict[str, ColumnElement[Any]], group: list[Any]
) -> list[Any]:
    sort_by = body.get("sortBy", "CRITICAL")
    sort_order = body.get("sortOrder", "DESC")
    path = f"aggregationRequest.{spec.request_member}"
    if sort_by not in (*BASE_SORTS, *spec.extra_sorts):
        raise CriteriaError(f"{path}.sortBy", f"{sort_by!r} is not a sortBy of this type")
    if sort_order not in SORT_ORDERS:
        raise CriteriaError(f"{path}.sortOrder", "must be ASC or DESC")
    measure = measures[spec.extra_sorts.get(sort_by, sort_by.lower())]
    primary = measure.desc() if sort_order == "DESC" else measure.asc()
    return [primary, *(c.element.asc() for c in group)]


def _digest(aggregation_type: str, body: Mapping[str, Any], account_ids: Any) -> str:
    text = json.dumps([aggregation_type, body, account_ids], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _counts(row: Mapping[str, Any]) -> dict[str, int]:
    return {"all": int(row["all"]), **{n: int(row[n]) for n, _ in SEVERITY_COUNTS}}


def _epoch(value: Any) -> datetime | None:
    """Timestamps in documents are epoch seconds, as on the wire."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _response(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {"accountId": row["account_id"], "severityCounts": _counts(row)}
    details = row.get("details") or {}
    if kind in {"ACCOUNT", "FINDING_TYPE"}:
        base.update(exploitAvailableCount=int(row["exploit"]), fixAvailableCount=int(row["fix"]))
    elif kind == "AMI":
        base.update(ami=row["ami"], affectedInstances=int(row["affected"]))
    elif kind == "REPOSITORY":
        base.update(repository=row["repository"], affectedImages=int(row["affected"]))
    elif kind == "PACKAGE":
        base.update(packageName=row["packageName"])
    elif kind == "TITLE":
        base.update(title=row["title"], vulnerabilityId=row["vulnerabilityId"])
    elif kind == "AWS_EC2_INSTANCE":
        ec2 = details.get("awsEc2Instance", {})
        base.update(
            instanceId=row["resource_id"],
            ami=row["ec2_instance_image_id"],
            operatingSystem=ec2.get("platform"),
            instanceTags=dict(row["tags"] or {}),
            networkFindings=int(row["network"]),
        )
    elif kind == "AWS_ECR_CONTAINER":
        ecr = details.get("awsEcrContainerImage", {})
        base.update(
            resourceId=row["resource_id"],
            imageSha=ecr.get("imageHash"),
            repository=row["ecr_repository_name"],
            architecture=ecr.get("architecture"),
            imageTags=list(row["ecr_image_tags"] or []),
            lastInUseAt=_epoch(ecr.get("lastInUseAt")),
            inUseCount=ecr.get("inUseCount"),
        )
    elif kind == "AWS_LAMBDA_FUNCTION":
        fn = details.get("awsLambdaFunction", {})
        base.update(
            resourceId=row["resource_id"],
            functionName=row["lambda_function_name"],
            runtime=row["lambda_function_runtime"],
            lambdaTags=dict(row["tags"] or {}),
            lastModifiedAt=_epoch(fn.get("lastModifiedAt")),
        )
    elif kind == "IMAGE_LAYER":
        base.update(
            repository=row["ecr_repository_name"],
            resourceId=row["resource_id"],
            layerHash=row["layerHash"],
        )
    else:  # LAMBDA_LAYER
        base.update(
            functionName=row["lambda_function_name"],
            resourceId=row["resource_id"],
            layerArn=row["layerArn"],
        )
    return {k: v for k, v in base.items() if v is not None}
