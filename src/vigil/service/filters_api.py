"""Saved filters and suppression rules: CreateFilter, UpdateFilter, ListFilters, DeleteFilter.

A filter belongs to the account that created it (its ``ownerId``) and only that account sees,
changes or deletes it; another account's ARN is answered as not found. A ``SUPPRESS`` rule
applies in the same transaction that saves it to every open finding it matches, of the owner
and, for a delegated administrator, of its members (``vigil.db.suppression``); new findings are
checked against the rules as they are created. Changing a rule re-applies it, and deleting it (or
turning it into a plain filter) returns its findings to ACTIVE unless another rule still holds
them. As in Inspector, a member account of an organisation may keep plain filters but not manage
suppression rules: that is its delegated administrator's job.

ARNs are ``arn:aws:inspector2:{region}:{account}:owner/{account}/filter/{16 hex}``, the form AWS
documents for its filters. Names follow CreateFilter's documented rule (3 to 64 letters, digits,
``.``, ``_`` or ``-``) and are unique per account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update
from sqlalchemy.engine import Engine

from vigil.db import page_token
from vigil.db.engine import write_transaction
from vigil.db.suppression import apply_rule, governed_accounts, remove_rule
from vigil.db.tables import accounts, filters
from vigil.domain.filter_criteria import FilterCriteria
from vigil.service.api_context import Caller
from vigil.service.findings_api import criteria_of
from vigil.service.request_errors import BadRequest, Denied, InvalidParameter, NotFound

NewId = Callable[[], str]
DEFAULT_MAX_RESULTS = 100
_NAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
_NAME_RULE = "must be 3 to 64 letters, digits, '.', '_' or '-' (no spaces)"
_EDITABLE = ("name", "description", "reason")


def new_filter_id() -> str:
    return secrets.token_hex(8)


def filter_arn(partition: str, region: str, account: str, filter_id: str) -> str:
    return f"arn:{partition}:inspector2:{region}:{account}:owner/{account}/filter/{filter_id}"


def create_filter(
    engine: Engine,
    caller: Caller,
    region: str,
    params: Mapping[str, Any],
    now: datetime,
    new_id: NewId = new_filter_id,
) -> dict[str, Any]:
    owner = caller.account_id
    name = params["name"]
    if not _NAME.fullmatch(name):
        raise BadRequest(f"Filter name {_NAME_RULE}")
    criteria = criteria_of(params["filterCriteria"])
    if not criteria:
        raise BadRequest("A filter needs at least one filter criterion")
    action = params["action"]
    arn = filter_arn("aws", region, owner, new_id())
    with write_transaction(engine) as connection:
        if action == "SUPPRESS":
            _may_suppress(connection, owner)
        if _named(connection, owner, name):
            raise BadRequest(f"A filter named {name!r} already exists in account {owner}")
        row = {
            "arn": arn,
            "account_id": owner,
            "name": name,
            "description": params.get("description"),
            "action": action,
            "reason": params.get("reason"),
            "criteria": criteria.to_wire(),
            "tags": dict(params.get("tags") or {}),
            "created_at": now,
            "updated_at": now,
        }
        inserted = connection.execute(insert(filters).values(**row).returning(filters.c.id))
        rule_id = int(inserted.scalar_one())
        if action == "SUPPRESS":
            _apply(connection, rule_id, criteria, owner, now)
    return {"arn": arn}


def update_filter(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    owner = caller.account_id
    arn = params["filterArn"]
    with write_transaction(engine) as connection:
        row = _owned(connection, owner, arn)
        changes: dict[str, Any] = {k: params[k] for k in _EDITABLE if params.get(k) is not None}
        name = changes.get("name")
        if name is not None and not _NAME.fullmatch(name):
            raise InvalidParameter("name", _NAME_RULE)
        if name is not None and name != row.name and _named(connection, owner, name):
            raise InvalidParameter("name", f"a filter named {name!r} already exists")
        criteria = criteria_of(row.criteria)
        if params.get("filterCriteria") is not None:
            criteria = criteria_of(params["filterCriteria"])
            if not criteria:
                raise InvalidParameter("filterCriteria", "must hold at least one criterion")
            changes["criteria"] = criteria.to_wire()
        action = params.get("action") or row.action
        changes["action"] = action
        if action == "SUPPRESS" or row.action == "SUPPRESS":
            _may_suppress(connection, owner)
        connection.execute(
            update(filters).where(filters.c.id == row.id).values(**changes, updated_at=now)
        )
        if action == "SUPPRESS":
            _apply(connection, row.id, criteria, owner, now)
        elif row.action == "SUPPRESS":
            remove_rule(connection, row.id, governed_accounts(connection, owner), now)
    return {"arn": arn}


def delete_filter(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    owner = caller.account_id
    arn = params["arn"]
    with write_transaction(engine) as connection:
        row = _owned(connection, owner, arn)
        if row.action == "SUPPRESS":
            _may_suppress(connection, owner)
            remove_rule(connection, row.id, governed_accounts(connection, owner), now)
        connection.execute(delete(filters).where(filters.c.id == row.id))
    return {"arn": arn}


def list_filters(engine: Engine, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's own filters, oldest first, limited to ``arns`` and ``action`` when given."""
    owner = caller.account_id
    arns = params.get("arns")
    action = params.get("action")
    limit = params.get("maxResults") or DEFAULT_MAX_RESULTS
    query = select(filters).where(filters.c.account_id == owner)
    if arns is not None:
        query = query.where(filters.c.arn.in_(sorted(set(arns))))
    if action is not None:
        query = query.where(filters.c.action == action)
    digest = hashlib.sha256(repr((sorted(set(arns or [])), arns is None, action)).encode())
    token = params.get("nextToken")
    if token:
        try:
            _, last_id = page_token.decode(token, digest.hexdigest())
        except page_token.InvalidToken:
            raise InvalidParameter("nextToken", "not a token issued for this listing") from None
        query = query.where(filters.c.id > last_id)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(filters.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "filters": [_filter(row._mapping) for row in rows],
        "nextToken": page_token.encode(digest.hexdigest(), None, rows[-1].id) if more else None,
    }


def _filter(row: RowMapping) -> dict[str, Any]:
    return {
        "arn": row["arn"],
        "ownerId": row["account_id"],
        "name": row["name"],
        "criteria": row["criteria"],
        "action": row["action"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "description": row["description"],
        "reason": row["reason"],
        "tags": dict(row["tags"] or {}) or None,
    }


def _owned(connection: Connection, owner: str, arn: str) -> Any:
    row = connection.execute(
        select(filters).where(filters.c.arn == arn, filters.c.account_id == owner)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No filter {arn} in account {owner}")
    return row


def _named(connection: Connection, owner: str, name: str) -> bool:
    query = select(filters.c.id).where(filters.c.account_id == owner, filters.c.name == name)
    return connection.execute(query).first() is not None


def _may_suppress(connection: Connection, owner: str) -> None:
    admin = connection.execute(
        select(accounts.c.delegated_admin_id).where(accounts.c.account_id == owner)
    ).scalar()
    if admin is not None:
        raise Denied(
            f"Account {owner} is a member of {admin}'s organisation; only the delegated "
            "administrator manages suppression rules"
        )


def _apply(
    connection: Connection, rule_id: int, criteria: FilterCriteria, owner: str, now: datetime
) -> None:
    apply_rule(connection, rule_id, criteria, governed_accounts(connection, owner), now)
