"""Vigil's organisation: one management account, one delegated administrator, its members.

Inspector leans on AWS Organizations; Vigil has no such directory, so (ADR 11):

- The *management account* is the account of the first admin key ever issued (the key that
  setting up a server creates). Only it enables, disables and lists the delegated administrator.
- The *delegated administrator* (at most one, a row of ``organization``) associates any account
  of the installation as a member, sees and manages its members' data, and owns the organisation
  configuration (auto-enable, ECR rescan and EC2 scan mode inherited by members, deep
  inspection org paths).
- A *member* (``accounts.delegated_admin_id``) sees only itself. Disabling the delegated
  administrator dissociates every member at once, so no link outlives the role.

Which role a key needs (admin for changes) is the API's permission table; which *account* may
do what is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from vigil.db import page_token
from vigil.db.access_keys import ensure_account
from vigil.db.engine import write_transaction
from vigil.db.tables import access_keys, accounts, organization
from vigil.service.account_ids import check_account_id
from vigil.service.api_context import Caller
from vigil.service.configuration_store import inherit_all
from vigil.service.request_errors import Denied, InvalidParameter, NotFound
from vigil.service.scan_types import enable_types
from vigil.service.visibility import admin_of

MAX_MEMBERS = 10_000  # Inspector's limit of enabled members per delegated administrator
ASSOCIATED = "ENABLED"
REMOVED = "REMOVED"
DEFAULT_AUTO_ENABLE: dict[str, bool] = {
    "ec2": False,
    "ecr": False,
    "lambda": False,
    "lambdaCode": False,
}
DEFAULT_MEMBER_PAGE = 50
_MEMBERS = "list-members-v1"  # binds a nextToken to this listing


class MemberQuotaExceeded(Exception):
    """The delegated administrator already has :data:`MAX_MEMBERS` members."""


class AlreadyDelegated(Exception):
    """Another account is already the delegated administrator."""

    def __init__(self, admin: str) -> None:
        super().__init__(f"Account {admin} is already the delegated administrator")
        self.admin = admin


def management_account(connection: Connection) -> str | None:
    first = (
        select(access_keys.c.account_id)
        .where(access_keys.c.role == "admin")
        .order_by(access_keys.c.created_at, access_keys.c.access_key_id)
        .limit(1)
    )
    return connection.execute(first).scalar()


def delegated_admin(connection: Connection) -> str | None:
    return connection.execute(select(organization.c.admin_account_id).limit(1)).scalar()


def _require_management(connection: Connection, caller: Caller, action: str) -> None:
    if management_account(connection) != caller.account_id:
        raise Denied(f"Only the organisation's management account may {action}")


def _require_admin(connection: Connection, caller: Caller, action: str) -> None:
    if delegated_admin(connection) != caller.account_id:
        raise Denied(f"Only the organisation's delegated administrator may {action}")


def enable_delegated_admin(engine: Engine, caller: Caller, admin_id: str, now: datetime) -> str:
    check_account_id("delegatedAdminAccountId", admin_id)
    with write_transaction(engine) as connection:
        _require_management(connection, caller, "enable a delegated administrator")
        current = delegated_admin(connection)
        if current == admin_id:
            return admin_id  # a retried request (same clientToken) changes nothing
        if current is not None:
            raise AlreadyDelegated(current)
        if admin_of(connection, admin_id) is not None:
            raise InvalidParameter("delegatedAdminAccountId", "is a member of an organisation")
        ensure_account(connection, admin_id, now)
        connection.execute(
            insert(organization).values(
                admin_account_id=admin_id, auto_enable=dict(DEFAULT_AUTO_ENABLE), updated_at=now
            )
        )
    return admin_id


def disable_delegated_admin(engine: Engine, caller: Caller, admin_id: str, now: datetime) -> str:
    check_account_id("delegatedAdminAccountId", admin_id)
    with write_transaction(engine) as connection:
        _require_management(connection, caller, "disable the delegated administrator")
        if delegated_admin(connection) != admin_id:
            raise NotFound(f"Account {admin_id} is not the delegated administrator")
        connection.execute(
            update(accounts)
            .where(accounts.c.delegated_admin_id == admin_id)
            .values(delegated_admin_id=None, relationship_status=REMOVED, updated_at=now)
        )
        connection.execute(delete(organization).where(organization.c.admin_account_id == admin_id))
    return admin_id


def get_delegated_admin(engine: Engine, caller: Caller) -> dict[str, Any]:
    with engine.connect() as connection:
        admin = delegated_admin(connection)
        own = caller.account_id
        allowed = own in {management_account(connection), admin} or (
            admin is not None and admin_of(connection, own) == admin
        )
    if not allowed:
        raise Denied("Only the management account and the organisation's accounts may ask")
    if admin is None:
        return {}
    return {"delegatedAdmin": {"accountId": admin, "relationshipStatus": ASSOCIATED}}


def list_delegated_admins(engine: Engine, caller: Caller) -> dict[str, Any]:
    with engine.connect() as connection:
        _require_management(connection, caller, "list delegated administrators")
        admin = delegated_admin(connection)
    listed = [] if admin is None else [{"accountId": admin, "status": "ENABLED"}]
    return {"delegatedAdminAccounts": listed}


def associate_member(engine: Engine, caller: Caller, member_id: str, now: datetime) -> str:
    check_account_id("accountId", member_id)
    own = caller.account_id
    with write_transaction(engine) as connection:
        _require_admin(connection, caller, "associate members")
        if member_id == own:
            raise InvalidParameter("accountId", "the delegated administrator is not its own member")
        if admin_of(connection, member_id) == own:
            return member_id
        if _member_count(connection, own) >= MAX_MEMBERS:
            raise MemberQuotaExceeded(f"Account {own} already has {MAX_MEMBERS} members")
        ensure_account(connection, member_id, now)
        connection.execute(
            update(accounts)
            .where(accounts.c.account_id == member_id)
            .values(delegated_admin_id=own, relationship_status=ASSOCIATED, updated_at=now)
        )
        inherit_all(connection, member_id, now)
        auto = _auto_enable(connection, own)
        enable_types(connection, member_id, [kind for kind, on in auto.items() if on], now)
    return member_id


def disassociate_member(engine: Engine, caller: Caller, member_id: str, now: datetime) -> str:
    check_account_id("accountId", member_id)
    with write_transaction(engine) as connection:
        _require_admin(connection, caller, "disassociate members")
        if admin_of(connection, member_id) != caller.account_id:
            raise InvalidParameter("accountId", "is not a member of this organisation")
        connection.execute(
            update(accounts)
            .where(accounts.c.account_id == member_id)
            .values(delegated_admin_id=None, relationship_status=REMOVED, updated_at=now)
        )
    return member_id


def get_member(engine: Engine, caller: Caller, member_id: str) -> dict[str, Any]:
    check_account_id("accountId", member_id)
    with engine.connect() as connection:
        row = connection.execute(
            select(accounts).where(accounts.c.account_id == member_id)
        ).one_or_none()
    own = caller.account_id
    if (
        row is None
        or row.delegated_admin_id is None
        or own not in {member_id, row.delegated_admin_id}
    ):
        raise NotFound(f"Account {member_id} is not a member visible to account {own}")
    return {"member": _member(row._mapping)}


def list_members(engine: Engine, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's members by account id (none unless it is the delegated administrator).

    Vigil keeps no directory of an organisation's other accounts, so ``onlyAssociated=false``
    lists the same accounts as ``true``.
    """
    limit = int(params.get("maxResults") or DEFAULT_MEMBER_PAGE)
    after = _resume(params.get("nextToken"))
    query = select(accounts).where(accounts.c.delegated_admin_id == caller.account_id)
    if after is not None:
        query = query.where(accounts.c.account_id > after)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(accounts.c.account_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "members": [_member(row._mapping) for row in rows],
        "nextToken": page_token.encode(_MEMBERS, rows[-1].account_id, 0) if more else None,
    }


