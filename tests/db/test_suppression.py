"""Suppression rules on stored findings: applied at once, changed, deleted; SQL vs reference."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, func, insert, select

from tests.db import criteria_strategies, query_data
from vigil.db import suppression
from vigil.db.tables import accounts, filters, finding_history, finding_suppressions, findings
from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria
from vigil.findings.criteria import Suppressor, finding_view, matches

DATA = query_data.build(seed=11, n_findings=200)
ADMIN, MEMBER, OTHER = query_data.ACCOUNTS
NOW = datetime(2025, 6, 1, tzinfo=UTC)
NAMES = itertools.count()
# Applying a rule moves updatedAt, so a rule on updatedAt depends on the order rules were applied.
NOT_UPDATED_AT = frozenset({"updatedAt"})


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    with db_engine.begin() as connection:
        connection.execute(
            insert(accounts),
            [
                {
                    "account_id": a,
                    "status": "ENABLED",
                    "scan_types": {},
                    "created_at": NOW,
                    "updated_at": NOW,
                    "delegated_admin_id": ADMIN if a == MEMBER else None,
                }
                for a in query_data.ACCOUNTS
            ],
        )
        # Start from "no rules": nothing is suppressed yet.
        suppression.settle(connection, query_data.ACCOUNTS, NOW)
    return db_engine


def add_rule(engine: Engine, owner: str, wire: dict[str, Any], action: str = "SUPPRESS") -> int:
    name = f"r{next(NAMES)}"
    with engine.begin() as connection:
        rule_id = connection.execute(
            insert(filters).returning(filters.c.id),
            {
                "arn": f"arn:aws:inspector2:us-east-1:{owner}:owner/{owner}/filter/{name}",
                "account_id": owner,
                "name": name,
                "action": action,
                "criteria": wire,
                "tags": {},
                "created_at": NOW,
                "updated_at": NOW,
            },
        ).scalar_one()
        if action == "SUPPRESS":
            scope = suppression.governed_accounts(connection, owner)
            suppression.apply_rule(connection, rule_id, parse_filter_criteria(wire), scope, NOW)
    return int(rule_id)


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(findings.c.finding_arn, findings.c.status)).all())


def reference(rules: list[tuple[FilterCriteria, set[str]]]) -> dict[str, str]:
    """Status each finding should have under the rules (criteria, accounts governed)."""
    out = {}
    for view in DATA.views:
        status = "ACTIVE" if view["status"] == "SUPPRESSED" else view["status"]
        seen = finding_view(view, state={"status": status})
        hit = any(view["awsAccountId"] in scope and matches(c, seen) for c, scope in rules)
        out[view["findingArn"]] = "SUPPRESSED" if status == "ACTIVE" and hit else status
    return out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=criteria_strategies.criteria(DATA.views, max_keys=2, exclude=NOT_UPDATED_AT),
    second=criteria_strategies.criteria(DATA.views, max_keys=2, exclude=NOT_UPDATED_AT),
)
def test_rules_apply_at_once_and_deleting_one_restores_its_findings(
    stored: Engine, first: dict[str, Any], second: dict[str, Any]
) -> None:
    with stored.begin() as connection:
        connection.execute(finding_suppressions.delete())
        connection.execute(filters.delete())
        suppression.settle(connection, query_data.ACCOUNTS, NOW)
    a = add_rule(stored, ADMIN, first)
    add_rule(stored, OTHER, second)
    governed = {ADMIN, MEMBER}
    c1, c2 = parse_filter_criteria(first), parse_filter_criteria(second)
    assert statuses(stored) == reference([(c1, governed), (c2, {OTHER})])
    with stored.begin() as connection:
        suppression.remove_rule(connection, a, governed, NOW)
        connection.execute(filters.delete().where(filters.c.id == a))
    assert statuses(stored) == reference([(c2, {OTHER})])


def test_updating_a_rule_moves_its_suppression_and_keeps_history(stored: Engine) -> None:
    high = {"severity": [{"comparison": "EQUALS", "value": "HIGH"}]}
    low = {"severity": [{"comparison": "EQUALS", "value": "LOW"}]}
    rule = add_rule(stored, ADMIN, high)
    add_rule(stored, ADMIN, {"severity": [{"comparison": "PREFIX", "value": "HI"}]})
    before = statuses(stored)
    suppressed_high = {a for a, s in before.items() if s == "SUPPRESSED"}
    assert suppressed_high
    with stored.begin() as connection:
        suppression.apply_rule(connection, rule, parse_filter_criteria(low), {ADMIN, MEMBER}, NOW)
    after = statuses(stored)
    # HIGH findings stay suppressed by the second rule; LOW ones join them.
    assert suppressed_high <= {a for a, s in after.items() if s == "SUPPRESSED"}
    assert after == reference(
        [
            (parse_filter_criteria(low), {ADMIN, MEMBER}),
            (parse_filter_criteria(high), {ADMIN, MEMBER}),
        ]
    )
    with stored.connect() as connection:
        reasons = dict(
            connection.execute(
                select(finding_history.c.reason, func.count()).group_by(finding_history.c.reason)
            ).all()
        )
    assert reasons["SUPPRESSED_BY_RULE"] == sum(1 for s in after.values() if s == "SUPPRESSED")


def test_closed_findings_are_never_suppressed(stored: Engine) -> None:
    add_rule(stored, OTHER, {"findingStatus": [{"comparison": "EQUALS", "value": "CLOSED"}]})
    add_rule(stored, ADMIN, {"awsAccountId": [{"comparison": "PREFIX", "value": "1"}]})
    after = statuses(stored)
    for view in DATA.views:
        if view["status"] == "CLOSED":
            assert after[view["findingArn"]] == "CLOSED"
        elif view["awsAccountId"] == ADMIN:
            assert after[view["findingArn"]] == "SUPPRESSED"


def test_rules_of_the_admin_reach_members_and_loader_feeds_the_suppressor(stored: Engine) -> None:
    wire = {"severity": [{"comparison": "EQUALS", "value": "CRITICAL"}]}
    rule = add_rule(stored, ADMIN, wire)
    add_rule(stored, ADMIN, {"severity": [{"comparison": "EQUALS", "value": "LOW"}]}, action="NONE")
    with stored.connect() as connection:
        member_rules = suppression.suppression_rules(connection, MEMBER)
        other_rules = suppression.suppression_rules(connection, OTHER)
    assert [r for r, _ in member_rules] == [rule]
    assert other_rules == []
    view = next(v for v in DATA.views if v["severity"] == "CRITICAL")
    assert Suppressor(member_rules)(view) == frozenset({rule})
