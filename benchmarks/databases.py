"""A throwaway service database for a benchmark run: a SQLite file in a directory, or a fresh
PostgreSQL database on the local server, dropped afterwards even when the run fails."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from vigil.db.engine import open_engine

_ADMIN = "host=127.0.0.1 user=postgres dbname=postgres"


@contextmanager
def bench_database(backend: str, directory: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{directory / 'vigil.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    name = f"vigil_bench_{secrets.token_hex(4)}"
    with psycopg.connect(_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = open_engine(f"postgresql://postgres@127.0.0.1/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
