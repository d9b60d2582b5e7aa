"""The service database, as SQLAlchemy Core tables (the agreed schema, docs/adr/0009).

Every change here needs a new Alembic revision in ``migrations/versions``; a test proves that
upgrading an empty database yields exactly this metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from vigil.db.types import Document, Id, UtcDateTime

# Deterministic constraint names, so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _ts(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, UtcDateTime(), nullable=nullable)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("scan_types", Document, nullable=False),
    Column("delegated_admin_id", String(12), nullable=True),
    Column("relationship_status", String(32), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
)

organization = Table(
    "organization",
    metadata,
    Column("id", Id, primary_key=True),
    Column("admin_account_id", String(12), nullable=False, unique=True),
    Column("auto_enable", Document, nullable=False),
    _ts("updated_at"),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(20), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.account_id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("secret_encrypted", LargeBinary, nullable=False),
    Column("description", String(256), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("revoked_at", nullable=True),
    _ts("last_used_at", nullable=True),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("signature", String(64), primary_key=True),
    _ts("seen_at"),
)

resources = Table(
    "resources",
    metadata,
    Column("id", Id, primary_key=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("resource_id", String(1024), nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("region", String(32), nullable=False),
    Column("partition", String(16), nullable=False, default="aws"),
    Column("tags", Document, nullable=False),
    Column("details", Document, nullable=False),
    Column("target", String(2048), nullable=True),
    Column("ecr_repository_name", String(256), nullable=True, index=True),
    Column("ecr_image_tags", Document, nullable=True),
    Column("ec2_instance_image_id", String(64), nullable=True),
    Column("ec2_instance_vpc_id", String(64), nullable=True),
    Column("ec2_instance_subnet_id", String(64), nullable=True),
    Column("lambda_function_name", String(256), nullable=True, index=True),
    Column("lambda_function_runtime", String(64), nullable=True),
    Column("lambda_function_layers", Document, nullable=True),
    Column("lambda_function_execution_role_arn", String(2048), nullable=True),
    Column("scan_status_code", String(16), nullable=False),
    Column("scan_status_reason", String(64), nullable=False),
    _ts("last_scanned_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("removed_at", nullable=True),
    UniqueConstraint("account_id", "resource_id"),
)

inventories = Table(
    "inventories",
    metadata,
    Column("resource_pk", Id, ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    # Small columns first: SQLite reads a column by walking the ones before it (migration 0003).
    Column("package_count", Integer, nullable=False),
    Column("understood", Boolean, nullable=False),
    _ts("scanned_at"),
    Column("catalogers", Document, nullable=False),
    # The packages some advisory named, with their keys, when known (migration 0003).
    Column("named_keys", Document, nullable=True),
    Column("named_packages", Document, nullable=True),
    Column("document", Document, nullable=False),
)

# Which resources hold which (ecosystem, normalised name): the lookup that turns an advisory diff
# into the resources to re-evaluate. The primary key leads with resource_pk, which serves the
# per-resource lookups the schema's separate resource_pk index was meant for.
inventory_keys = Table(
    "inventory_keys",
    metadata,
    Column("resource_pk", Id, ForeignKey("resources.id", ondelete="CASCADE"), nullable=False),
    Column("ecosystem", String(64), nullable=False),
    Column("name", String(512), nullable=False),
    PrimaryKeyConstraint("resource_pk", "ecosystem", "name"),
    Index("ix_inventory_keys_ecosystem_name", "ecosystem", "name"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Id, primary_key=True),
    Column("finding_arn", String(128), nullable=False, unique=True),
    Column("account_id", String(12), nullable=False),
    Column("resource_pk", Id, ForeignKey("resources.id"), nullable=False),
    Column("resource_id", String(1024), nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("type", String(32), nullable=False),
    Column("vulnerability_id", String(128), nullable=False),
    Column("title", String(1024), nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("severity_rank", SmallInteger, nullable=False),
    Column("inspector_score", Float, nullable=True),
    Column("epss_score", Float, nullable=True),
    Column("exploit_available", String(3), nullable=False),
    Column("fix_available", String(8), nullable=False),
    Column("vendor_severity", String(32), nullable=True),
    _ts("first_observed_at"),
    _ts("last_observed_at"),
    _ts("updated_at"),
    _ts("closed_at", nullable=True),
    # Added to the agreed schema: retention depends on why a finding closed (ADR 9).
    Column("closed_reason", String(64), nullable=True),
    Column("document", Document, nullable=False),
    Column("document_hash", String(64), nullable=False),
    UniqueConstraint("resource_pk", "vulnerability_id"),
    Index("ix_findings_account_status_rank_id", "account_id", "status", "severity_rank", "id"),
    Index("ix_findings_account_vulnerability", "account_id", "vulnerability_id"),
    Index("ix_findings_account_resource", "account_id", "resource_id"),
    Index("ix_findings_account_updated", "account_id", "updated_at"),
    Index("ix_findings_account_last_observed", "account_id", "last_observed_at"),
    Index("ix_findings_account_first_observed", "account_id", "first_observed_at"),
    Index("ix_findings_account_inspector_score", "account_id", "inspector_score"),
    Index("ix_findings_account_epss", "account_id", "epss_score"),
    # Added: the retention sweep scans closed findings by closing time.
    Index("ix_findings_status_closed_at", "status", "closed_at"),
    # Sort orders not led by one account: a delegated administrator's ListFindings across many
    # accounts streams its page from these instead of sorting every visible finding.
    Index("ix_findings_rank_id", "severity_rank", "id"),
    Index("ix_findings_status_rank_id", "status", "severity_rank", "id"),
    Index("ix_findings_last_observed_id", "last_observed_at", "id"),
    Index("ix_findings_first_observed_id", "first_observed_at", "id"),
    Index("ix_findings_inspector_score_id", "inspector_score", "id"),
    Index("ix_findings_epss_id", "epss_score", "id"),
    Index("ix_findings_vulnerability_id_id", "vulnerability_id", "id"),
)

finding_packages = Table(
    "finding_packages",
    metadata,
    Column("finding_id", Id, ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("name", String(512), nullable=False, index=True),
    Column("version", String(256), nullable=False),
    Column("epoch", Integer, nullable=False, default=0),
    Column("release", String(256), nullable=True),
    Column("arch", String(64), nullable=True),
    Column("package_manager", String(32), nullable=False),
    Column("file_path", String(2048), nullable=True),
    Column("source_layer_hash", String(128), nullable=True),
    Column("fixed_in_version", String(256), nullable=True),
    PrimaryKeyConstraint("finding_id", "position"),
)

# History outlives the finding it describes (ADR 9): a deleted finding's rows keep its ARN and
# account, and their finding_id becomes NULL.
finding_history = Table(
    "finding_history",
    metadata,
    Column("id", Id, primary_key=True),
    Column(
        "finding_id",
        Id,
        ForeignKey("findings.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("finding_arn", String(128), nullable=False, index=True),
    Column("account_id", String(12), nullable=False),
    _ts("at"),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("detail", Document, nullable=True),
)

filters = Table(
    "filters",
    metadata,
    Column("id", Id, primary_key=True),
    Column("arn", String(256), nullable=False, unique=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("description", String(1024), nullable=True),
    Column("action", String(16), nullable=False),
    Column("reason", String(512), nullable=True),
    Column("criteria", Document, nullable=False),
    Column("tags", Document, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("account_id", "name"),
)

finding_suppressions = Table(
    "finding_suppressions",
    metadata,
    Column("finding_id", Id, ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("filter_id", Id, ForeignKey("filters.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("finding_id", "filter_id"),
    # Added: deleting a rule looks up the findings it suppressed.
    Index("ix_finding_suppressions_filter_id", "filter_id"),
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("format", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error_code", String(64), nullable=True),
    Column("error_message", String(1024), nullable=True),
    Column("destination", Document, nullable=False),
    Column("filter_criteria", Document, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
)

sbom_exports = Table(
    "sbom_exports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("account_id", String(12), nullable=False, index=True),
    Column("format", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error_code", String(64), nullable=True),
    Column("error_message", String(1024), nullable=True),
    Column("destination", Document, nullable=False),
    Column("resource_filter_criteria", Document, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
)

configuration = Table(
    "configuration",
    metadata,
    Column("account_id", String(12), primary_key=True),
    Column("document", Document, nullable=False),
    _ts("updated_at"),
)

tags = Table(
    "tags",
    metadata,
    Column("resource_arn", String(256), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("key", String(128), nullable=False),
    Column("value", String(256), nullable=False),
    PrimaryKeyConstraint("resource_arn", "key"),
)

advisory_state = Table(
    "advisory_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    _ts("last_sync_at", nullable=True),
    Column("last_diff", Document, nullable=True),
)
