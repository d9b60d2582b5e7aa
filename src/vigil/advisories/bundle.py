"""Advisory bundles: a store file packed for an air-gapped site, signed with Ed25519.

A bundle is a plain tar (so ``tar tvf`` shows an operator what they carry) of, in this order:

- ``manifest.json``: the store's summary and the size and SHA-256 of the payload, compressed
  and not (bundle_manifest.py);
- ``manifest.sig``: ``{"algorithm": "ed25519", "key_id": …, "signature": base64}``, over a
  context string and the manifest's exact bytes; absent from an unsigned bundle;
- ``advisories.db.zst``: a consistent copy of the store file (``VACUUM INTO``), zstd-compressed.

The signature covers the manifest and the manifest pins the payload, so one signature covers
the whole. Import checks the signature, then the payload's hash, and only then decompresses it
(no further than the signed size) beside the destination and renames it over the old store in
one step (bundle_import.py).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

from vigil import __version__
from vigil.advisories.bundle_keys import SigningKey
from vigil.advisories.bundle_manifest import BundleError, Manifest, Payload, summarize_connection
from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.codec import timestamp
from vigil.advisories.schema import connect

MANIFEST, SIGNATURE, PAYLOAD = "manifest.json", "manifest.sig", "advisories.db.zst"
CONTEXT = b"vigil advisory bundle v1\n"  # signatures made for anything else never verify here
CHUNK = 1 << 20


def export_bundle(
    store_path: Path,
    out: Path,
    *,
    signing_key: SigningKey | None = None,
    clock: Clock = utcnow,
    level: int = 9,
) -> Manifest:
    """Write a bundle of the store at ``store_path`` to ``out``, replacing it atomically."""
    work = Path(tempfile.mkdtemp(prefix=".vigil-export-", dir=out.resolve().parent))
    try:
        snapshot = work / "advisories.db"
        for target in (store_path, snapshot):  # summarised from the copy: what it holds
            conn = connect(target, create=False)
            try:
                if target == store_path:
                    conn.execute("VACUUM INTO ?", (str(snapshot),))
                else:
                    summary = summarize_connection(conn)
            finally:
                conn.close()
        compressed = work / PAYLOAD
        store_size, store_sha256 = _compress(snapshot, compressed, level)
        snapshot.unlink()
        size, sha256 = _digest(compressed)
        now = clock()
        manifest = Manifest(
            store=summary,
            payload=Payload(PAYLOAD, "zstd", size, sha256, store_size, store_sha256),
            exported_at=timestamp(now),
            vigil_version=__version__,
        )
        manifest_bytes = manifest.to_bytes()
        partial = work / "bundle.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add(tar, MANIFEST, manifest_bytes, now)
            if signing_key is not None:
                _add(tar, SIGNATURE, _signature(signing_key, manifest_bytes), now)
            with compressed.open("rb") as stream:
                tar.addfile(_info(PAYLOAD, size, now), stream)
        os.replace(partial, out)
        return manifest
    except (sqlite3.Error, OSError) as exc:
        raise BundleError(f"cannot write the bundle {out}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _signature(key: SigningKey, manifest: bytes) -> bytes:
    signature = base64.b64encode(key.sign(CONTEXT + manifest)).decode()
    document = {"algorithm": "ed25519", "key_id": key.id, "signature": signature}
    return json.dumps(document, sort_keys=True).encode() + b"\n"


def _info(name: str, size: int, when: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, int(when.timestamp())
    return info


def _add(tar: tarfile.TarFile, name: str, data: bytes, when: datetime) -> None:
    tar.addfile(_info(name, len(data), when), io.BytesIO(data))


def _compress(source: Path, target: Path, level: int) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    options: dict[int, int] = {
        zstd.CompressionParameter.compression_level: level,
        zstd.CompressionParameter.nb_workers: min(os.cpu_count() or 1, 4),
    }
    with source.open("rb") as raw, zstd.ZstdFile(target, "wb", options=options) as packed:
        while chunk := raw.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            packed.write(chunk)
    return size, digest.hexdigest()


def _digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as stream:
        return path.stat().st_size, hashlib.file_digest(stream, "sha256").hexdigest()
