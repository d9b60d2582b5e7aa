"""ListFindings through unmodified boto3 against a live server: 10,000 findings of one account
(and a neighbour's five), stored through the real stores; the paginator, every filter type,
every sort field in both orders, and the errors botocore raises."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError

from tests.api import fleet_data as fleet
from tests.api.findings_support import T0, FleetWriter, serve
from tests.apiserver import LiveApi

RANK = {"UNTRIAGED": -1, "INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    with serve(tmp_path_factory.mktemp("fleet")) as live:
        fleet.write_fleet(FleetWriter(live.services.engine))
        yield live


@pytest.fixture(scope="module")
def client(api: LiveApi) -> Any:
    return api.client(api.create_key(fleet.ACCOUNT, "read-only"))


def every(client: Any, **request: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_findings").paginate(
        PaginationConfig={"PageSize": 100}, **request
    )
    return [finding for page in pages for finding in page["findings"]]


def eq(value: str) -> list[dict[str, str]]:
    return [{"comparison": "EQUALS", "value": value}]


def resource_id(r: int) -> str:
    return fleet.resource(r).resource_id


def vids(found: list[dict[str, Any]]) -> list[int]:
    return sorted(
        int(f["packageVulnerabilityDetails"]["vulnerabilityId"][-5:]) - 10000 for f in found
    )


def test_the_paginator_walks_all_ten_thousand_findings_of_the_account(client: Any) -> None:
    found = every(client)
    assert len(found) == fleet.RESOURCES * fleet.VULNS
    assert len({f["findingArn"] for f in found}) == len(found)
    assert {f["awsAccountId"] for f in found} == {fleet.ACCOUNT}
    assert {f["status"] for f in found} == {"ACTIVE"}
    first = found[0]
    assert first["findingArn"].startswith(f"arn:aws:inspector2:eu-west-1:{fleet.ACCOUNT}:finding/")
    assert "vigil" not in first  # Vigil's extension stays inside the store
    assert "vigil" not in first["packageVulnerabilityDetails"]["vulnerablePackages"][0]
    assert first["firstObservedAt"].timestamp() == T0.timestamp()


def test_a_page_holds_at_most_max_results_and_a_token_while_more_remain(client: Any) -> None:
    page = client.list_findings(maxResults=7, filterCriteria={"resourceId": eq(resource_id(3))})
    assert len(page["findings"]) == 7
    assert page["nextToken"]
    rest = client.list_findings(
        maxResults=100,
        nextToken=page["nextToken"],
        filterCriteria={"resourceId": eq(resource_id(3))},
    )
    assert len(rest["findings"]) == 93
    assert "nextToken" not in rest
    assert not {f["findingArn"] for f in page["findings"]} & {
        f["findingArn"] for f in rest["findings"]
    }


def test_string_filters_equals_prefix_and_not_equals(client: Any) -> None:
    one = {"resourceId": eq(resource_id(7))}
    critical = every(client, filterCriteria={**one, "severity": eq("CRITICAL")})
    assert vids(critical) == [v for v in range(100) if fleet.severity(v) == "CRITICAL"]
    prefix = [{"comparison": "PREFIX", "value": "CVE-2024-1001"}]
    assert vids(every(client, filterCriteria={**one, "vulnerabilityId": prefix})) == list(
        range(10, 20)
    )
    not_low = [{"comparison": "NOT_EQUALS", "value": "LOW"}]
    found = every(client, filterCriteria={**one, "severity": not_low})
    assert vids(found) == [v for v in range(100) if fleet.severity(v) != "LOW"]
    both = [*eq("CRITICAL"), *eq("HIGH")]  # positive filters of one key are OR-ed
    found = every(client, filterCriteria={**one, "severity": both})
    assert vids(found) == [v for v in range(100) if fleet.severity(v) in ("CRITICAL", "HIGH")]


def test_number_filters(client: Any) -> None:
    one = {"resourceId": eq(resource_id(11))}
    scored = every(
        client,
        filterCriteria={**one, "inspectorScore": [{"lowerInclusive": 9.0, "upperInclusive": 9.8}]},
    )
    expected = [v for v in range(100) if fleet.severity(v) != "UNTRIAGED" and fleet.score(v) >= 9]
    assert vids(scored) == expected
    likely = every(client, filterCriteria={**one, "epssScore": [{"lowerInclusive": 0.095}]})
    assert vids(likely) == list(range(95, 100))


def test_date_filters(client: Any) -> None:
    day_one = [
        {"startInclusive": T0 + timedelta(hours=23), "endInclusive": T0 + timedelta(hours=25)}
    ]
    found = every(
        client, filterCriteria={"vulnerabilityId": eq(fleet.vid(3)), "firstObservedAt": day_one}
    )
    expected = {resource_id(r) for r in range(fleet.RESOURCES) if fleet.round_of(r) == 1}
    assert {f["resources"][0]["id"] for f in found} == expected
    assert all(
        f["firstObservedAt"].timestamp() == (T0 + timedelta(days=1)).timestamp() for f in found
    )


def test_map_filter_on_resource_tags(client: Any) -> None:
    one_vuln = {"vulnerabilityId": eq(fleet.vid(0))}
    payments = [{"comparison": "EQUALS", "key": "team", "value": "payments"}]
    found = every(client, filterCriteria={**one_vuln, "resourceTags": payments})
    expected = {resource_id(r) for r in range(fleet.RESOURCES) if r % 5 == 0}
    assert {f["resources"][0]["id"] for f in found} == expected
    key_only = [{"comparison": "EQUALS", "key": "team"}]
    assert len(every(client, filterCriteria={**one_vuln, "resourceTags": key_only})) == 20
    nobody = [{"comparison": "EQUALS", "key": "team", "value": "nobody"}]
    assert every(client, filterCriteria={**one_vuln, "resourceTags": nobody}) == []


def test_package_filters(client: Any) -> None:
    one = {"resourceId": eq(resource_id(6))}
    zlib = {"name": eq("zlib1g")[0], "version": {"comparison": "PREFIX", "value": "1.2."}}
    found = every(client, filterCriteria={**one, "vulnerablePackages": [zlib]})
    assert vids(found) == [v for v in range(100) if v % 7 == 2]
    with_epoch = {**zlib, "epoch": {"lowerInclusive": 1, "upperInclusive": 1}}
    found = every(client, filterCriteria={**one, "vulnerablePackages": [with_epoch]})
    assert vids(found) == [v for v in range(100) if v % 7 == 2 and v % 2 == 1]
    other_version = {"name": eq("zlib1g")[0], "version": {"comparison": "PREFIX", "value": "1.3."}}
    assert every(client, filterCriteria={**one, "vulnerablePackages": [other_version]}) == []


def test_the_neighbour_account_is_never_listed(client: Any) -> None:
    foreign = every(client, filterCriteria={"awsAccountId": eq(fleet.NEIGHBOUR)})
    assert foreign == []


def _res(f: dict[str, Any]) -> dict[str, Any]:
    return f["resources"][0]


def _ecr(f: dict[str, Any]) -> dict[str, Any]:
    return _res(f).get("details", {}).get("awsEcrContainerImage", {})


SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "AWS_ACCOUNT_ID": lambda f: f["awsAccountId"],
    "FINDING_TYPE": lambda f: f["type"],
    "SEVERITY": lambda f: RANK[f["severity"]],
    "FIRST_OBSERVED_AT": lambda f: f["firstObservedAt"],
    "LAST_OBSERVED_AT": lambda f: f["lastObservedAt"],
    "FINDING_STATUS": lambda f: f["status"],
    "RESOURCE_TYPE": lambda f: _res(f)["type"],
    "ECR_IMAGE_PUSHED_AT": lambda f: _ecr(f).get("pushedAt"),
    "ECR_IMAGE_REPOSITORY_NAME": lambda f: _ecr(f).get("repositoryName"),
    "ECR_IMAGE_REGISTRY": lambda f: _ecr(f).get("registry"),
    "NETWORK_PROTOCOL": lambda f: None,
    "COMPONENT_TYPE": lambda f: None,
    "VULNERABILITY_ID": lambda f: f["packageVulnerabilityDetails"]["vulnerabilityId"],
    "VULNERABILITY_SOURCE": lambda f: f["packageVulnerabilityDetails"]["source"],
    "INSPECTOR_SCORE": lambda f: f.get("inspectorScore"),
    "VENDOR_SEVERITY": lambda f: f["packageVulnerabilityDetails"]["vendorSeverity"],
    "EPSS_SCORE": lambda f: f["epss"]["score"],
}
# Six vulnerabilities spanning every severity (24 is untriaged, without a score) on the twenty
# resources of team payments, of all three resource types and all four observation rounds.
SORT_SET = {
    "vulnerabilityId": [eq(fleet.vid(v))[0] for v in (3, 24, 10, 46, 42, 44)],
    "resourceTags": [{"comparison": "EQUALS", "key": "team", "value": "payments"}],
}


def test_the_sort_fields_match_the_model() -> None:
    from vigil.api.models import service_model

    assert set(SORT_KEYS) == set(service_model("inspector2").shape_for("SortField").enum)


@pytest.mark.parametrize("order", ["ASC", "DESC"])
@pytest.mark.parametrize("field", sorted(SORT_KEYS))
def test_sorting_by_each_field(client: Any, field: str, order: str) -> None:
    found = every(
        client, filterCriteria=SORT_SET, sortCriteria={"field": field, "sortOrder": order}
    )
    assert len(found) == 120
    key = SORT_KEYS[field]
    valued = [f for f in found if key(f) is not None]
    missing = [f for f in found if key(f) is None]
    descending = order == "DESC"
    # Ties go by finding id in the sort's direction; these ARNs' ids grow with insertion.
    expected = sorted(valued, key=lambda f: (key(f), f["findingArn"]), reverse=descending)
    expected += sorted(missing, key=lambda f: f["findingArn"], reverse=descending)
    assert [f["findingArn"] for f in found] == [f["findingArn"] for f in expected]


def test_invalid_requests_raise_validation_exception(api: LiveApi, client: Any) -> None:
    loose = api.client(api.create_key(fleet.ACCOUNT, "read-only"), validate=False)
    with pytest.raises(client.exceptions.ValidationException) as bad_token:
        client.list_findings(nextToken="not-a-token")
    assert bad_token.value.response["reason"] == "FIELD_VALIDATION_FAILED"
    assert bad_token.value.response["fields"][0]["name"] == "nextToken"
    first = client.list_findings(maxResults=1)
    with pytest.raises(client.exceptions.ValidationException):
        client.list_findings(nextToken=first["nextToken"], filterCriteria={"severity": eq("LOW")})
    with pytest.raises(loose.exceptions.ValidationException) as too_many:
        loose.list_findings(maxResults=101)
    assert too_many.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(loose.exceptions.ValidationException) as empty:
        loose.list_findings(filterCriteria={"severity": eq("")})
    assert "filterCriteria.severity" in empty.value.response["fields"][0]["name"]
    with pytest.raises(loose.exceptions.ValidationException):
        loose.list_findings(filterCriteria={"severity": [{"comparison": "LIKE", "value": "x"}]})
    with pytest.raises(ParamValidationError):  # botocore itself refuses this one
        client.list_findings(maxResults=0)


EXAMPLE_FILTERS: dict[str, dict[str, Any]] = {
    "StringFilter": {"comparison": "NOT_EQUALS", "value": "nothing-has-this"},
    "DateFilter": {"startInclusive": T0 - timedelta(days=3650)},
    "NumberFilter": {"lowerInclusive": -1.0},
    "MapFilter": {"comparison": "EQUALS", "key": "env"},
    "PortRangeFilter": {"beginInclusive": 0, "endInclusive": 65535},
    "PackageFilter": {"name": {"comparison": "PREFIX", "value": "o"}},
}


def test_every_filter_criteria_key_of_the_model_is_served(client: Any) -> None:
    from vigil.api.models import service_model

    shape = service_model("inspector2").shape_for("FilterCriteria")
    one = {"resourceId": eq(resource_id(0))}
    for key, member in shape.members.items():
        if key == "resourceId":
            continue
        example = EXAMPLE_FILTERS[member.member.name]
        page = client.list_findings(maxResults=1, filterCriteria={**one, key: [example]})
        # Whatever matches, it is this resource's: the key was understood and AND-ed.
        assert all(f["resources"][0]["id"] == resource_id(0) for f in page["findings"]), key
        if member.member.name == "StringFilter":
            # No finding has this value, so every one passes (absent values included).
            assert len(page["findings"]) == 1, key
