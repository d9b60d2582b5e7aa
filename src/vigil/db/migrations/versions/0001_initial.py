"""The first service schema: accounts, keys, resources, inventories, findings, filters, reports.

Revision ID: 0001_initial
Revises: none
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of the column types of vigil.db.types as they were at this revision: a migration
# never imports the live tables, which will have moved on.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _doc(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, DOC, nullable=nullable)


def _fk(
    column: str, target: str, name: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=name, ondelete=ondelete)


def upgrade() -> None:
    _accounts()
    _resources()
    _findings()
    _filters()
    _exports()
    _settings()


def _accounts() -> None:
    op.create_table(
        "accounts",
        _str("account_id", 12),
        _str("status", 16),
        _doc("scan_types"),
        _str("delegated_admin_id", 12, nullable=True),
        _str("relationship_status", 32, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
    )
    op.create_table(
        "organization",
        sa.Column("id", ID, nullable=False),
        _str("admin_account_id", 12),
        _doc("auto_enable"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_organization"),
        sa.UniqueConstraint("admin_account_id", name="uq_organization_admin_account_id"),
    )
    op.create_table(
        "access_keys",
        _str("access_key_id", 20),
        _str("account_id", 12),
        _str("role", 16),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=False),
        _str("description", 256),
        _str("status", 16),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        _ts("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("access_key_id", name="pk_access_keys"),
        _fk("account_id", "accounts.account_id", "fk_access_keys_account_id_accounts"),
    )
    op.create_table(
        "request_nonces",
        _str("signature", 64),
        _ts("seen_at"),
        sa.PrimaryKeyConstraint("signature", name="pk_request_nonces"),
    )


def _resources() -> None:
    op.create_table(
        "resources",
        sa.Column("id", ID, nullable=False),
        _str("account_id", 12),
        _str("resource_id", 1024),
        _str("resource_type", 32),
        _str("region", 32),
        _str("partition", 16),
        _doc("tags"),
        _doc("details"),
        _str("target", 2048, nullable=True),
        _str("ecr_repository_name", 256, nullable=True),
        _doc("ecr_image_tags", nullable=True),
        _str("ec2_instance_image_id", 64, nullable=True),
        _str("ec2_instance_vpc_id", 64, nullable=True),
        _str("ec2_instance_subnet_id", 64, nullable=True),
        _str("lambda_function_name", 256, nullable=True),
        _str("lambda_function_runtime", 64, nullable=True),
        _doc("lambda_function_layers", nullable=True),
        _str("lambda_function_execution_role_arn", 2048, nullable=True),
        _str("scan_status_code", 16),
        _str("scan_status_reason", 64),
        _ts("last_scanned_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("removed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_resources"),
        sa.UniqueConstraint(
            "account_id", "resource_id", name="uq_resources_account_id_resource_id"
        ),
    )
    op.create_index("ix_resources_account_id", "resources", ["account_id"])
    op.create_index("ix_resources_ecr_repository_name", "resources", ["ecr_repository_name"])
    op.create_index("ix_resources_lambda_function_name", "resources", ["lambda_function_name"])
    op.create_table(
        "inventories",
        sa.Column("resource_pk", ID, nullable=False),
        _doc("document"),
        sa.Column("package_count", sa.Integer(), nullable=False),
        _doc("catalogers"),
        sa.Column("understood", sa.Boolean(), nullable=False),
        _ts("scanned_at"),
        sa.PrimaryKeyConstraint("resource_pk", name="pk_inventories"),
        _fk("resource_pk", "resources.id", "fk_inventories_resource_pk_resources", "CASCADE"),
    )
    op.create_table(
        "inventory_keys",
        sa.Column("resource_pk", ID, nullable=False),
        _str("ecosystem", 64),
        _str("name", 512),
        sa.PrimaryKeyConstraint("resource_pk", "ecosystem", "name", name="pk_inventory_keys"),
        _fk("resource_pk", "resources.id", "fk_inventory_keys_resource_pk_resources", "CASCADE"),
    )
    op.create_index("ix_inventory_keys_ecosystem_name", "inventory_keys", ["ecosystem", "name"])


def _findings() -> None:
    op.create_table(
        "findings",
        sa.Column("id", ID, nullable=False),
        _str("finding_arn", 128),
        _str("account_id", 12),
        sa.Column("resource_pk", ID, nullable=False),
        _str("resource_id", 1024),
        _str("resource_type", 32),
        _str("type", 32),
        _str("vulnerability_id", 128),
        _str("title", 1024),
        _str("status", 16),
        _str("severity", 16),
        sa.Column("severity_rank", sa.SmallInteger(), nullable=False),
        sa.Column("inspector_score", sa.Float(), nullable=True),
        sa.Column("epss_score", sa.Float(), nullable=True),
        _str("exploit_available", 3),
        _str("fix_available", 8),
        _str("vendor_severity", 32, nullable=True),
        _ts("first_observed_at"),
        _ts("last_observed_at"),
        _ts("updated_at"),
        _ts("closed_at", nullable=True),
        _str("closed_reason", 64, nullable=True),
        _doc("document"),
        _str("document_hash", 64),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.UniqueConstraint("finding_arn", name="uq_findings_finding_arn"),
        sa.UniqueConstraint(
            "resource_pk", "vulnerability_id", name="uq_findings_resource_pk_vulnerability_id"
        ),
        _fk("resource_pk", "resources.id", "fk_findings_resource_pk_resources"),
    )
    for name, columns in (
        ("ix_findings_account_status_rank_id", ["account_id", "status", "severity_rank", "id"]),
        ("ix_findings_account_vulnerability", ["account_id", "vulnerability_id"]),
        ("ix_findings_account_resource", ["account_id", "resource_id"]),
        ("ix_findings_account_updated", ["account_id", "updated_at"]),
        ("ix_findings_account_last_observed", ["account_id", "last_observed_at"]),
        ("ix_findings_account_first_observed", ["account_id", "first_observed_at"]),
        ("ix_findings_account_inspector_score", ["account_id", "inspector_score"]),
        ("ix_findings_account_epss", ["account_id", "epss_score"]),
        ("ix_findings_status_closed_at", ["status", "closed_at"]),
    ):
        op.create_index(name, "findings", columns)
    op.create_table(
        "finding_packages",
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        _str("name", 512),
        _str("version", 256),
        sa.Column("epoch", sa.Integer(), nullable=False),
        _str("release", 256, nullable=True),
        _str("arch", 64, nullable=True),
        _str("package_manager", 32),
        _str("file_path", 2048, nullable=True),
        _str("source_layer_hash", 128, nullable=True),
        _str("fixed_in_version", 256, nullable=True),
        sa.PrimaryKeyConstraint("finding_id", "position", name="pk_finding_packages"),
        _fk("finding_id", "findings.id", "fk_finding_packages_finding_id_findings", "CASCADE"),
    )
    op.create_index("ix_finding_packages_name", "finding_packages", ["name"])
    op.create_table(
        "finding_history",
        sa.Column("id", ID, nullable=False),
        sa.Column("finding_id", ID, nullable=True),
        _str("finding_arn", 128),
        _str("account_id", 12),
        _ts("at"),
        _str("from_status", 16, nullable=True),
        _str("to_status", 16),
        _str("reason", 64),
        _doc("detail", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_finding_history"),
        _fk("finding_id", "findings.id", "fk_finding_history_finding_id_findings", "SET NULL"),
    )
    op.create_index("ix_finding_history_finding_id", "finding_history", ["finding_id"])
    op.create_index("ix_finding_history_finding_arn", "finding_history", ["finding_arn"])


def _filters() -> None:
    op.create_table(
        "filters",
        sa.Column("id", ID, nullable=False),
        _str("arn", 256),
        _str("account_id", 12),
        _str("name", 128),
        _str("description", 1024, nullable=True),
        _str("action", 16),
        _str("reason", 512, nullable=True),
        _doc("criteria"),
        _doc("tags"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_filters"),
        sa.UniqueConstraint("arn", name="uq_filters_arn"),
        sa.UniqueConstraint("account_id", "name", name="uq_filters_account_id_name"),
    )
    op.create_index("ix_filters_account_id", "filters", ["account_id"])
    op.create_table(
        "finding_suppressions",
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("filter_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("finding_id", "filter_id", name="pk_finding_suppressions"),
        _fk("finding_id", "findings.id", "fk_finding_suppressions_finding_id_findings", "CASCADE"),
        _fk("filter_id", "filters.id", "fk_finding_suppressions_filter_id_filters", "CASCADE"),
    )
    op.create_index("ix_finding_suppressions_filter_id", "finding_suppressions", ["filter_id"])


def _exports() -> None:
    for table, format_length, criteria in (
        ("reports", 8, "filter_criteria"),
        ("sbom_exports", 16, "resource_filter_criteria"),
    ):
        op.create_table(
            table,
            _str("report_id", 64),
            _str("account_id", 12),
            _str("format", format_length),
            _str("status", 16),
            _str("error_code", 64, nullable=True),
            _str("error_message", 1024, nullable=True),
            _doc("destination"),
            _doc(criteria),
            _ts("created_at"),
            _ts("updated_at"),
            sa.PrimaryKeyConstraint("report_id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_account_id", table, ["account_id"])


def _settings() -> None:
    op.create_table(
        "configuration",
        _str("account_id", 12),
        _doc("document"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("account_id", name="pk_configuration"),
    )
    op.create_table(
        "tags",
        _str("resource_arn", 256),
        _str("account_id", 12),
        _str("key", 128),
        _str("value", 256),
        sa.PrimaryKeyConstraint("resource_arn", "key", name="pk_tags"),
    )
    op.create_table(
        "advisory_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _ts("last_sync_at", nullable=True),
        _doc("last_diff", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_advisory_state"),
    )


def downgrade() -> None:
    for table in (
        "advisory_state",
        "tags",
        "configuration",
        "sbom_exports",
        "reports",
        "finding_suppressions",
        "filters",
        "finding_history",
        "finding_packages",
        "findings",
        "inventory_keys",
        "inventories",
        "resources",
        "request_nonces",
        "access_keys",
        "organization",
        "accounts",
    ):
        op.drop_table(table)
