"""Access keys that Vigil issues: create, list, revoke, and the lookups SigV4 checks need.

An access key id is 20 characters (``VKIA`` and 16 of base32's alphabet, shaped like AWS's
``AKIA…`` ids so that every SDK and tool accepts it); a secret is 40 characters of base64, as
AWS's are. The secret is shown once, when the key is created, and stored only encrypted under
the master key (:mod:`vigil.service.master_key`).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from vigil.db import access_keys as store
from vigil.db.engine import write_transaction
from vigil.service.master_key import MasterKey

ROLES = ("admin", "analyst", "read-only", "agent")
KEY_ID_PREFIX = "VKIA"
_ACCOUNT_ID = re.compile(r"\d{12}")
_KEY_ID = re.compile(r"[A-Z0-9]{16,20}")
MAX_DESCRIPTION = 256
# Signatures are kept three times as long as a timestamp is accepted, so that none can come
# back while its X-Amz-Date would still pass.
SIGNATURE_MEMORY = timedelta(minutes=15)
_PURGE_EVERY = timedelta(minutes=1)
# last_used_at is a hint for people, not an audit log: one write a minute per key is enough.
_TOUCH_EVERY = timedelta(minutes=1)


class AccessKeyError(Exception):
    """A key request that cannot be honoured (bad account, role, or unknown key)."""


@dataclass(frozen=True)
class KeyInfo:
    access_key_id: str
    account_id: str
    role: str
    description: str
    status: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def to_json(self) -> dict[str, str | None]:
        return {
            "accessKeyId": self.access_key_id,
            "accountId": self.account_id,
            "role": self.role,
            "description": self.description,
            "status": self.status,
            "createdAt": self.created_at.isoformat(),
            "revokedAt": _iso(self.revoked_at),
            "lastUsedAt": _iso(self.last_used_at),
        }


@dataclass(frozen=True)
class IssuedKey:
    info: KeyInfo
    secret_access_key: str


@dataclass(frozen=True)
class Credential:
    """What a signature check needs about one key; ``secret`` is in clear, never log it."""

    access_key_id: str
    account_id: str
    role: str
    active: bool
    secret: str
    last_used_at: datetime | None = None

    def __repr__(self) -> str:
        return f"Credential({self.access_key_id!r}, {self.account_id!r}, {self.role!r})"


class KeyService:
    def __init__(
        self,
        engine: Engine,
        master_key: MasterKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        token: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._engine = engine
        self._master = master_key
        self._clock = clock
        self._token = token
        self._last_purge: datetime | None = None

    def issue(self, account_id: str, role: str, description: str = "") -> IssuedKey:
        if not _ACCOUNT_ID.fullmatch(account_id):
            raise AccessKeyError(f"{account_id!r}: an account id is 12 digits")
        if role not in ROLES:
            raise AccessKeyError(f"{role!r}: a role is one of {', '.join(ROLES)}")
        if len(description) > MAX_DESCRIPTION:
            raise AccessKeyError(f"a description holds at most {MAX_DESCRIPTION} characters")
        key_id = KEY_ID_PREFIX + base64.b32encode(self._token(10)).decode()
        secret = base64.b64encode(self._token(30)).decode()
        now = self._clock()
        row = store.KeyRow(
            access_key_id=key_id,
            account_id=account_id,
            role=role,
            secret_encrypted=self._master.encrypt(key_id, secret),
            description=description,
            status=store.ACTIVE,
            created_at=now,
            revoked_at=None,
            last_used_at=None,
        )
        with write_transaction(self._engine) as conn:
            store.ensure_account(conn, account_id, now)
            store.insert_key(conn, row)
        return IssuedKey(_info(row), secret)

    def list_keys(self, account_id: str | None = None) -> list[KeyInfo]:
        with self._engine.connect() as conn:
            return [_info(row) for row in store.list_keys(conn, account_id)]

    def revoke(self, access_key_id: str) -> KeyInfo:
        with write_transaction(self._engine) as conn:
            if not store.revoke_key(conn, access_key_id, self._clock()):
                raise AccessKeyError(f"{access_key_id}: no such access key")
            row = store.get_key(conn, access_key_id)
        assert row is not None
        return _info(row)

    def credential(self, access_key_id: str) -> Credential | None:
        """The key with its secret decrypted, or None when Vigil never issued it."""
        if not _KEY_ID.fullmatch(access_key_id):
            return None
        with self._engine.connect() as conn:
            row = store.get_key(conn, access_key_id)
        if row is None:
            return None
        return Credential(
            access_key_id=row.access_key_id,
            account_id=row.account_id,
            role=row.role,
            active=row.status == store.ACTIVE,
            secret=self._master.decrypt(row.access_key_id, row.secret_encrypted),
            last_used_at=row.last_used_at,
        )

    def mark_used(self, access_key_id: str, last_used_at: datetime | None = None) -> None:
        """Note that the key signed a request; ``last_used_at`` (as read) spares a write."""
        now = self._clock()
        if last_used_at is not None and now - last_used_at < _TOUCH_EVERY:
            return
        with self._engine.begin() as conn:
            store.touch_key(conn, access_key_id, now, now - _TOUCH_EVERY)

    def remember_signature(self, signature: str) -> bool:
        """True the first time a signature is seen, False for a replay."""
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= _PURGE_EVERY:
            store.purge_signatures(self._engine, now - SIGNATURE_MEMORY)
            self._last_purge = now
        return store.remember_signature(self._engine, signature, now)

    def forget_signature(self, signature: str) -> None:
        store.forget_signature(self._engine, signature)


def _info(row: store.KeyRow) -> KeyInfo:
    return KeyInfo(
        access_key_id=row.access_key_id,
        account_id=row.account_id,
        role=row.role,
        description=row.description,
        status=row.status,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
