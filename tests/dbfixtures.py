"""Service database fixtures, shared by every test package (registered in tests/conftest.py).

``db_engine`` is parametrised over SQLite (a fresh file per test) and the PostgreSQL server on
this machine (one database per test session, created here and dropped at the end, so parallel
workers never meet; its tables are emptied before each test). A PostgreSQL that is not running is
a failure, never a skip: CI runs where it runs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from vigil.db.engine import open_engine
from vigil.db.migrate import upgrade
from vigil.db.tables import metadata

# libpq keywords for the server's maintenance database; override to point elsewhere.
PG_ADMIN = os.environ.get(
    "VIGIL_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
BACKENDS = ("sqlite", "postgresql")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is required for the store tests and is not reachable with "
            f"{PG_ADMIN!r} (set VIGIL_TEST_POSTGRES to other libpq keywords): {error}",
            pytrace=False,
        )


def _url_for(database: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(PG_ADMIN)
    host = params.get("host", "127.0.0.1")
    port = params.get("port", 5432)
    user = params.get("user", "postgres")
    return f"postgresql://{user}@{host}:{port}/{database}"


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """The URL of an empty PostgreSQL database that lives for this test session only."""
    name = f"vigil_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_engine(postgres_database_url: str) -> Iterator[Engine]:
    """The session's PostgreSQL database, migrated to head."""
    engine = open_engine(postgres_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_postgres(engine: Engine) -> None:
    """Remove every row of the service tables.

    DELETE rather than TRUNCATE: a test leaves a few rows, and TRUNCATE's new files and their
    fsyncs cost far more than deleting them.
    """
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def sqlite_engine_at(path: Path) -> Engine:
    """A migrated SQLite service database in a new file."""
    engine = open_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty service database on each backend."""
    if request.param == "sqlite":
        engine = sqlite_engine_at(tmp_path / "vigil.db")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    empty_postgres(engine)
    yield engine


@pytest.fixture
def scratch_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database of the test's own (for migration tests), dropped after it."""
    name = f"vigil_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
