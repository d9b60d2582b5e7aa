"""One account's sort indexes end with the finding id, like the cross-account ones of 0002.

ListFindings orders by (sort key, id) and resumes a page after (last key, last id). An index on
(account_id, key) alone gives one account's order only up to ties of the key: PostgreSQL then
reads every finding of the tied group from the table to order it by id, or prefers the
cross-account index and filters the account out of ten times as many rows (1,000 table reads for
a page of one member account's findings by inspector score, at 1,000,000 findings). Ties are
common: a batch of re-evaluation stamps all the findings of its resources with the same
lastObservedAt, scores have one decimal, and one vulnerability is found on many resources. With
the id in the index, a page is one index range read without visiting the table. The number of
indexes, and so the cost of writing a finding, does not change. SQLite ends every index with the
row id already; the same definitions serve it as before.

Revision ID: 0004_account_sort_ids
Revises: 0003_inventory_scanned
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0004_account_sort_ids"
down_revision: str | None = "0003_inventory_scanned"
branch_labels: str | None = None
depends_on: str | None = None

# (index replaced, its replacement, the replacement's columns)
REPLACED = (
    (
        "ix_findings_account_vulnerability",
        "ix_findings_account_vulnerability_id_id",
        ["account_id", "vulnerability_id", "id"],
    ),
    (
        "ix_findings_account_last_observed",
        "ix_findings_account_last_observed_id",
        ["account_id", "last_observed_at", "id"],
    ),
    (
        "ix_findings_account_first_observed",
        "ix_findings_account_first_observed_id",
        ["account_id", "first_observed_at", "id"],
    ),
    (
        "ix_findings_account_inspector_score",
        "ix_findings_account_inspector_score_id",
        ["account_id", "inspector_score", "id"],
    ),
    (
        "ix_findings_account_epss",
        "ix_findings_account_epss_id",
        ["account_id", "epss_score", "id"],
    ),
)


def upgrade() -> None:
    for old, new, columns in REPLACED:
        op.create_index(new, "findings", columns)
        op.drop_index(old, table_name="findings")


def downgrade() -> None:
    for old, new, columns in reversed(REPLACED):
        op.create_index(old, "findings", columns[:-1])
        op.drop_index(new, table_name="findings")
