"""The master key that encrypts access-key secrets at rest (AES-256-GCM).

One node keeps it in ``master.key`` in the data directory, created on first use with mode 0600;
several nodes sharing one PostgreSQL database share it through ``VIGIL_MASTER_KEY`` (the 32 key
bytes, base64). A key file that others can read is refused rather than used: the database alone
must never be enough to recover the secrets.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MASTER_KEY_ENV = "VIGIL_MASTER_KEY"
MASTER_KEY_FILE = "master.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12
# The first byte of every stored secret names the scheme, so that a later rotation can tell
# old ciphertexts from new ones.
_SCHEME = b"\x01"


class MasterKeyError(Exception):
    """The master key is missing, malformed, exposed, or does not open a stored secret."""


class MasterKey:
    """Encrypts one secret per access key, bound to that key's id."""

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise MasterKeyError(f"a master key is {_KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def encrypt(self, access_key_id: str, secret: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), access_key_id.encode())
        return _SCHEME + nonce + sealed

    def decrypt(self, access_key_id: str, blob: bytes) -> str:
        # The key id is the associated data: a ciphertext copied onto another key's row fails.
        if blob[:1] != _SCHEME or len(blob) < 1 + _NONCE_BYTES + 16:
            raise MasterKeyError(f"{access_key_id}: stored secret has an unknown format")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, access_key_id.encode()).decode()
        except InvalidTag:
            raise MasterKeyError(
                f"{access_key_id}: the master key does not open this secret"
            ) from None


def load_master_key(data_dir: Path, env: Mapping[str, str] | None = None) -> MasterKey:
    """The key from ``VIGIL_MASTER_KEY``, else from ``master.key`` (created when absent)."""
    env = os.environ if env is None else env
    encoded = env.get(MASTER_KEY_ENV)
    if encoded:
        try:
            return MasterKey(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            raise MasterKeyError(f"{MASTER_KEY_ENV} is not base64") from None
    return MasterKey(_key_file(data_dir / MASTER_KEY_FILE))


def new_master_key_text() -> str:
    """A fresh key in the form ``VIGIL_MASTER_KEY`` takes."""
    return base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode()


def _key_file(path: Path) -> bytes:
    if path.exists():
        return _read_key_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(_KEY_BYTES)
    # Written whole under a private name, then linked into place: a second process starting at
    # the same moment either wins the link or reads the complete file of the one that did.
    fd, temporary = tempfile.mkstemp(prefix=".master.key.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.b64encode(key) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read_key_file(path)
    finally:
        os.unlink(temporary)
    return key


def _read_key_file(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise MasterKeyError(
            f"{path} is readable by others (mode {mode:04o}); run `chmod 600 {path}`"
        )
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{path} does not hold a base64 key") from None
    if len(key) != _KEY_BYTES:
        raise MasterKeyError(f"{path} holds {len(key)} bytes, not {_KEY_BYTES}")
    return key
