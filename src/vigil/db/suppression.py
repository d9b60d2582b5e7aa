"""Suppression rules applied to stored findings at once, in SQL.

A finding is SUPPRESSED while at least one SUPPRESS rule links to it in ``finding_suppressions``;
when the last link goes (the rule was deleted, changed, or turned into a plain filter) it is
ACTIVE again. CLOSED findings are left alone: suppression never closes or reopens anything. A
rule's ``findingStatus`` filter sees a suppressed finding as ACTIVE, the status it would have
without rules, so a rule never un-matches the findings it suppressed itself. New findings are
checked in memory as they are created (``vigil.findings.criteria.Suppressor``, built from
``suppression_rules``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    exists,
    insert,
    literal,
    or_,
    select,
    update,
)

from vigil.db.finding_query import scope
from vigil.db.finding_sql import criteria_condition
from vigil.db.tables import (
    accounts,
    filters,
    finding_history,
    finding_suppressions,
    findings,
    resources,
)
from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria

F, S = findings.c, finding_suppressions.c

# What a suppression rule's findingStatus filter compares with.
UNSUPPRESSED_STATUS: ColumnElement[Any] = case((F.status == "SUPPRESSED", "ACTIVE"), else_=F.status)


def governed_accounts(connection: Connection, owner: str) -> set[str]:
    """The accounts whose findings ``owner``'s rules apply to: itself and its members."""
    members = select(accounts.c.account_id).where(accounts.c.delegated_admin_id == owner)
    return {owner, *connection.execute(members).scalars()}


def suppression_rules(connection: Connection, account_id: str) -> list[tuple[int, FilterCriteria]]:
    """The SUPPRESS rules that apply to findings of ``account_id`` (its own and its admin's)."""
    admin = select(accounts.c.delegated_admin_id).where(accounts.c.account_id == account_id)
    owners = or_(
        filters.c.account_id == account_id, filters.c.account_id.in_(admin.scalar_subquery())
    )
    query = select(filters.c.id, filters.c.criteria).where(filters.c.action == "SUPPRESS", owners)
    return [
        (int(rule_id), parse_filter_criteria(criteria))
        for rule_id, criteria in connection.execute(query.order_by(filters.c.id))
    ]


def apply_rule(
    connection: Connection,
    rule_id: int,
    criteria: FilterCriteria,
    accounts_in_scope: Collection[str],
    now: datetime,
) -> None:
    """Make ``rule_id`` suppress exactly the open findings it matches (create or update)."""
    dialect = connection.dialect.name
    matching = (
        select(F.id)
        .select_from(findings.join(resources, resources.c.id == F.resource_pk))
        .where(
            scope(accounts_in_scope),
            F.status != "CLOSED",
            criteria_condition(criteria, dialect, status=UNSUPPRESSED_STATUS),
        )
    )
    connection.execute(
        delete(finding_suppressions).where(S.filter_id == rule_id, S.finding_id.not_in(matching))
    )
    linked = exists().where(S.finding_id == F.id, S.filter_id == rule_id)
    new_links = matching.where(~linked).add_columns(literal(rule_id))
    connection.execute(
        insert(finding_suppressions).from_select(["finding_id", "filter_id"], new_links)
    )
    settle(connection, accounts_in_scope, now)


def remove_rule(
    connection: Connection, rule_id: int, accounts_in_scope: Collection[str], now: datetime
) -> None:
    """Take ``rule_id``'s suppression away (the rule is deleted or becomes a plain filter)."""
    connection.execute(delete(finding_suppressions).where(S.filter_id == rule_id))
    settle(connection, accounts_in_scope, now)


def settle(connection: Connection, accounts_in_scope: Collection[str], now: datetime) -> None:
    """Bring statuses in line with the links, recording each change in the history."""
    suppressed = exists().where(S.finding_id == F.id)
    _move(
        connection, accounts_in_scope, now, "ACTIVE", "SUPPRESSED", suppressed, "SUPPRESSED_BY_RULE"
    )
    _move(connection, accounts_in_scope, now, "SUPPRESSED", "ACTIVE", ~suppressed, "UNSUPPRESSED")


def _move(
    connection: Connection,
    accounts_in_scope: Collection[str],
    now: datetime,
    source: str,
    target: str,
    condition: ColumnElement[bool],
    reason: str,
) -> None:
    where = and_(scope(accounts_in_scope), F.status == source, condition)
    history = select(
        F.id,
        F.finding_arn,
        F.account_id,
        literal(now, finding_history.c.at.type),
        literal(source),
        literal(target),
        literal(reason),
    ).where(where)
    columns = [
        "finding_id",
        "finding_arn",
        "account_id",
        "at",
        "from_status",
        "to_status",
        "reason",
    ]
    connection.execute(insert(finding_history).from_select(columns, history))
    connection.execute(update(findings).where(where).values(status=target, updated_at=now))
