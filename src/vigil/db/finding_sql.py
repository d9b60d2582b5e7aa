"""FilterCriteria as a SQL condition over findings, their resource and their packages.

The semantics are those of ``vigil.findings.criteria.matches`` (the reference; tests compare the
two on generated data). Values under ``resources[*]`` are read from the finding's resource row
(its columns where the schema has them, else its ``details`` document); everything else from the
finding's columns, or its ``document`` where no column holds the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true

from vigil.db import json_sql
from vigil.db.finding_columns import severity_rank
from vigil.db.tables import finding_packages, findings, resources
from vigil.domain.filter_criteria import FilterCriteria
from vigil.domain.filter_fields import FIELDS, FieldKind
from vigil.domain.filter_values import (
    PACKAGE_STRING_MEMBERS,
    DateFilter,
    Filter,
    MapFilter,
    NumberFilter,
    PackageFilter,
    PortRangeFilter,
    StringFilter,
)
from vigil.domain.severity import Severity

F, R = findings.c, resources.c

# Keys held in a column (findings or resources).
_COLUMNS: dict[str, Any] = {
    "findingArn": F.finding_arn,
    "awsAccountId": F.account_id,
    "findingType": F.type,
    "severity": F.severity,
    "firstObservedAt": F.first_observed_at,
    "lastObservedAt": F.last_observed_at,
    "updatedAt": F.updated_at,
    "findingStatus": F.status,
    "title": F.title,
    "inspectorScore": F.inspector_score,
    "epssScore": F.epss_score,
    "resourceType": F.resource_type,
    "resourceId": F.resource_id,
    "vulnerabilityId": F.vulnerability_id,
    "vendorSeverity": F.vendor_severity,
    "fixAvailable": F.fix_available,
    "exploitAvailable": F.exploit_available,
    "ec2InstanceImageId": R.ec2_instance_image_id,
    "ec2InstanceVpcId": R.ec2_instance_vpc_id,
    "ec2InstanceSubnetId": R.ec2_instance_subnet_id,
    "ecrImageRepositoryName": R.ecr_repository_name,
    "lambdaFunctionName": R.lambda_function_name,
    "lambdaFunctionRuntime": R.lambda_function_runtime,
    "lambdaFunctionExecutionRoleArn": R.lambda_function_execution_role_arn,
    "cloudProviderRegion": R.region,
}

# Resource keys that the findings table holds itself.
_FINDING_KEYS = frozenset({"resourceType", "resourceId"})

# Keys held in a JSON list column of the resource row.
_LIST_COLUMNS: dict[str, Any] = {
    "ecrImageTags": R.ecr_image_tags,
    "lambdaFunctionLayers": R.lambda_function_layers,
}

# VulnerablePackage members as finding_packages columns; sourceLambdaLayerArn has none (absent).
_PACKAGE_COLUMNS: dict[str, Any] = {
    "name": finding_packages.c.name,
    "version": finding_packages.c.version,
    "release": finding_packages.c.release,
    "architecture": finding_packages.c.arch,
    "sourceLayerHash": finding_packages.c.source_layer_hash,
    "filePath": finding_packages.c.file_path,
}


_Predicate = Callable[[ColumnElement[Any]], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Source:
    """Where one key's values are: one nullable scalar, or a set given by an EXISTS builder."""

    scalar: ColumnElement[Any] | None = None
    any_of: Callable[[_Predicate], ColumnElement[bool]] | None = None


def criteria_condition(
    criteria: FilterCriteria, dialect: str, *, status: ColumnElement[Any] | None = None
) -> ColumnElement[bool]:
    """The WHERE condition for ``criteria`` over ``findings`` (no join needed).

    ``status`` replaces the status column where the caller evaluates findingStatus otherwise
    (suppression rules see a suppressed finding as ACTIVE).
    """
    parts = [_key_condition(key, filters, dialect, status) for key, filters in criteria.entries]
    return and_(true(), *parts)


def _key_condition(
    key: str, filters: tuple[Filter, ...], dialect: str, status: ColumnElement[Any] | None
) -> ColumnElement[bool]:
    condition = _condition(key, filters, dialect, status)
    if FIELDS[key].path[:2] != ("resources", "*") or (key in _COLUMNS and key in _FINDING_KEYS):
        return condition
    # A resource's values as a semi-join: the planner then starts from the findings' own indexes
    # instead of walking resources first, and each finding has exactly one resource.
    resource_ids = select(R.id).where(condition).correlate_except(resources)
    return F.resource_pk.in_(resource_ids)


