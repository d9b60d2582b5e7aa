"""ListFindingAggregations, every classic type, against counts made in Python from the same data."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import botocore.loaders
import pytest
from sqlalchemy import Engine

from tests.db import query_data
from vigil.db.aggregation_specs import SPECS
from vigil.db.aggregations import UnsupportedAggregation, list_aggregations
from vigil.domain.filter_values import CriteriaError

DATA = query_data.build(seed=5, n_resources=60, n_findings=400)
ACCOUNTS = query_data.ACCOUNTS
SHAPES = botocore.loaders.create_loader().load_service_model("inspector2", "service-2")["shapes"]
CLASSIC = [
    "FINDING_TYPE",
    "PACKAGE",
    "TITLE",
    "REPOSITORY",
    "AMI",
    "AWS_EC2_INSTANCE",
    "AWS_ECR_CONTAINER",
    "IMAGE_LAYER",
    "ACCOUNT",
    "AWS_LAMBDA_FUNCTION",
    "LAMBDA_LAYER",
]
RESOURCE_KIND = {
    "AMI": "AWS_EC2_INSTANCE",
    "AWS_EC2_INSTANCE": "AWS_EC2_INSTANCE",
    "AWS_ECR_CONTAINER": "AWS_ECR_CONTAINER_IMAGE",
    "IMAGE_LAYER": "AWS_ECR_CONTAINER_IMAGE",
    "REPOSITORY": "AWS_ECR_CONTAINER_IMAGE",
    "AWS_LAMBDA_FUNCTION": "AWS_LAMBDA_FUNCTION",
    "LAMBDA_LAYER": "AWS_LAMBDA_FUNCTION",
}


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    return db_engine


def groups_of(kind: str, view: dict[str, Any]) -> set[tuple[Any, ...]]:
    """The group keys (beyond the account) a finding counts in."""
    res = view["resources"][0]
    details = res["details"]
    packages = view["packageVulnerabilityDetails"]["vulnerablePackages"]
    if kind in RESOURCE_KIND and res["type"] != RESOURCE_KIND[kind]:
        return set()
    match kind:
        case "ACCOUNT" | "FINDING_TYPE":
            return {()}
        case "PACKAGE":
            return {(p["name"],) for p in packages}
        case "TITLE":
            return {(view["title"], view["packageVulnerabilityDetails"]["vulnerabilityId"])}
        case "REPOSITORY":
            return {(details["awsEcrContainerImage"]["repositoryName"],)}
        case "AMI":
            return {(details["awsEc2Instance"]["imageId"],)}
        case "IMAGE_LAYER":
            return {(res["id"], p["sourceLayerHash"]) for p in packages if "sourceLayerHash" in p}
        case "LAMBDA_LAYER":
            return {
                (res["id"], p["sourceLambdaLayerArn"])
                for p in packages
                if "sourceLambdaLayerArn" in p
            }
    return {(res["id"],)}


def response_key(kind: str, response: dict[str, Any]) -> tuple[Any, ...]:
    return {
        "ACCOUNT": (),
        "FINDING_TYPE": (),
        "PACKAGE": (response.get("packageName"),),
        "TITLE": (response.get("title"), response.get("vulnerabilityId")),
        "REPOSITORY": (response.get("repository"),),
        "AMI": (response.get("ami"),),
        "IMAGE_LAYER": (response.get("resourceId"), response.get("layerHash")),
        "LAMBDA_LAYER": (response.get("resourceId"), response.get("layerArn")),
        "AWS_EC2_INSTANCE": (response.get("instanceId"),),
    }.get(kind, (response.get("resourceId"),))


def reference(
    kind: str, accounts: tuple[str, ...] = ACCOUNTS
) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for view in DATA.views:
        if view["status"] != "ACTIVE" or view["awsAccountId"] not in accounts:
            continue
        for key in groups_of(kind, view):
            counts = out[(view["awsAccountId"], *key)]
            counts["all"] += 1
            counts[view["severity"].lower()] += 1
    return out


def everything(
    engine: Engine, kind: str, request: dict[str, Any] | None = None, **kw: Any
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token = None
    with engine.connect() as connection:
        while True:
            page = list_aggregations(
                connection,
                kw.pop("accounts", ACCOUNTS),
                kind,
                request,
                max_results=7,
                next_token=token,
                **kw,
            )
            out += [r[SPECS[kind].response_member] for r in page.responses]
            token = page.next_token
            if token is None:
                return out


def test_members_are_botocores() -> None:
    union = SHAPES["AggregationRequest"]["members"]
    responses = SHAPES["AggregationResponse"]["members"]
    for kind, spec in SPECS.items():
        assert spec.request_member in union
        assert spec.response_member in responses
        request_shape = SHAPES[union[spec.request_member]["shape"]]["members"]
        assert set(spec.filters) <= set(request_shape), kind
    assert set(SPECS) == set(CLASSIC)


@pytest.mark.parametrize("kind", CLASSIC)
def test_counts_match_the_reference(stored: Engine, kind: str) -> None:
    got = everything(stored, kind)
    want = reference(kind)
    assert want, f"the dataset has no {kind} groups"
    assert len(got) == len(want)
    for response in got:
        key = (response["accountId"], *response_key(kind, response))
        counts = response["severityCounts"]
        expected = want[key]
        assert counts == {
            n: expected[n]
            for n in ("all", "critical", "high", "medium", "low", "informational", "untriaged")
        }, key
    # Default order: most CRITICAL first.
    criticals = [r["severityCounts"]["critical"] for r in got]
    assert criticals == sorted(criticals, reverse=True)


def test_sort_by_all_ascending_and_affected_images(stored: Engine) -> None:
    request = {"repositoryAggregation": {"sortBy": "AFFECTED_IMAGES", "sortOrder": "ASC"}}
    got = everything(stored, "REPOSITORY", request)
    affected = [r["affectedImages"] for r in got]
    assert affected == sorted(affected)
    images = defaultdict(set)
    for view in DATA.views:
        res = view["resources"][0]
        if view["status"] == "ACTIVE" and res["type"] == "AWS_ECR_CONTAINER_IMAGE":
            images[
                (view["awsAccountId"], res["details"]["awsEcrContainerImage"]["repositoryName"])
            ].add(res["id"])
    assert {(r["accountId"], r["repository"]): r["affectedImages"] for r in got} == {
        k: len(v) for k, v in images.items()
    }


def test_request_filters_and_account_ids(stored: Engine) -> None:
    request = {
        "packageAggregation": {"packageNames": [{"comparison": "PREFIX", "value": "openssl"}]}
    }
    got = everything(
        stored, "PACKAGE", request, account_ids=[{"comparison": "EQUALS", "value": ACCOUNTS[0]}]
    )
    assert got
    assert {r["packageName"] for r in got} <= {"openssl", "openssl-libs"}
    assert {r["accountId"] for r in got} == {ACCOUNTS[0]}
    ec2 = everything(
        stored,
        "AWS_EC2_INSTANCE",
        {
            "ec2InstanceAggregation": {
                "instanceTags": [{"comparison": "EQUALS", "key": "env", "value": "prod"}],
                "amis": [{"comparison": "NOT_EQUALS", "value": "ami-0bbb2222"}],
            }
        },
    )
    assert ec2
    assert all(r["instanceTags"].get("env") == "prod" and r["ami"] == "ami-0aaa1111" for r in ec2)


def test_only_the_callers_accounts(stored: Engine) -> None:
    got = everything(stored, "ACCOUNT", accounts=(ACCOUNTS[1],))
    assert [r["accountId"] for r in got] == [ACCOUNTS[1]]
    with stored.connect() as connection:
        assert list_aggregations(connection, (), "TITLE").responses == ()


@pytest.mark.parametrize(
    ("kind", "request_", "field"),
    [
        ("PACKAGE", {"titleAggregation": {}}, "aggregationRequest"),
        (
            "PACKAGE",
            {"packageAggregation": {"sortBy": "AFFECTED_IMAGES"}},
            "aggregationRequest.packageAggregation.sortBy",
        ),
        (
            "PACKAGE",
            {"packageAggregation": {"nope": 1}},
            "aggregationRequest.packageAggregation.nope",
        ),
        (
            "ACCOUNT",
            {"accountAggregation": {"findingType": "BAD"}},
            "aggregationRequest.accountAggregation.findingType",
        ),
        (
            "TITLE",
            {"titleAggregation": {"titles": []}},
            "aggregationRequest.titleAggregation.titles",
        ),
    ],
)
def test_bad_requests_name_the_field(
    stored: Engine, kind: str, request_: dict[str, Any], field: str
) -> None:
    with stored.connect() as connection, pytest.raises(CriteriaError) as caught:
        list_aggregations(connection, ACCOUNTS, kind, request_)
    assert caught.value.field == field


def test_newer_types_are_refused_clearly(stored: Engine) -> None:
    with stored.connect() as connection, pytest.raises(UnsupportedAggregation):
        list_aggregations(connection, ACCOUNTS, "CODE_REPOSITORY")
