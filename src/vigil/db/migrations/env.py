"""Alembic environment: migrations run on a connection handed over by vigil.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # SQLite alters tables by copying them; later revisions use batch operations for it.
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through vigil.db.migrate.upgrade(engine)")
    _run(connection)


_main()
