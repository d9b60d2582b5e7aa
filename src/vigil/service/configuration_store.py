"""Each account's scan configuration document (``configuration`` table) and what is in force.

The document has up to four parts: ``ecr`` (push and pull rescan durations, pull mode), ``ec2``
(scan mode), ``deepInspection`` (activation and the account's own package paths) and, for a
delegated administrator, ``orgPackagePaths``. A member's missing ``ecr`` or ``ec2`` part means it
inherits its administrator's (Inspector: the delegated administrator's settings apply to members
not configured one by one); a standalone account's missing part means Vigil's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from vigil.db.tables import configuration
from vigil.service.visibility import admin_of

# Inspector's defaults for accounts created from 2025-05-16 (14 days on push and on last use);
# Vigil scans hosts through its agent or a mounted snapshot as Inspector's agent-based mode does.
DEFAULT_ECR: Mapping[str, str] = {
    "rescanDuration": "DAYS_14",
    "pullDateRescanDuration": "DAYS_14",
    "pullDateRescanMode": "LAST_IN_USE_AT",
}
DEFAULT_EC2: Mapping[str, str] = {"scanMode": "EC2_SSM_AGENT_BASED"}
INHERITED_PARTS = ("ecr", "ec2")


def load(connection: Connection, account_id: str) -> dict[str, Any]:
    query = select(configuration.c.document).where(configuration.c.account_id == account_id)
    return dict(connection.execute(query).scalar() or {})


def save(
    connection: Connection, account_id: str, document: Mapping[str, Any], now: datetime
) -> None:
    exists = connection.execute(
        select(configuration.c.account_id).where(configuration.c.account_id == account_id)
    ).first()
    values = {"document": dict(document), "updated_at": now}
    if exists is None:
        connection.execute(insert(configuration).values(account_id=account_id, **values))
    else:
        connection.execute(
            update(configuration).where(configuration.c.account_id == account_id).values(**values)
        )


def effective_part(connection: Connection, account_id: str, part: str) -> dict[str, Any]:
    """The ``ecr`` or ``ec2`` settings in force for ``account_id``."""
    default = DEFAULT_ECR if part == "ecr" else DEFAULT_EC2
    own = load(connection, account_id).get(part)
    if own is not None:
        return {**default, **own}
    admin = admin_of(connection, account_id)
    if admin is not None:
        inherited = load(connection, admin).get(part)
        if inherited is not None:
            return {**default, **inherited}
    return dict(default)


def inherit_all(connection: Connection, account_id: str, now: datetime) -> None:
    """Drop an account's own ECR and EC2 settings so that it follows its administrator's."""
    document = load(connection, account_id)
    if any(part in document for part in INHERITED_PARTS):
        for part in INHERITED_PARTS:
            document.pop(part, None)
        save(connection, account_id, document, now)
