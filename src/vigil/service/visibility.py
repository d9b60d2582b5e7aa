"""Which accounts' data one caller may read and change: the one rule every handler asks.

An account sees itself. The organisation's delegated administrator also sees the accounts
associated with it as members (``accounts.delegated_admin_id``). Nothing else widens the set:
not a role, not the management account, not a former association. The organisation module keeps
``delegated_admin_id`` set only while its account is the enabled delegated administrator, so this
rule and the scope of suppression rules (``vigil.db.suppression.governed_accounts``) agree.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from vigil.db.tables import accounts
from vigil.service.api_context import Caller


def visible_accounts(engine: Engine, caller: Caller) -> frozenset[str]:
    """The account ids ``caller`` may read and write: its own, plus its members if it is the
    delegated administrator."""
    with engine.connect() as connection:
        return accounts_visible_to(connection, caller.account_id)


def accounts_visible_to(connection: Connection, account_id: str) -> frozenset[str]:
    """:func:`visible_accounts` inside an open transaction, for an account id."""
    members = select(accounts.c.account_id).where(accounts.c.delegated_admin_id == account_id)
    return frozenset({account_id, *connection.execute(members).scalars()})


def may_act_for(connection: Connection, account_id: str, target: str) -> bool:
    """Whether ``account_id`` may read or change ``target``'s data."""
    return target == account_id or admin_of(connection, target) == account_id


def admin_of(connection: Connection, account_id: str) -> str | None:
    """The delegated administrator whose member ``account_id`` is, if any."""
    query = select(accounts.c.delegated_admin_id).where(accounts.c.account_id == account_id)
    return connection.execute(query).scalar()
