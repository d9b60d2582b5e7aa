"""Which scan types an account has enabled (``accounts.scan_types``) and its overall status.

Enable and Disable name scan types as ``ResourceScanType`` values (``EC2``, ``ECR``, ``LAMBDA``,
``LAMBDA_CODE``); account status documents name them as ``ResourceStatus`` members (``ec2``,
``ecr``, ``lambda``, ``lambdaCode``). An account is ENABLED while any type is, as in Inspector
(Disable of every type disables the account). Vigil scans no code repositories, so
``CODE_REPOSITORY`` is refused rather than recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from vigil.db.tables import accounts

ENABLED = "ENABLED"
DISABLED = "DISABLED"
# ResourceScanType → ResourceStatus / AutoEnable member
MEMBERS: Mapping[str, str] = {
    "EC2": "ec2",
    "ECR": "ecr",
    "LAMBDA": "lambda",
    "LAMBDA_CODE": "lambdaCode",
}
BY_MEMBER: Mapping[str, str] = {member: kind for kind, member in MEMBERS.items()}


def resource_status(scan_types: Mapping[str, str] | None) -> dict[str, str]:
    """``ResourceStatus``: every scan type Vigil knows, DISABLED unless recorded otherwise."""
    stored = scan_types or {}
    return {member: stored.get(kind, DISABLED) for kind, member in MEMBERS.items()}


def account_status(scan_types: Mapping[str, str] | None) -> str:
    return ENABLED if ENABLED in resource_status(scan_types).values() else DISABLED


def stored_types(connection: Connection, account_id: str) -> dict[str, str]:
    query = select(accounts.c.scan_types).where(accounts.c.account_id == account_id)
    return dict(connection.execute(query).scalar() or {})


def set_types(
    connection: Connection, account_id: str, kinds: Iterable[str], status: str, now: datetime
) -> dict[str, str]:
    """Record ``status`` for ``kinds`` (ResourceScanType or member names); the new state."""
    types = stored_types(connection, account_id)
    for kind in kinds:
        types[BY_MEMBER.get(kind, kind)] = status
    connection.execute(
        update(accounts)
        .where(accounts.c.account_id == account_id)
        .values(scan_types=types, status=account_status(types), updated_at=now)
    )
    return types


def enable_types(
    connection: Connection, account_id: str, kinds: Iterable[str], now: datetime
) -> dict[str, str]:
    return set_types(connection, account_id, kinds, ENABLED, now)
