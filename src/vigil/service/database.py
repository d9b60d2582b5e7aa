"""Which service database a command or server uses, opened and migrated to the current schema.

``--database-url`` wins, then ``VIGIL_DATABASE_URL``, then the embedded SQLite file
``vigil.db`` in the data directory (see :mod:`vigil.service.data_dir`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import Engine

from vigil.db.engine import open_engine
from vigil.db.migrate import upgrade

DATABASE_URL_ENV = "VIGIL_DATABASE_URL"
DATABASE_FILE = "vigil.db"


def database_url(
    data_dir: Path, url: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    env = os.environ if env is None else env
    chosen = url or env.get(DATABASE_URL_ENV)
    if chosen:
        return chosen
    return f"sqlite:///{data_dir / DATABASE_FILE}"


def open_database(data_dir: Path, url: str | None = None) -> Engine:
    """The service database, created if embedded and absent, with every migration applied."""
    resolved = database_url(data_dir, url)
    if resolved.startswith("sqlite"):
        data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(resolved)
    upgrade(engine)
    return engine
