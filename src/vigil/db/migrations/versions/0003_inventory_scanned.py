"""Inventories remember their named packages, and keep their small columns before the document.

``named_keys`` and ``named_packages`` hold the packages of the inventory that some advisory
named when it was stored or last re-read (see ``vigil.service.package_cache``): re-evaluating a
fleet after a restart reads those few entries instead of decoding every 40 KB document. They are
NULL until known.

Re-evaluation reads ``scanned_at`` and those columns without the document. SQLite stores a
row's columns in order and reads a column by walking past the ones before it, so anything stored
after the document cost a walk through its overflow pages (25 ms per 500 rows, against 1 ms in
front of it); an index would not help, SQLite always reaches a row through its integer primary
key when it can. So on SQLite the table is rebuilt with the document last. PostgreSQL keeps
large values out of line already.

Revision ID: 0003_inventory_scanned
Revises: 0002_query_indexes
Create Date: 2026-11-22
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.dialects import postgresql

revision = "0003_inventory_scanned"
down_revision: str | None = "0002_query_indexes"
branch_labels: str | None = None
depends_on: str | None = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_SMALL_FIRST = (
    "resource_pk",
    "package_count",
    "understood",
    "scanned_at",
    "catalogers",
    "named_keys",
    "named_packages",
    "document",
)
_AS_CREATED = ("resource_pk", "document", "package_count", "catalogers", "understood", "scanned_at")


def _rebuilt(order: tuple[str, ...]) -> AbstractContextManager[BatchOperations]:
    """A batch on inventories; on SQLite the table is rebuilt with its columns in ``order``."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table(
        "inventories",
        recreate="always" if sqlite else "auto",
        partial_reordering=[order] if sqlite else None,
    )


def upgrade() -> None:
    with _rebuilt(_SMALL_FIRST) as batch:
        batch.add_column(sa.Column("named_keys", _DOCUMENT, nullable=True))
        batch.add_column(sa.Column("named_packages", _DOCUMENT, nullable=True))


def downgrade() -> None:
    with _rebuilt(_AS_CREATED) as batch:
        batch.drop_column("named_packages")
        batch.drop_column("named_keys")
