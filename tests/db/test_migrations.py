"""Upgrading an empty database to head yields exactly the tables of vigil.db.tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Index, MetaData, String, inspect, text

from vigil.db import migrate
from vigil.db.engine import open_engine
from vigil.db.tables import findings, metadata


def _diff(engine: Engine, target: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, target))


def test_head_matches_the_tables(db_engine: Engine) -> None:
    assert migrate.current(db_engine) == migrate.head() == "0003_inventory_scanned"
    assert _diff(db_engine, metadata) == []
    tables = set(inspect(db_engine).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_the_comparison_sees_a_difference(db_engine: Engine) -> None:
    # A control: the no-diff assertion above is only worth something if a drift is reported.
    drifted = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(drifted)
    extra = drifted.tables["findings"]
    extra.append_column(Column("drift", String(8), nullable=True))
    Index("ix_findings_drift", extra.c.drift)
    kinds = {entry[0] for entry in _diff(db_engine, drifted) if isinstance(entry, tuple)}
    assert {"add_column", "add_index"} <= kinds


def test_upgrade_twice_is_a_no_op(db_engine: Engine) -> None:
    migrate.upgrade(db_engine)
    assert migrate.current(db_engine) == "0003_inventory_scanned"
    with db_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [("0003_inventory_scanned",)]


def test_findings_unique_per_resource_and_vulnerability() -> None:
    unique = {
        tuple(c.name for c in u.columns) for u in findings.constraints if hasattr(u, "columns")
    }
    assert ("resource_pk", "vulnerability_id") in unique


def test_migrations_ship_only_python_files() -> None:
    shipped = [
        p for p in migrate.MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    assert shipped, "no migration files found"
    assert {p.suffix for p in shipped} == {".py"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_empty_then_downgrade(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    else:
        engine = open_engine(request.getfixturevalue("scratch_postgres_url"))
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert _diff(engine, metadata) == []
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
