"""Reading a bundle back: every check first, then the store swapped in with one rename.

Order matters: the signature is checked over the manifest's exact bytes before the manifest is
even parsed; the payload's SHA-256 before a byte of it is decompressed; decompression stops at
the signed size (a small bundle cannot unpack into a disk-filling one); the unpacked file must
be a sound store of this schema version holding the manifest's record count. Only then is it
renamed over the old store, whose WAL is folded in first so that it cannot be replayed onto the
new file. Bundles are untrusted input: members are matched by name and type, sizes are bounded,
nothing is extracted by ``tarfile`` itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import sqlite3
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

from vigil.advisories.bundle import CHUNK, CONTEXT, MANIFEST, PAYLOAD, SIGNATURE
from vigil.advisories.bundle_keys import VerifyKey
from vigil.advisories.bundle_manifest import MAX_MANIFEST, BundleError, Manifest, Payload
from vigil.advisories.errors import StoreError
from vigil.advisories.schema import connect

MAX_SIGNATURE = 4096
MAX_STORE = 64 * 1024**3
_CHUNK = CHUNK


@dataclass(frozen=True, slots=True)
class ImportResult:
    manifest: Manifest
    signed_by: str | None  # the trusted key's id; None when imported unsigned or unchecked
    signature_present: bool


@dataclass(frozen=True, slots=True)
class _Members:
    manifest: bytes
    signature: bytes | None
    payload: tarfile.TarInfo


def _members(tar: tarfile.TarFile, size: int) -> _Members:
    found: dict[str, tarfile.TarInfo] = {}
    try:
        # The payload comes last: nothing after it is read, so a bundle cut short inside it
        # reaches the size check below, which says how much is missing.
        while PAYLOAD not in found:
            member = tar.next()
            if member is None:
                break
            if member.name not in (MANIFEST, SIGNATURE, PAYLOAD) or member.name in found:
                raise BundleError(f"unexpected member {member.name!r}: not a Vigil bundle")
            if not member.isreg():
                raise BundleError(f"member {member.name!r} is not a regular file")
            found[member.name] = member
    except tarfile.TarError as exc:
        raise BundleError(f"the bundle is truncated or not a tar ({exc})") from None
    if MANIFEST not in found:
        raise BundleError("no manifest.json: not a Vigil advisory bundle")
    if PAYLOAD not in found:
        raise BundleError(f"no {PAYLOAD}: the bundle is truncated")
    payload = found[PAYLOAD]
    if payload.offset_data + payload.size > size:
        have = max(0, size - payload.offset_data)
        raise BundleError(
            f"the bundle is truncated: the payload has {have} of {payload.size} bytes"
        )
    return _Members(
        manifest=_small(tar, found[MANIFEST], MAX_MANIFEST),
        signature=_small(tar, found[SIGNATURE], MAX_SIGNATURE) if SIGNATURE in found else None,
        payload=payload,
    )


def _small(tar: tarfile.TarFile, member: tarfile.TarInfo, bound: int) -> bytes:
    if member.size > bound:
        raise BundleError(f"{member.name} is larger than {bound} bytes")
    stream = tar.extractfile(member)
    assert stream is not None  # a regular file always has a stream
    data = stream.read()
    if len(data) != member.size:
        raise BundleError(f"the bundle is truncated inside {member.name}")
    return data


def _check_signature(
    signature: bytes | None, manifest: bytes, trusted: Sequence[VerifyKey], allow_unsigned: bool
) -> str | None:
    """The id of the trusted key that signed ``manifest``; raises unless that is acceptable."""
    if signature is None:
        if allow_unsigned:
            return None
        raise BundleError("the bundle is not signed; refusing it (--allow-unsigned imports it)")
    if not trusted:
        if allow_unsigned:
            return None
        raise BundleError("the bundle is signed but no trusted key was given to check it")
    try:
        document = json.loads(signature)
        algorithm, signer = document["algorithm"], str(document["key_id"])
        raw = base64.b64decode(document["signature"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise BundleError("manifest.sig is malformed") from None
    if algorithm != "ed25519":
        raise BundleError(f"manifest.sig uses {algorithm!r}, not ed25519")
    for key in trusted:
        if key.verifies(raw, CONTEXT + manifest):
            return key.id
    ids = ", ".join(k.id for k in trusted)
    if signer not in {k.id for k in trusted}:
        raise BundleError(f"the bundle is signed by key {signer}, which is not trusted ({ids})")
    raise BundleError(
        f"the signature by key {signer} does not verify: the manifest was altered after signing"
    )


def read_bundle(
    path: Path, *, trusted: Sequence[VerifyKey], allow_unsigned: bool = False
) -> tuple[Manifest, str | None, bool]:
    """Check a bundle's signature and payload hash; nothing is written."""
    with _BundleFile(path) as (tar, stream, size):
        members = _members(tar, size)
        signer = _check_signature(members.signature, members.manifest, trusted, allow_unsigned)
        manifest = Manifest.from_bytes(members.manifest)
        _check_payload(stream, members.payload, manifest.payload)
    return manifest, signer, members.signature is not None