def _condition(
    key: str, filters: tuple[Filter, ...], dialect: str, status: ColumnElement[Any] | None
) -> ColumnElement[bool]:
    kind = FIELDS[key].kind
    if key == "severity":
        return _severity([f for f in filters if isinstance(f, StringFilter)])
    if kind is FieldKind.PACKAGE:
        return _packages([f for f in filters if isinstance(f, PackageFilter)], dialect)
    if kind is FieldKind.MAP:
        return tags_condition([f for f in filters if isinstance(f, MapFilter)], dialect)
    want = "string" if kind is FieldKind.STRING else "number"
    source = _source(key, dialect, want, status)
    if kind is FieldKind.STRING:
        return strings_condition([f for f in filters if isinstance(f, StringFilter)], source)
    if kind is FieldKind.PORT_RANGE:
        return _ports([f for f in filters if isinstance(f, PortRangeFilter)], dialect)
    is_date = kind is FieldKind.DATE
    ranges = [f for f in filters if isinstance(f, DateFilter | NumberFilter)]
    # Timestamps in JSON documents are epoch seconds, as on the wire.
    as_epoch = is_date and key not in _COLUMNS
    return _any_value(source, lambda v: or_(*(range_condition(f, v, as_epoch) for f in ranges)))


def _source(key: str, dialect: str, want: str, status: ColumnElement[Any] | None) -> Source:
    if key == "findingStatus" and status is not None:
        return Source(scalar=status)
    if key in _COLUMNS:
        return Source(scalar=_COLUMNS[key])
    if key in _LIST_COLUMNS:
        column = _LIST_COLUMNS[key]
        return Source(any_of=lambda p: json_sql.elements_exist(dialect, column, (), (), want, p))
    path = FIELDS[key].path
    if path[:2] == ("resources", "*"):
        if len(path) < 4 or path[2] != "details":
            return Source()  # provider keys: Vigil's resources carry none
        column, path = R.details, path[3:]
    else:
        column = F.document
    if "*" not in path:
        return Source(scalar=json_sql.scalar(dialect, column, path, want))
    star = path.index("*")
    outer, inner = path[:star], path[star + 1 :]
    return Source(any_of=lambda p: json_sql.elements_exist(dialect, column, outer, inner, want, p))


def _any_value(
    source: Source, predicate: Callable[[ColumnElement[Any]], ColumnElement[bool]]
) -> ColumnElement[bool]:
    if source.scalar is not None:
        return and_(source.scalar.is_not(None), predicate(source.scalar))
    if source.any_of is not None:
        return source.any_of(predicate)
    return false()


def _severity(filters: list[StringFilter]) -> ColumnElement[bool]:
    """Severity names as ranks where they are exact, so the (account, status, rank, id) index
    serves both the filter and the default order (the name and the rank agree one to one)."""
    ranks = {s.value: severity_rank(s) for s in Severity}
    parts: list[ColumnElement[bool]] = []
    positives = [f for f in filters if not f.negative]
    if positives:
        wanted = {
            ranks[f.value] for f in positives if f.comparison.value == "EQUALS" and f.value in ranks
        }
        prefixes = [f for f in positives if f.comparison.value == "PREFIX"]
        parts.append(
            or_(
                F.severity_rank.in_(sorted(wanted)) if wanted else false(),
                *(_string_test(f, F.severity) for f in prefixes),
            )
        )
    refused = sorted({ranks[f.value] for f in filters if f.negative and f.value in ranks})
    if refused:
        parts.append(F.severity_rank.not_in(refused))
    return and_(true(), *parts)


def strings_condition(filters: Sequence[StringFilter], source: Source) -> ColumnElement[bool]:
    """Positive filters OR-ed, each NOT_EQUALS AND-ed; absent values fail positives only."""
    positives = [f for f in filters if not f.negative]
    negatives = [f.value for f in filters if f.negative and "\x00" not in f.value]
    parts = []
    if positives:
        parts.append(_any_value(source, lambda v: or_(*(_string_test(f, v) for f in positives))))
    if negatives:
        parts.append(~_any_value(source, lambda v: v.in_(negatives)))
    return and_(true(), *parts)


