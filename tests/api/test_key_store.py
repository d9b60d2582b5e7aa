"""The access-key service over the real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from vigil.db.tables import access_keys, accounts, request_nonces
from vigil.service.keys import AccessKeyError, KeyService
from vigil.service.master_key import MasterKey, MasterKeyError, load_master_key

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def master() -> MasterKey:
    return MasterKey(bytes(range(32)))


@pytest.fixture
def keys(db_engine: Engine, master: MasterKey, clock: Clock) -> KeyService:
    return KeyService(db_engine, master, clock=clock)


def test_an_issued_key_opens_with_its_secret(keys: KeyService, db_engine: Engine) -> None:
    issued = keys.issue("123456789012", "analyst", "ci pipeline")
    credential = keys.credential(issued.info.access_key_id)

    assert issued.info.access_key_id.startswith("VKIA")
    assert len(issued.info.access_key_id) == 20
    assert len(issued.secret_access_key) == 40
    assert credential is not None
    assert credential.secret == issued.secret_access_key
    assert (credential.account_id, credential.role, credential.active) == (
        "123456789012",
        "analyst",
        True,
    )
    assert issued.secret_access_key not in repr(credential)
    with db_engine.connect() as conn:
        stored = conn.execute(sa.select(access_keys.c.secret_encrypted)).scalar_one()
        account = conn.execute(sa.select(accounts)).mappings().one()
    assert issued.secret_access_key.encode() not in bytes(stored)
    assert account["account_id"] == "123456789012"
    assert account["status"] == "DISABLED"


def test_keys_are_listed_per_account_and_revoked(keys: KeyService, clock: Clock) -> None:
    first = keys.issue("123456789012", "admin").info
    clock.now += timedelta(seconds=1)
    second = keys.issue("123456789012", "read-only").info
    other = keys.issue("210987654321", "agent").info
    clock.now += timedelta(minutes=1)

    revoked = keys.revoke(second.access_key_id)
    again = keys.revoke(second.access_key_id)

    assert [k.access_key_id for k in keys.list_keys("123456789012")] == [
        first.access_key_id,
        second.access_key_id,
    ]
    assert len(keys.list_keys()) == 3
    assert (revoked.status, revoked.revoked_at) == ("REVOKED", T0 + timedelta(minutes=1, seconds=1))
    assert again.revoked_at == revoked.revoked_at
    credential = keys.credential(second.access_key_id)
    assert credential is not None
    assert not credential.active
    assert keys.credential(other.access_key_id) is not None
    with pytest.raises(AccessKeyError, match="no such access key"):
        keys.revoke("VKIAAAAAAAAAAAAAAAAA")


@pytest.mark.parametrize(
    ("account", "role", "message"),
    [("12345", "admin", "12 digits"), ("123456789012", "root", "a role is one of")],
)
def test_bad_requests_for_keys(keys: KeyService, account: str, role: str, message: str) -> None:
    with pytest.raises(AccessKeyError, match=message):
        keys.issue(account, role)


def test_unknown_and_malformed_key_ids_have_no_credential(keys: KeyService) -> None:
    assert keys.credential("VKIAAAAAAAAAAAAAAAAA") is None
    assert keys.credential("'; DROP TABLE access_keys; --") is None


def test_a_signature_is_remembered_until_purged(
    keys: KeyService, clock: Clock, db_engine: Engine
) -> None:
    assert keys.remember_signature("a" * 64)
    assert not keys.remember_signature("a" * 64)
    clock.now += timedelta(minutes=16)
    # The first call after a minute purges signatures older than fifteen minutes.
    assert keys.remember_signature("b" * 64)
    assert keys.remember_signature("a" * 64)
    keys.forget_signature("b" * 64)
    with db_engine.connect() as conn:
        left = conn.execute(sa.select(request_nonces.c.signature)).scalars().all()
    assert left == ["a" * 64]


def test_last_used_is_written_at_most_once_a_minute(keys: KeyService, clock: Clock) -> None:
    key_id = keys.issue("123456789012", "admin").info.access_key_id
    keys.mark_used(key_id)
    clock.now += timedelta(seconds=30)
    keys.mark_used(key_id)
    assert keys.list_keys()[0].last_used_at == T0
    clock.now += timedelta(seconds=31)
    keys.mark_used(key_id)
    assert keys.list_keys()[0].last_used_at == T0 + timedelta(seconds=61)


def test_a_secret_moved_to_another_key_does_not_open(keys: KeyService, db_engine: Engine) -> None:
    one = keys.issue("123456789012", "admin").info.access_key_id
    two = keys.issue("123456789012", "read-only").info.access_key_id
    with db_engine.begin() as conn:
        sealed = conn.execute(
            sa.select(access_keys.c.secret_encrypted).where(access_keys.c.access_key_id == one)
        ).scalar_one()
        conn.execute(
            access_keys.update()
            .where(access_keys.c.access_key_id == two)
            .values(secret_encrypted=sealed)
        )

    with pytest.raises(MasterKeyError, match="does not open"):
        keys.credential(two)


def test_another_master_key_does_not_open_secrets(keys: KeyService, db_engine: Engine) -> None:
    key_id = keys.issue("123456789012", "admin").info.access_key_id
    stranger = KeyService(db_engine, MasterKey(bytes(32)))

    with pytest.raises(MasterKeyError):
        stranger.credential(key_id)


def test_the_master_key_file_is_private_and_stable(tmp_path: Path) -> None:
    first = load_master_key(tmp_path, env={})
    sealed = first.encrypt("VKIA1", "secret")

    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    assert load_master_key(tmp_path, env={}).decrypt("VKIA1", sealed) == "secret"
    (tmp_path / "master.key").chmod(0o644)
    with pytest.raises(MasterKeyError, match="readable by others"):
        load_master_key(tmp_path, env={})


def test_the_master_key_can_come_from_the_environment(tmp_path: Path) -> None:
    text = base64.b64encode(bytes(range(32))).decode()
    from_env = load_master_key(tmp_path, env={"VIGIL_MASTER_KEY": text})

    assert from_env.decrypt("VKIA1", MasterKey(bytes(range(32))).encrypt("VKIA1", "s")) == "s"
    assert not (tmp_path / "master.key").exists()
    with pytest.raises(MasterKeyError, match="not base64"):
        load_master_key(tmp_path, env={"VIGIL_MASTER_KEY": "%%%"})
    with pytest.raises(MasterKeyError, match="32 bytes"):
        load_master_key(tmp_path, env={"VIGIL_MASTER_KEY": base64.b64encode(b"short").decode()})


def test_a_fresh_last_used_spares_the_write(keys: KeyService, clock: Clock) -> None:
    key_id = keys.issue("123456789012", "admin").info.access_key_id
    keys.mark_used(key_id)
    seen = keys.credential(key_id)
    assert seen is not None
    assert seen.last_used_at == T0
    clock.now += timedelta(minutes=5)
    keys.mark_used(key_id, last_used_at=clock.now - timedelta(seconds=10))

    assert keys.list_keys()[0].last_used_at == T0