def import_bundle(
    path: Path, dest: Path, *, trusted: Sequence[VerifyKey], allow_unsigned: bool = False
) -> ImportResult:
    """Verify the bundle, then replace the store at ``dest`` with its payload in one step."""
    with _BundleFile(path) as (tar, stream, size):
        members = _members(tar, size)
        signer = _check_signature(members.signature, members.manifest, trusted, allow_unsigned)
        manifest = Manifest.from_bytes(members.manifest)
        _check_payload(stream, members.payload, manifest.payload)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.import-", dir=dest.parent)
        temporary = Path(name)
        try:
            os.chmod(fd, _default_mode())  # mkstemp's 0600 would hide the store from readers
            with os.fdopen(fd, "wb") as out:
                _unpack(stream, members.payload, manifest.payload, out)
            _check_store(temporary, manifest)
            _replace(temporary, dest)
        except BaseException:
            temporary.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
            raise
    return ImportResult(manifest, signer, members.signature is not None)


class _BundleFile:
    """The bundle as a tar read member by member, its raw stream and its size."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> tuple[tarfile.TarFile, IO[bytes], int]:
        try:
            self._stream = self._path.open("rb")
        except OSError as exc:
            raise BundleError(f"{self._path}: {exc.strerror or exc}") from None
        size = os.fstat(self._stream.fileno()).st_size
        try:
            self._tar = tarfile.open(fileobj=self._stream, mode="r:")
        except tarfile.TarError as exc:
            self._stream.close()
            raise BundleError(f"{self._path}: not a bundle, or truncated ({exc})") from None
        return self._tar, self._stream, size

    def __exit__(self, *exc: object) -> None:
        self._tar.close()
        self._stream.close()


def _check_payload(stream: IO[bytes], member: tarfile.TarInfo, payload: Payload) -> None:
    if member.size != payload.size:
        raise BundleError(
            f"the payload is {member.size} bytes, the manifest says {payload.size}: "
            "the bundle was altered or damaged"
        )
    digest = hashlib.sha256()
    stream.seek(member.offset_data)
    left = member.size
    while left:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            raise BundleError("the bundle is truncated inside the payload")
        digest.update(chunk)
        left -= len(chunk)
    if digest.hexdigest() != payload.sha256:
        raise BundleError(
            "the payload's SHA-256 differs from the manifest's: the bundle was altered"
        )


def _unpack(stream: IO[bytes], member: tarfile.TarInfo, payload: Payload, out: IO[bytes]) -> None:
    if payload.compression != "zstd":
        raise BundleError(f"payload compression {payload.compression!r} is not zstd")
    if payload.store_size > MAX_STORE:
        raise BundleError(f"the store would be {payload.store_size} bytes, over {MAX_STORE}")
    stream.seek(member.offset_data)
    digest, size = hashlib.sha256(), 0
    try:
        with zstd.ZstdFile(_Window(stream, member.size), "rb") as unpacked:
            while chunk := unpacked.read(_CHUNK):
                size += len(chunk)
                if size > payload.store_size:
                    raise BundleError("the payload decompresses to more than the manifest says")
                digest.update(chunk)
                out.write(chunk)
    except (zstd.ZstdError, EOFError) as exc:
        raise BundleError(f"the payload does not decompress ({exc})") from None
    if size != payload.store_size or digest.hexdigest() != payload.store_sha256:
        raise BundleError("the decompressed store differs from the manifest's size or SHA-256")


class _Window:
    """The payload's bytes only: the decompressor never reads past the member."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream, self._left = stream, size

    def read(self, size: int = -1, /) -> bytes:
        want = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(want)
        self._left -= len(data)
        return data

    def seekable(self) -> bool:
        return False

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("the payload is read once, forwards")

    def close(self) -> None:
        pass  # the bundle's stream is closed by its owner


def _check_store(path: Path, manifest: Manifest) -> None:
    try:
        conn = connect(path, create=False)
    except StoreError as exc:
        raise BundleError(f"the payload is not a usable store: {exc}") from None
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        records = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise BundleError(f"the payload is not a sound store: {exc}") from None
    finally:
        conn.close()
    if verdict != "ok":
        raise BundleError(f"the payload fails SQLite's check: {verdict}")
    if records != manifest.store.records:
        raise BundleError(f"the payload holds {records} records, the manifest says otherwise")


def _replace(temporary: Path, dest: Path) -> None:
    """Rename the new store over the old one; the old one's WAL must not outlive it."""
    if dest.exists():
        try:
            old = connect(dest, create=False)
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            old.close()
        except (StoreError, sqlite3.Error):
            pass  # a damaged or foreign file: replacing it is what the import is for
    os.replace(temporary, dest)
    for suffix in ("-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o644 & ~umask
