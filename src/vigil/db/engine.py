"""Open the service database: SQLite (WAL) embedded by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from vigil.db.types import encode_json

# How long a SQLite writer waits for another writer's lock before failing.
DEFAULT_BUSY_TIMEOUT_MS = 30_000
# A write-ahead log this long (pages of 4 KiB: 128 MiB) is checkpointed by the writer that
# grew it; a log left longer than WAL_KEPT_BYTES after a checkpoint is truncated to it.
WAL_BACKSTOP_PAGES = 32_768
WAL_KEPT_BYTES = 64 * 1024 * 1024


_BEGIN = "vigil_sqlite_begin"


class UnsupportedDatabase(ValueError):
    """The URL names a database Vigil does not run on."""


def database_url(url: str | URL) -> URL:
    """Normalise a database URL: ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend in {"postgresql", "postgres"}:
        if driver not in {"", "psycopg"}:
            raise UnsupportedDatabase(f"PostgreSQL is used through psycopg 3, not {driver}")
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in {"", "pysqlite"}:
            raise UnsupportedDatabase(f"SQLite is used through the sqlite3 module, not {driver}")
        return parsed.set(drivername="sqlite+pysqlite")
    raise UnsupportedDatabase(f"not a supported database: {parsed.drivername}")


def open_engine(
    url: str | URL, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, echo: bool = False
) -> Engine:
    """An Engine for the service database at ``url``."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, echo)
    return _postgresql_engine(parsed, echo)


def _postgresql_engine(url: URL, echo: bool) -> Engine:
    # No JIT compilation: PostgreSQL compiles a query's expressions once its estimated cost
    # passes jit_above_cost, and the service's queries that pass it (a ListFindings page that
    # sorts or filters one account's findings without an index, an aggregation over all of them)
    # spent 50-300 ms more with it at 1,000,000 findings and none ran faster.
    given = url.query.get("options")
    options = " ".join(o for o in (given if isinstance(given, str) else None, "-c jit=off") if o)
    return create_engine(
        url,
        pool_pre_ping=True,
        echo=echo,
        connect_args={"options": options},
        json_serializer=encode_json,
    )


def _sqlite_engine(url: URL, busy_timeout_ms: int, echo: bool) -> Engine:
    if url.database in {None, "", ":memory:"}:
        # Each pooled connection would see its own empty in-memory database.
        raise UnsupportedDatabase("the service database must be a file")
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_timeout_ms / 1000},
        json_serializer=encode_json,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that DDL
        # and SAVEPOINTs are transactional (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # WAL with synchronous=NORMAL is durable against a crashed process, which is the
            # failure Vigil must survive; only a power loss may lose the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Writers checkpoint the log themselves only past this backstop; below it a
            # ``WalCheckpointer`` does it off their path (see vigil.db.checkpoint).
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN, "BEGIN"))

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write, committed on success and rolled back on error.

    On SQLite it takes the write lock at BEGIN (``BEGIN IMMEDIATE``): a transaction that reads
    first and writes later would otherwise fail, without waiting, when another writer committed
    in between. PostgreSQL needs nothing special.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})
        with connection.begin():
            yield connection
