"""A covering index for an inventory's ``scanned_at``.

Re-evaluation reads ``scanned_at`` of thousands of inventories without their documents. SQLite
stores a row's columns in order, so reaching ``scanned_at`` past a large ``document`` walked the
document's overflow pages; this index answers from its own pages.

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


def upgrade() -> None:
    op.create_index("ix_inventories_resource_scanned", "inventories", ["resource_pk", "scanned_at"])


def downgrade() -> None:
    op.drop_index("ix_inventories_resource_scanned", table_name="inventories")