def describe_configuration(engine: Engine, caller: Caller) -> dict[str, Any]:
    with engine.connect() as connection:
        _require_admin(connection, caller, "describe the organisation configuration")
        auto = _auto_enable(connection, caller.account_id)
        full = _member_count(connection, caller.account_id) >= MAX_MEMBERS
    return {"autoEnable": auto, "maxAccountLimitReached": full}


def update_configuration(
    engine: Engine, caller: Caller, auto_enable: Mapping[str, bool], now: datetime
) -> dict[str, Any]:
    if auto_enable.get("codeRepository") or auto_enable.get("ami"):
        raise InvalidParameter("autoEnable", "Vigil scans no code repositories and no AMIs")
    with write_transaction(engine) as connection:
        _require_admin(connection, caller, "update the organisation configuration")
        auto = {**_auto_enable(connection, caller.account_id)}
        auto.update({k: bool(v) for k, v in auto_enable.items() if k in DEFAULT_AUTO_ENABLE})
        connection.execute(
            update(organization)
            .where(organization.c.admin_account_id == caller.account_id)
            .values(auto_enable=auto, updated_at=now)
        )
    return {"autoEnable": auto}


def _resume(token: str | None) -> str | None:
    if not token:
        return None
    try:
        after, _ = page_token.decode(token, _MEMBERS)
    except page_token.InvalidToken:
        raise InvalidParameter("nextToken", "not a token issued for this listing") from None
    if not isinstance(after, str):
        raise InvalidParameter("nextToken", "not a token issued for this listing")
    return after


def _auto_enable(connection: Connection, admin_id: str) -> dict[str, bool]:
    stored = connection.execute(
        select(organization.c.auto_enable).where(organization.c.admin_account_id == admin_id)
    ).scalar()
    return {**DEFAULT_AUTO_ENABLE, **(stored or {})}


def _member_count(connection: Connection, admin_id: str) -> int:
    query = select(func.count()).where(accounts.c.delegated_admin_id == admin_id)
    return int(connection.execute(query).scalar_one())


def _member(row: RowMapping) -> dict[str, Any]:
    return {
        "accountId": row["account_id"],
        "relationshipStatus": row["relationship_status"] or ASSOCIATED,
        "delegatedAdminAccountId": row["delegated_admin_id"],
        "updatedAt": row["updated_at"],
    }
