"""Indexes for ListFindings sorted across several accounts (a delegated administrator's view).

Revision ID: 0002_query_indexes
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002_query_indexes"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

INDEXES = (
    ("ix_findings_rank_id", ["severity_rank", "id"]),
    ("ix_findings_status_rank_id", ["status", "severity_rank", "id"]),
    ("ix_findings_last_observed_id", ["last_observed_at", "id"]),
    ("ix_findings_first_observed_id", ["first_observed_at", "id"]),
    ("ix_findings_inspector_score_id", ["inspector_score", "id"]),
    ("ix_findings_epss_id", ["epss_score", "id"]),
    ("ix_findings_vulnerability_id_id", ["vulnerability_id", "id"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "findings", columns)


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="findings")
