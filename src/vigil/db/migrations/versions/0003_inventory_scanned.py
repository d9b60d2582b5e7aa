"""Inventories keep their small columns before the document, on SQLite.

Re-evaluation reads ``scanned_at`` of thousands of inventories without their documents. SQLite
stores a row's columns in order and reads a column by walking past the ones before it, so a
``scanned_at`` stored after a 40 KB ``document`` cost a walk through the document's overflow
pages (25 ms per 500 rows, against 1 ms in front of it). An index covering ``scanned_at`` would
not help: SQLite always reaches a row through its integer primary key when it can. So the table is
rebuilt with the document last. PostgreSQL keeps large values out of line already: nothing to do.

Revision ID: 0003_inventory_scanned
Revises: 0002_query_indexes
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0003_inventory_scanned"
down_revision: str | None = "0002_query_indexes"
branch_labels: str | None = None
depends_on: str | None = None

_SMALL_FIRST = (
    "resource_pk",
    "package_count",
    "understood",
    "scanned_at",
    "catalogers",
    "document",
)
_AS_CREATED = ("resource_pk", "document", "package_count", "catalogers", "understood", "scanned_at")


def _rebuild(order: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("inventories", recreate="always", partial_reordering=[order]):
        pass


def upgrade() -> None:
    _rebuild(_SMALL_FIRST)


def downgrade() -> None:
    _rebuild(_AS_CREATED)
