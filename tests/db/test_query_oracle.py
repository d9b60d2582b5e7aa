"""The SQL path of ListFindings agrees with the in-memory evaluator, on SQLite and PostgreSQL.

One varied dataset is stored per backend; hypothesis then draws criteria from its values (so
filters hit as well as miss) and every page of the SQL result is compared with the findings the
reference evaluator accepts.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.db import criteria_strategies, query_data
from tests.db.query_data import all_pages
from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria
from vigil.findings.criteria import matches

DATA = query_data.build()
EVERY_ACCOUNT = query_data.ACCOUNTS


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    return db_engine


def expected(criteria: FilterCriteria, accounts: tuple[str, ...] = EVERY_ACCOUNT) -> set[str]:
    return {
        v["findingArn"]
        for v in DATA.views
        if v["awsAccountId"] in accounts and matches(criteria, v)
    }


def test_dataset_is_varied() -> None:
    statuses = {v["status"] for v in DATA.views}
    kinds = {v["resources"][0]["type"] for v in DATA.views}
    assert statuses == {"ACTIVE", "SUPPRESSED", "CLOSED"}
    assert len(kinds) == 3
    assert any("networkReachabilityDetails" in v for v in DATA.views)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(wire=criteria_strategies.criteria(DATA.views))
def test_sql_agrees_with_the_evaluator(stored: Engine, wire: dict[str, Any]) -> None:
    criteria = parse_filter_criteria(wire)
    got = all_pages(stored, criteria)
    assert len(got) == len(set(got)), "a finding appeared on two pages"
    assert set(got) == expected(criteria), wire


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    wire=criteria_strategies.criteria(DATA.views, max_keys=1),
    accounts=st.lists(st.sampled_from(EVERY_ACCOUNT), max_size=2, unique=True).map(tuple),
)
def test_only_the_callers_accounts_are_read(
    stored: Engine, wire: dict[str, Any], accounts: tuple[str, ...]
) -> None:
    criteria = parse_filter_criteria(wire)
    got = all_pages(stored, criteria, accounts=accounts, page=37)
    assert set(got) == expected(criteria, accounts)
    owners = {v["findingArn"]: v["awsAccountId"] for v in DATA.views}
    assert {owners[a] for a in got} <= set(accounts)
