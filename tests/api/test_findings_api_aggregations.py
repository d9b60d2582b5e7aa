"""ListFindingAggregations (every classic type), ListCoverage, ListCoverageStatistics and
BatchGetFindingDetails through boto3, over the stored fleet of tests/api/fleet_data.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api import fleet_data as fleet
from tests.api.findings_support import FleetWriter, serve
from tests.apiserver import LiveApi
from vigil.domain import ResourceType

CLASSIC = {
    "ACCOUNT": "accountAggregation",
    "FINDING_TYPE": "findingTypeAggregation",
    "PACKAGE": "packageAggregation",
    "TITLE": "titleAggregation",
    "REPOSITORY": "repositoryAggregation",
    "AMI": "amiAggregation",
    "AWS_EC2_INSTANCE": "ec2InstanceAggregation",
    "AWS_ECR_CONTAINER": "awsEcrContainerAggregation",
    "IMAGE_LAYER": "imageLayerAggregation",
    "AWS_LAMBDA_FUNCTION": "lambdaFunctionAggregation",
    "LAMBDA_LAYER": "lambdaLayerAggregation",
}
SEVERITY_KEYS = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MEDIUM": "medium",
    "LOW": "low",
    "INFORMATIONAL": "informational",
    "UNTRIAGED": "untriaged",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    with serve(tmp_path_factory.mktemp("fleet")) as live:
        fleet.write_fleet(FleetWriter(live.services.engine))
        yield live


@pytest.fixture(scope="module")
def client(api: LiveApi) -> Any:
    return api.client(api.create_key(fleet.ACCOUNT, "read-only"))


def counts(vulns: range | list[int], resources: int = 1) -> dict[str, int]:
    tally = Counter(fleet.severity(v) for v in vulns)
    out = {key: tally[name] * resources for name, key in SEVERITY_KEYS.items()}
    out["all"] = len(vulns) * resources
    return out


def aggregate(client: Any, kind: str, **request: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_finding_aggregations").paginate(
        aggregationType=kind, **request
    )
    responses = []
    for page in pages:
        assert page["aggregationType"] == kind
        for item in page["responses"]:
            assert list(item) == [CLASSIC[kind]]
            responses.append(item[CLASSIC[kind]])
    return responses


def of_kind(kind: ResourceType) -> list[int]:
    return [r for r in range(fleet.RESOURCES) if fleet.kind_of(r) is kind]


def test_every_classic_type_answers(client: Any) -> None:
    for kind in CLASSIC:
        assert aggregate(client, kind), kind


def test_account_and_finding_type(client: Any) -> None:
    for kind in ("ACCOUNT", "FINDING_TYPE"):
        (only,) = aggregate(client, kind)
        assert only["accountId"] == fleet.ACCOUNT
        assert only["severityCounts"] == counts(range(fleet.VULNS), fleet.RESOURCES)
        assert only["exploitAvailableCount"] == 10 * fleet.RESOURCES
        assert only["fixAvailableCount"] == sum(1 for v in range(100) if v % 3) * fleet.RESOURCES


def test_package_title_and_sorting(client: Any) -> None:
    packages = {p["packageName"]: p for p in aggregate(client, "PACKAGE")}
    assert set(packages) == set(fleet.PACKAGES)
    openssl = [v for v in range(fleet.VULNS) if v % 7 == 0]
    assert packages["openssl"]["severityCounts"] == counts(openssl, fleet.RESOURCES)
    titles = aggregate(client, "TITLE", aggregationRequest={"titleAggregation": {"sortBy": "ALL"}})
    assert len(titles) == fleet.VULNS
    assert {t["severityCounts"]["all"] for t in titles} == {fleet.RESOURCES}
    by_critical = aggregate(client, "TITLE")  # CRITICAL, descending, by default
    criticals = [t["severityCounts"]["critical"] for t in by_critical]
    assert criticals == sorted(criticals, reverse=True)
    one = aggregate(
        client,
        "TITLE",
        aggregationRequest={
            "titleAggregation": {
                "vulnerabilityIds": [{"comparison": "EQUALS", "value": fleet.vid(3)}]
            }
        },
    )
    assert [(t["title"], t["vulnerabilityId"]) for t in one] == [
        (f"{fleet.vid(3)} - {fleet.package(0, 3)[0]}", fleet.vid(3))
    ]


def test_resource_aggregations(client: Any) -> None:
    ec2 = aggregate(client, "AWS_EC2_INSTANCE")
    hosts = of_kind(ResourceType.AWS_EC2_INSTANCE)
    assert {e["instanceId"] for e in ec2} == {fleet.resource(r).resource_id for r in hosts}
    assert all(e["severityCounts"] == counts(range(fleet.VULNS)) for e in ec2)
    assert {e["operatingSystem"] for e in ec2} == {"DEBIAN_12"}
    (ami,) = aggregate(client, "AMI")
    assert ami["ami"] == "ami-00000000"
    assert ami["affectedInstances"] == len(hosts)
    images = of_kind(ResourceType.AWS_ECR_CONTAINER_IMAGE)
    ecr = aggregate(client, "AWS_ECR_CONTAINER")
    assert {e["resourceId"] for e in ecr} == {fleet.resource(r).resource_id for r in images}
    repositories = Counter(
        fleet.resource(r).details["awsEcrContainerImage"]["repositoryName"] for r in images
    )
    repos = aggregate(client, "REPOSITORY")
    assert {r["repository"]: r["affectedImages"] for r in repos} == dict(repositories)
    layers = aggregate(client, "IMAGE_LAYER")
    assert {(x["resourceId"], x["layerHash"]) for x in layers} == {
        (fleet.resource(r).resource_id, fleet.layer_hash(r)) for r in images
    }
    functions = of_kind(ResourceType.AWS_LAMBDA_FUNCTION)
    lambdas = aggregate(client, "AWS_LAMBDA_FUNCTION")
    assert {x["functionName"] for x in lambdas} == {f"fn-{r:03d}" for r in functions}
    by_layer = aggregate(client, "LAMBDA_LAYER")
    assert {(x["functionName"], x["layerArn"]) for x in by_layer} == {
        (f"fn-{r:03d}", fleet.layer_arn(r)) for r in functions
    }
    # Only the even vulnerabilities' packages came from the layer.
    assert {x["severityCounts"]["all"] for x in by_layer} == {50}


def test_a_newer_aggregation_type_is_a_validation_error(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException) as raised:
        client.list_finding_aggregations(aggregationType="CODE_REPOSITORY")
    assert raised.value.response["fields"][0]["name"] == "aggregationType"


def test_coverage_lists_the_accounts_resources_only(client: Any) -> None:
    pages = client.get_paginator("list_coverage").paginate(PaginationConfig={"PageSize": 30})
    covered = [c for page in pages for c in page["coveredResources"]]
    assert len(covered) == fleet.RESOURCES
    assert {c["accountId"] for c in covered} == {fleet.ACCOUNT}
    assert {c["scanType"] for c in covered} == {"PACKAGE"}
    lambdas = client.list_coverage(
        filterCriteria={"resourceType": [{"comparison": "EQUALS", "value": "AWS_LAMBDA_FUNCTION"}]}
    )["coveredResources"]
    assert len(lambdas) == len(of_kind(ResourceType.AWS_LAMBDA_FUNCTION))
    assert {c["resourceMetadata"]["lambdaFunction"]["runtime"] for c in lambdas} == {
        "PYTHON_3_12",
        "NODEJS_20_X",
    }
    tagged = client.list_coverage(
        filterCriteria={
            "ec2InstanceTags": [{"comparison": "EQUALS", "key": "team", "value": "payments"}]
        }
    )["coveredResources"]
    expected = [r for r in of_kind(ResourceType.AWS_EC2_INSTANCE) if r % 5 == 0]
    assert sorted(c["resourceId"] for c in tagged) == sorted(
        fleet.resource(r).resource_id for r in expected
    )


def test_coverage_statistics(client: Any) -> None:
    stats = client.list_coverage_statistics(groupBy="RESOURCE_TYPE")
    assert stats["totalCounts"] == fleet.RESOURCES
    assert {c["groupKey"]: c["count"] for c in stats["countsByGroup"]} == {
        "AWS_EC2_INSTANCE": 34,
        "AWS_ECR_CONTAINER_IMAGE": 33,
        "AWS_LAMBDA_FUNCTION": 33,
    }
    plain = client.list_coverage_statistics()
    assert plain["totalCounts"] == fleet.RESOURCES
    assert "countsByGroup" not in plain


def test_finding_details_and_their_errors(api: LiveApi, client: Any) -> None:
    mine = client.list_findings(
        maxResults=2,
        filterCriteria={"vulnerabilityId": [{"comparison": "EQUALS", "value": fleet.vid(0)}]},
    )["findings"]
    neighbour = api.client(api.create_key(fleet.NEIGHBOUR, "read-only"))
    theirs = neighbour.list_findings(maxResults=1)["findings"][0]["findingArn"]
    absent = f"arn:aws:inspector2:us-east-1:{fleet.ACCOUNT}:finding/{'f' * 32}"
    arns = [mine[0]["findingArn"], mine[1]["findingArn"], theirs, absent, "arn:aws:s3:::bucket"]
    answer = client.batch_get_finding_details(findingArns=arns)
    details = {d["findingArn"]: d for d in answer["findingDetails"]}
    assert set(details) == {mine[0]["findingArn"], mine[1]["findingArn"]}
    first = details[mine[0]["findingArn"]]
    assert first["cwes"] == ["CWE-79"]
    assert first["referenceUrls"] == [f"https://example.org/{fleet.vid(0)}"]
    assert first["epssScore"] == 0.0
    assert first["tools"] == []
    assert first["ttps"] == []
    assert "cisaData" not in first  # no exploitation recorded for it
    errors = {e["findingArn"]: e["errorCode"] for e in answer["errors"]}
    assert errors == {
        theirs: "ACCESS_DENIED",
        absent: "FINDING_DETAILS_NOT_FOUND",
        "arn:aws:s3:::bucket": "INVALID_INPUT",
    }
    assert all(e["errorMessage"] for e in answer["errors"])
