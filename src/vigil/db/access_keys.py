"""The access-key store: the ``accounts``, ``access_keys`` and ``request_nonces`` tables.

Secrets arrive here already encrypted; this module never sees a secret in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from vigil.db.engine import write_transaction
from vigil.db.tables import access_keys, accounts, request_nonces

ACTIVE = "ACTIVE"
REVOKED = "REVOKED"
# An account row made for a key starts as Inspector shows an account that never called Enable.
_NEW_ACCOUNT_STATUS = "DISABLED"


@dataclass(frozen=True)
class KeyRow:
    access_key_id: str
    account_id: str
    role: str
    secret_encrypted: bytes
    description: str
    status: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def ensure_account(conn: Connection, account_id: str, now: datetime) -> None:
    """Create the account row unless it exists (a key always belongs to a known account)."""
    exists = conn.execute(
        sa.select(accounts.c.account_id).where(accounts.c.account_id == account_id)
    ).first()
    if exists is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                accounts.insert().values(
                    account_id=account_id,
                    status=_NEW_ACCOUNT_STATUS,
                    scan_types={},
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        pass  # another process made it between the two statements


def insert_key(conn: Connection, row: KeyRow) -> None:
    conn.execute(
        access_keys.insert().values(
            access_key_id=row.access_key_id,
            account_id=row.account_id,
            role=row.role,
            secret_encrypted=row.secret_encrypted,
            description=row.description,
            status=row.status,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )
    )


def get_key(conn: Connection, access_key_id: str) -> KeyRow | None:
    found = (
        conn.execute(sa.select(access_keys).where(access_keys.c.access_key_id == access_key_id))
        .mappings()
        .first()
    )
    return None if found is None else _row(found)


def list_keys(conn: Connection, account_id: str | None = None) -> list[KeyRow]:
    query = sa.select(access_keys).order_by(access_keys.c.created_at, access_keys.c.access_key_id)
    if account_id is not None:
        query = query.where(access_keys.c.account_id == account_id)
    return [_row(found) for found in conn.execute(query).mappings()]


def revoke_key(conn: Connection, access_key_id: str, now: datetime) -> bool:
    """Mark the key revoked; False when no such key exists. Revoking twice keeps the first time."""
    done = conn.execute(
        access_keys.update()
        .where(access_keys.c.access_key_id == access_key_id, access_keys.c.status == ACTIVE)
        .values(status=REVOKED, revoked_at=now)
    )
    if done.rowcount:
        return True
    return get_key(conn, access_key_id) is not None


def touch_key(conn: Connection, access_key_id: str, now: datetime, stale_before: datetime) -> None:
    """Set ``last_used_at`` unless it is already later than ``stale_before`` (one cheap UPDATE)."""
    conn.execute(
        access_keys.update()
        .where(
            access_keys.c.access_key_id == access_key_id,
            sa.or_(access_keys.c.last_used_at.is_(None), access_keys.c.last_used_at < stale_before),
        )
        .values(last_used_at=now)
    )


def remember_signature(engine: Engine, signature: str, now: datetime) -> bool:
    """Record a request signature; False when it was already recorded (a replay)."""
    try:
        with write_transaction(engine) as conn:
            conn.execute(request_nonces.insert().values(signature=signature, seen_at=now))
    except IntegrityError:
        return False
    return True


def forget_signature(engine: Engine, signature: str) -> None:
    with write_transaction(engine) as conn:
        conn.execute(request_nonces.delete().where(request_nonces.c.signature == signature))


def purge_signatures(engine: Engine, seen_before: datetime) -> int:
    with write_transaction(engine) as conn:
        done = conn.execute(request_nonces.delete().where(request_nonces.c.seen_at < seen_before))
    return int(done.rowcount or 0)


def _row(found: RowMapping) -> KeyRow:
    return KeyRow(
        access_key_id=found["access_key_id"],
        account_id=found["account_id"],
        role=found["role"],
        secret_encrypted=bytes(found["secret_encrypted"]),
        description=found["description"] or "",
        status=found["status"],
        created_at=found["created_at"],
        revoked_at=found["revoked_at"],
        last_used_at=found["last_used_at"],
    )
