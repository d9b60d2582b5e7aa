"""The visibility rule on a real database: self, plus members for the delegated administrator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from vigil.db.engine import write_transaction
from vigil.db.tables import accounts
from vigil.service.api_context import Caller
from vigil.service.database import open_database
from vigil.service.visibility import accounts_visible_to, may_act_for, visible_accounts

T = datetime(2026, 5, 1, tzinfo=UTC)
ADMIN, MEMBER, OTHER = "100000000001", "100000000002", "100000000003"


def test_admin_sees_members_and_members_see_only_themselves(tmp_path: Path) -> None:
    engine = open_database(tmp_path)
    try:
        with write_transaction(engine) as connection:
            for account, admin in ((ADMIN, None), (MEMBER, ADMIN), (OTHER, None)):
                connection.execute(
                    accounts.insert().values(
                        account_id=account,
                        status="ENABLED",
                        scan_types={},
                        delegated_admin_id=admin,
                        relationship_status="ENABLED" if admin else None,
                        created_at=T,
                        updated_at=T,
                    )
                )
        assert visible_accounts(engine, Caller(ADMIN, "admin", "K")) == {ADMIN, MEMBER}
        assert visible_accounts(engine, Caller(MEMBER, "admin", "K")) == {MEMBER}
        assert visible_accounts(engine, Caller(OTHER, "admin", "K")) == {OTHER}
        # An account with no row at all still sees (only) itself.
        assert visible_accounts(engine, Caller("999999999999", "admin", "K")) == {"999999999999"}
        with engine.connect() as connection:
            assert accounts_visible_to(connection, OTHER) == {OTHER}
            assert may_act_for(connection, ADMIN, MEMBER)
            assert may_act_for(connection, MEMBER, MEMBER)
            assert not may_act_for(connection, MEMBER, ADMIN)
            assert not may_act_for(connection, OTHER, MEMBER)
            assert not may_act_for(connection, ADMIN, OTHER)
    finally:
        engine.dispose()
