"""Which accounts' data one API caller may read and change.

Every findings, filters and coverage call goes through :func:`visible_accounts`, so the rule
lives in one place: the caller's own account, plus its members when it is a delegated
administrator. Nothing else ever widens a query.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from vigil.db.suppression import governed_accounts
from vigil.service.api_context import Caller


def visible_accounts(engine: Engine, caller: Caller) -> frozenset[str]:
    with engine.connect() as connection:
        return frozenset(governed_accounts(connection, caller.account_id))
