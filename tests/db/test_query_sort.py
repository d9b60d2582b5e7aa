"""ListFindings sorting by every SortField, and its nextToken, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.loaders
import pytest
from sqlalchemy import Engine

from tests.db import query_data
from tests.db.query_data import all_pages
from tests.db.test_query_oracle import DATA, EVERY_ACCOUNT
from vigil.db import page_token
from vigil.db.finding_query import Sort, SortField, SortOrder, list_findings
from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria

SHAPES = botocore.loaders.create_loader().load_service_model("inspector2", "service-2")["shapes"]


def _value(view: dict[str, Any], field: SortField) -> Any:
    res = view["resources"][0]
    ecr = res["details"].get("awsEcrContainerImage", {})
    pvd = view["packageVulnerabilityDetails"]
    steps = view.get("networkReachabilityDetails", {}).get("networkPath", {}).get("steps", [])
    return {
        SortField.AWS_ACCOUNT_ID: view["awsAccountId"],
        SortField.FINDING_TYPE: view["type"],
        SortField.SEVERITY: query_data.RANK[view["severity"]],
        SortField.FIRST_OBSERVED_AT: view["firstObservedAt"],
        SortField.LAST_OBSERVED_AT: view["lastObservedAt"],
        SortField.FINDING_STATUS: view["status"],
        SortField.RESOURCE_TYPE: res["type"],
        SortField.ECR_IMAGE_PUSHED_AT: ecr.get("pushedAt"),
        SortField.ECR_IMAGE_REPOSITORY_NAME: ecr.get("repositoryName"),
        SortField.ECR_IMAGE_REGISTRY: ecr.get("registry"),
        SortField.NETWORK_PROTOCOL: view.get("networkReachabilityDetails", {}).get("protocol"),
        SortField.COMPONENT_TYPE: steps[0]["componentType"] if steps else None,
        SortField.VULNERABILITY_ID: pvd["vulnerabilityId"],
        SortField.VULNERABILITY_SOURCE: pvd["source"],
        SortField.INSPECTOR_SCORE: view.get("inspectorScore"),
        SortField.VENDOR_SEVERITY: pvd.get("vendorSeverity"),
        SortField.EPSS_SCORE: view.get("epss", {}).get("score"),
    }[field]


def expected_order(sort: Sort) -> list[str]:
    """Values in the sort's direction, ties by id the same way, findings without a value last."""
    desc = sort.order is SortOrder.DESC
    keyed = [
        (_value(v, sort.field), DATA.ids[v["findingArn"]], v["findingArn"]) for v in DATA.views
    ]
    present = sorted(
        (k for k in keyed if k[0] is not None), key=lambda k: (k[0], k[1]), reverse=desc
    )
    absent = sorted((k for k in keyed if k[0] is None), key=lambda k: k[1], reverse=desc)
    return [k[2] for k in present + absent]


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    return db_engine


def test_sort_fields_are_botocores() -> None:
    assert [f.value for f in SortField] == SHAPES["SortField"]["enum"]
    assert [o.value for o in SortOrder] == SHAPES["SortOrder"]["enum"]


@pytest.mark.parametrize("order", list(SortOrder))
@pytest.mark.parametrize("field", list(SortField))
def test_every_sort_field_pages_in_order(
    stored: Engine, field: SortField, order: SortOrder
) -> None:
    sort = Sort(field, order)
    got = all_pages(stored, FilterCriteria(), sort=sort, page=23)
    assert got == expected_order(sort)


def test_a_token_is_bound_to_its_criteria_and_sort(stored: Engine) -> None:
    high = parse_filter_criteria({"severity": [{"comparison": "EQUALS", "value": "HIGH"}]})
    with stored.connect() as connection:
        first = list_findings(connection, EVERY_ACCOUNT, high, max_results=5)
        assert first.next_token is not None
        for criteria, sort in [
            (FilterCriteria(), None),
            (high, Sort(SortField.SEVERITY, SortOrder.ASC)),
        ]:
            with pytest.raises(page_token.InvalidToken):
                list_findings(
                    connection, EVERY_ACCOUNT, criteria, sort=sort, next_token=first.next_token
                )
        again = list_findings(
            connection, EVERY_ACCOUNT, high, max_results=5, next_token=first.next_token
        )
        assert {r.id for r in again.rows}.isdisjoint({r.id for r in first.rows})


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "e30", base64.urlsafe_b64encode(b"[1,2]").decode(), "A" * 5000],
)
def test_malformed_tokens_are_refused(stored: Engine, token: str) -> None:
    with stored.connect() as connection:
        if token == "":
            # An empty token means "from the start", as botocore sends none at all.
            assert list_findings(connection, EVERY_ACCOUNT, FilterCriteria()).rows
            return
        with pytest.raises(page_token.InvalidToken):
            list_findings(connection, EVERY_ACCOUNT, FilterCriteria(), next_token=token)


def test_a_forged_key_of_the_wrong_type_is_refused(stored: Engine) -> None:
    sort = Sort(SortField.FIRST_OBSERVED_AT, SortOrder.DESC)
    with stored.connect() as connection:
        page = list_findings(connection, EVERY_ACCOUNT, FilterCriteria(), sort=sort, max_results=2)
        assert page.next_token is not None
        raw = json.loads(base64.urlsafe_b64decode(page.next_token + "=" * 4))
        raw["k"] = "yesterday"
        forged = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()
        with pytest.raises(page_token.InvalidToken):
            list_findings(connection, EVERY_ACCOUNT, FilterCriteria(), sort=sort, next_token=forged)


@pytest.mark.parametrize("size", [0, 101])
def test_max_results_bounds(stored: Engine, size: int) -> None:
    assert SHAPES["ListFindingsMaxResults"]["max"] == 100
    with stored.connect() as connection, pytest.raises(ValueError, match="maxResults"):
        list_findings(connection, EVERY_ACCOUNT, FilterCriteria(), max_results=size)


def test_no_accounts_no_findings(stored: Engine) -> None:
    with stored.connect() as connection:
        assert list_findings(connection, (), FilterCriteria()).rows == ()