def _string_test(flt: StringFilter, value: ColumnElement[Any]) -> ColumnElement[bool]:
    # No stored text holds NUL (PostgreSQL refuses it), so such a filter value matches nothing.
    if "\x00" in flt.value:
        return false()
    if flt.comparison.value == "PREFIX":
        # substr, not LIKE: LIKE ignores ASCII case on SQLite and needs escaping everywhere.
        return func.substr(value, 1, len(flt.value)) == flt.value
    return value == flt.value


def range_condition(
    flt: DateFilter | NumberFilter, value: ColumnElement[Any], as_epoch: bool
) -> ColumnElement[bool]:
    low: float | datetime | None
    high: float | datetime | None
    if isinstance(flt, NumberFilter):
        low, high = flt.lower, flt.upper
    elif as_epoch:
        low = None if flt.start is None else flt.start.timestamp()
        high = None if flt.end is None else flt.end.timestamp()
    else:
        low, high = flt.start, flt.end
    parts = []
    if low is not None:
        parts.append(value >= low)
    if high is not None:
        parts.append(value <= high)
    return and_(true(), *parts)


def tags_condition(filters: list[MapFilter], dialect: str) -> ColumnElement[bool]:
    def entry(flt: MapFilter) -> ColumnElement[bool]:
        if "\x00" in flt.key or (flt.value is not None and "\x00" in flt.value):
            return false()
        return json_sql.object_entry_exists(
            dialect,
            R.tags,
            lambda k, v: and_(k == flt.key, true() if flt.value is None else v == flt.value),
        )

    return or_(*(entry(f) for f in filters))


def _ports(filters: list[PortRangeFilter], dialect: str) -> ColumnElement[bool]:
    base = ("networkReachabilityDetails", "openPortRange")
    low = json_sql.scalar(dialect, F.document, (*base, "begin"), "number")
    high = json_sql.scalar(dialect, F.document, (*base, "end"), "number")

    def one(flt: PortRangeFilter) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [low.is_not(None), high.is_not(None)]
        if flt.begin is not None:
            parts.append(high >= flt.begin)
        if flt.end is not None:
            parts.append(low <= flt.end)
        return and_(*parts)

    return or_(*(one(f) for f in filters))


def _packages_in_document(filters: list[PackageFilter], dialect: str) -> ColumnElement[bool]:
    """Package filters read from the document's vulnerablePackages, for the members that no
    finding_packages column holds (sourceLambdaLayerArn)."""

    def one(flt: PackageFilter, element: Any) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        for member, sf in flt.strings:
            value = json_sql.scalar(dialect, element, (PACKAGE_STRING_MEMBERS[member],), "string")
            parts.append(strings_condition([sf], Source(scalar=value)))
        if flt.epoch is not None:
            epoch = json_sql.scalar(dialect, element, ("epoch",), "number")
            parts.append(and_(epoch.is_not(None), range_condition(flt.epoch, epoch, False)))
        return and_(true(), *parts)

    path = ("packageVulnerabilityDetails", "vulnerablePackages")
    return json_sql.element_exists(
        dialect, F.document, path, lambda element: or_(*(one(f, element) for f in filters))
    )


def _packages(filters: list[PackageFilter], dialect: str) -> ColumnElement[bool]:
    def one(flt: PackageFilter) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        for member, sf in flt.strings:
            column = _PACKAGE_COLUMNS.get(member)
            if column is None:
                parts.append(true() if sf.negative else false())
            else:
                parts.append(strings_condition([sf], Source(scalar=column)))
        if flt.epoch is not None:
            parts.append(range_condition(flt.epoch, finding_packages.c.epoch, False))
        return and_(true(), *parts)

    if any(member not in _PACKAGE_COLUMNS for f in filters for member, _ in f.strings):
        return _packages_in_document(filters, dialect)
    # IN, not a correlated EXISTS: both databases then start from the package name index. Over
    # DISTINCT ids, PostgreSQL probes the findings with the candidates in id order (one sort of a
    # few hundred ids) instead of hashing them, so a page in id order ends once it is full: 100
    # probes for a delegated administrator's page instead of all 750 candidates at 1M findings.
    condition = or_(*(one(f) for f in filters))
    return F.id.in_(select(finding_packages.c.finding_id).where(condition).distinct())
