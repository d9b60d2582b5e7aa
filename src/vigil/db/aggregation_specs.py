"""What each classic aggregationType groups by, filters on, and answers with.

Each group is per account (every response carries ``accountId``). Values that describe a resource
(tags, AMI, runtime...) are read from the resource row of the group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, true
from sqlalchemy.sql.expression import FromClause

from vigil.db import json_sql
from vigil.db.finding_sql import Source, range_condition, strings_condition, tags_condition
from vigil.db.tables import finding_packages, findings, resources
from vigil.domain.filter_criteria import (
    filter_list,
    parse_date_filter,
    parse_map_filter,
    parse_number_filter,
    parse_string_filter,
)
from vigil.domain.filter_values import CriteriaError

F, R, P = findings.c, resources.c, finding_packages.c

Condition = Callable[[Any, str, str], ColumnElement[bool]]


@dataclass(frozen=True)
class Spec:
    """One aggregation type: its request member, group keys and response member."""

    request_member: str
    response_member: str
    keys: Mapping[str, Callable[[str], ColumnElement[Any]]]
    filters: Mapping[str, Condition] = field(default_factory=dict)
    joins: tuple[str, ...] = ()
    extra_sorts: Mapping[str, str] = field(default_factory=dict)
    by_resource: bool = False


def _strings(expr: Callable[[str], ColumnElement[Any]]) -> Condition:
    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        parsed = [parse_string_filter(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
        return strings_condition(parsed, Source(scalar=expr(dialect)))

    return build


def _list_strings(column: Any) -> Condition:
    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        parsed = [parse_string_filter(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
        source = Source(
            any_of=lambda p: json_sql.elements_exist(dialect, column, (), (), "string", p)
        )
        return strings_condition(parsed, source)

    return build


def _tags(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
    parsed = [parse_map_filter(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
    return tags_condition(parsed, dialect)


def _ranges(details_path: tuple[str, ...], is_date: bool) -> Condition:
    parse = parse_date_filter if is_date else parse_number_filter

    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        parsed = [parse(item, f"{path}[{i}]") for i, item in filter_list(wire, path)]
        value = json_sql.scalar(dialect, R.details, details_path, "number")
        return or_(*(value.is_not(None) & range_condition(f, value, True) for f in parsed))

    return build


def _enum(column: Any, allowed: tuple[str, ...]) -> Condition:
    def build(wire: Any, path: str, dialect: str) -> ColumnElement[bool]:
        if wire not in allowed:
            raise CriteriaError(path, f"must be one of {', '.join(allowed)}")
        return column == wire if wire is not None else true()

    return build


def _col(column: Any) -> Callable[[str], ColumnElement[Any]]:
    return lambda _dialect: column


def _detail(*path: str) -> Callable[[str], ColumnElement[Any]]:
    return lambda dialect: json_sql.scalar(dialect, R.details, path, "string")


_FINDING_TYPES = ("NETWORK_REACHABILITY", "PACKAGE_VULNERABILITY", "CODE_VULNERABILITY")
_RESOURCE_TYPES = ("AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION")
_TYPE_FILTERS: dict[str, Condition] = {
    "findingType": _enum(F.type, _FINDING_TYPES),
    "resourceType": _enum(F.resource_type, _RESOURCE_TYPES),
}
_ECR = ("awsEcrContainerImage",)

SPECS: dict[str, Spec] = {
    "ACCOUNT": Spec("accountAggregation", "accountAggregation", {}, _TYPE_FILTERS),
    "FINDING_TYPE": Spec("findingTypeAggregation", "findingTypeAggregation", {}, _TYPE_FILTERS),
    "AMI": Spec(
        "amiAggregation",
        "amiAggregation",
        {"ami": _col(R.ec2_instance_image_id)},
        {"amis": _strings(_col(R.ec2_instance_image_id))},
        extra_sorts={"AFFECTED_INSTANCES": "affected"},
    ),
    "AWS_EC2_INSTANCE": Spec(
        "ec2InstanceAggregation",
        "ec2InstanceAggregation",
        {},
        {
            "amis": _strings(_col(R.ec2_instance_image_id)),
            "operatingSystems": _strings(_detail("awsEc2Instance", "platform")),
            "instanceIds": _strings(_col(F.resource_id)),
            "instanceTags": _tags,
        },
        extra_sorts={"NETWORK_FINDINGS": "network"},
        by_resource=True,
    ),
    "AWS_ECR_CONTAINER": Spec(
        "awsEcrContainerAggregation",
        "awsEcrContainerAggregation",
        {},
        {
            "resourceIds": _strings(_col(F.resource_id)),
            "imageShas": _strings(_detail(*_ECR, "imageHash")),
            "repositories": _strings(_col(R.ecr_repository_name)),
            "architectures": _strings(_detail(*_ECR, "architecture")),
            "imageTags": _list_strings(R.ecr_image_tags),
            "lastInUseAt": _ranges((*_ECR, "lastInUseAt"), True),
            "inUseCount": _ranges((*_ECR, "inUseCount"), False),
        },
        by_resource=True,
    ),
    "AWS_LAMBDA_FUNCTION": Spec(
        "lambdaFunctionAggregation",
        "lambdaFunctionAggregation",
        {},
        {
            "resourceIds": _strings(_col(F.resource_id)),
            "functionNames": _strings(_col(R.lambda_function_name)),
            "runtimes": _strings(_col(R.lambda_function_runtime)),
            "functionTags": _tags,
        },
        by_resource=True,
    ),
    "IMAGE_LAYER": Spec(
        "imageLayerAggregation",
        "imageLayerAggregation",
        {"layerHash": _col(P.source_layer_hash)},
        {
            "repositories": _strings(_col(R.ecr_repository_name)),
            "resourceIds": _strings(_col(F.resource_id)),
            "layerHashes": _strings(_col(P.source_layer_hash)),
        },
        joins=("packages",),
        by_resource=True,
    ),
    "LAMBDA_LAYER": Spec(
        "lambdaLayerAggregation",
        "lambdaLayerAggregation",
        {},  # the layer ARN key and its filter come from lambda_layer_elements
        {
            "functionNames": _strings(_col(R.lambda_function_name)),
            "resourceIds": _strings(_col(F.resource_id)),
        },
        joins=("lambda_layers",),
        by_resource=True,
    ),
    "PACKAGE": Spec(
        "packageAggregation",
        "packageAggregation",
        {"packageName": _col(P.name)},
        {"packageNames": _strings(_col(P.name))},
        joins=("packages",),
    ),
    "REPOSITORY": Spec(
        "repositoryAggregation",
        "repositoryAggregation",
        {"repository": _col(R.ecr_repository_name)},
        {"repositories": _strings(_col(R.ecr_repository_name))},
        extra_sorts={"AFFECTED_IMAGES": "affected"},
    ),
    "TITLE": Spec(
        "titleAggregation",
        "titleAggregation",
        {"title": _col(F.title), "vulnerabilityId": _col(F.vulnerability_id)},
        {
            "titles": _strings(_col(F.title)),
            "vulnerabilityIds": _strings(_col(F.vulnerability_id)),
            **_TYPE_FILTERS,
        },
    ),
}

SORT_ORDERS = ("ASC", "DESC")
BASE_SORTS = ("CRITICAL", "HIGH", "ALL")


def lambda_layer_elements(dialect: str) -> tuple[FromClause, ColumnElement[Any]]:
    """Each vulnerable package's ``sourceLambdaLayerArn`` (the store keeps it in the document)."""
    path = ("packageVulnerabilityDetails", "vulnerablePackages")
    if dialect == "sqlite":
        each = (
            func.json_each(F.document, "$." + ".".join(path)).table_valued("value").alias("layer")
        )
        value = json_sql.scalar(dialect, each.c.value, ("sourceLambdaLayerArn",), "string")
        return each, value
    node = F.document.op("#>")(json_sql.pg_path(path))
    array = json_sql.only_arrays(dialect, node)
    each = func.jsonb_array_elements(array).table_valued("value").alias("layer")
    return each, json_sql.scalar(dialect, each.c.value, ("sourceLambdaLayerArn",), "string")
