"""Ed25519 keys that sign advisory bundles: made, written, read, and named by a short id.

Keys are PEM files that OpenSSL reads too: the private key as unencrypted PKCS#8, created with
mode 0600 and never overwritten, the public key as SubjectPublicKeyInfo. A key's id is the
first 16 hex digits of the SHA-256 of its raw 32-byte public key; messages name keys by id only,
so key material never reaches a log.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vigil.advisories.errors import AdvisoryError

MAX_KEY_FILE = 64 * 1024
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class KeyFileError(AdvisoryError):
    """A key file is missing, unreadable, not an Ed25519 key, or would be overwritten."""


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes(*_RAW)).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """A trusted public key."""

    id: str
    key: Ed25519PublicKey = field(repr=False, compare=False)

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            self.key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key; ``exposed`` when its file is readable by others than its owner."""

    id: str
    key: Ed25519PrivateKey = field(repr=False, compare=False)
    exposed: bool = False

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)


@dataclass(frozen=True, slots=True)
class KeyPair:
    id: str
    private_path: Path
    public_path: Path


def generate(prefix: Path) -> KeyPair:
    """Write ``PREFIX.key`` (0600) and ``PREFIX.pub``; refuse to replace either."""
    private_path = prefix.with_name(prefix.name + ".key")
    public_path = prefix.with_name(prefix.name + ".pub")
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise KeyFileError(f"{path}: already exists; not overwriting a key")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(private_path, pem, 0o600)
    try:
        _write_new(public_path, public_pem, 0o644)
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    return KeyPair(key_id(private.public_key()), private_path, public_path)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot create ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, mode)  # the umask may have taken bits away, never added them
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _read(path: Path, what: str) -> tuple[bytes, os.stat_result]:
    try:
        with path.open("rb") as stream:
            info = os.fstat(stream.fileno())
            data = stream.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_KEY_FILE:
        raise KeyFileError(f"{path}: too large to be a {what}")
    return data, info


def load_signing_key(path: Path) -> SigningKey:
    data, info = _read(path, "private key")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # The parser's message may quote the file; say only what it is not.
        raise KeyFileError(
            f"{path}: not an unencrypted PEM private key (is it the public key?)"
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key")
    exposed = bool(stat.S_IMODE(info.st_mode) & 0o077)
    return SigningKey(key_id(private.public_key()), private, exposed)


def load_verify_key(path: Path) -> VerifyKey:
    data, _ = _read(path, "public key")
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise KeyFileError(
            f"{path}: not a PEM public key (a private key is never a trusted key)"
        ) from None
    if not isinstance(public, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key")
    return VerifyKey(key_id(public), public)
