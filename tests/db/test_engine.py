"""Opening the service database: URL mapping, SQLite pragmas, UTC timestamps on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from vigil.db.engine import UnsupportedDatabase, database_url, open_engine, write_transaction
from vigil.db.tables import access_keys, request_nonces


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:////tmp/x.db", "sqlite+pysqlite"),
    ],
)
def test_urls_map_to_the_supported_drivers(given: str, driver: str) -> None:
    assert database_url(given).drivername == driver


@pytest.mark.parametrize(
    "given", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "sqlite://", "sqlite:///:memory:"]
)
def test_unsupported_databases_are_refused(given: str) -> None:
    with pytest.raises(UnsupportedDatabase):
        open_engine(given)


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    engine.dispose()


def test_foreign_keys_are_enforced(db_engine: Engine) -> None:
    row = {
        "access_key_id": "AKIAEXAMPLE000000001",
        "account_id": "123456789012",
        "role": "admin",
        "secret_encrypted": b"x",
        "status": "ACTIVE",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    with pytest.raises(IntegrityError), db_engine.begin() as connection:
        connection.execute(insert(access_keys).values(**row))


def test_timestamps_come_back_aware_in_utc(db_engine: Engine) -> None:
    local = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with db_engine.begin() as connection:
        connection.execute(insert(request_nonces).values(signature="a" * 64, seen_at=local))
    with db_engine.connect() as connection:
        seen = connection.execute(select(request_nonces.c.seen_at)).scalar_one()
    assert seen.tzinfo is not None
    assert seen.utcoffset() == timedelta(0)
    assert seen == local
    assert seen.hour == 10


def test_naive_timestamps_are_refused(db_engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db_engine.begin() as connection:
        connection.execute(
            insert(request_nonces).values(signature="b" * 64, seen_at=datetime(2026, 1, 1))
        )


def test_write_transaction_rolls_back_on_error(db_engine: Engine) -> None:
    def insert_then_fail() -> None:
        with write_transaction(db_engine) as connection:
            connection.execute(
                insert(request_nonces).values(signature="c" * 64, seen_at=datetime.now(UTC))
            )
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    with db_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM request_nonces")).scalar() == 0
