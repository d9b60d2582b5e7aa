"""Signed advisory bundles: export, verify, import; every tampering refused with the store kept."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest
from backports import zstd

from tests.advisories.conftest import OSV, Clock
from vigil.advisories.bundle import CONTEXT, MANIFEST, PAYLOAD, SIGNATURE, export_bundle
from vigil.advisories.bundle_import import import_bundle, read_bundle
from vigil.advisories.bundle_keys import (
    SigningKey,
    VerifyKey,
    generate,
    load_signing_key,
    load_verify_key,
)
from vigil.advisories.bundle_manifest import BundleError, Manifest, summarize
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.osv_local import OsvDirectorySource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync

KEV = OSV / "kev" / "known_exploited_vulnerabilities.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the real PyPI and Go records and the KEV catalog."""
    path = tmp_path_factory.mktemp("built") / "advisories.db"
    with AdvisoryStore(path, clock=Clock()) as store:
        sync(store, OsvDirectorySource(OSV / "pypi", name="osv:PyPI"), workers=1)
        sync(store, OsvDirectorySource(OSV / "go", name="osv:Go"), workers=1)
        sync_enrichment(store, KevSource(str(KEV)))
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningKey, VerifyKey]:
    pair = generate(tmp_path_factory.mktemp("keys") / "release")
    return load_signing_key(pair.private_path), load_verify_key(pair.public_path)


@pytest.fixture
def store(tmp_path: Path, built: Path) -> Path:
    """A fresh copy of the built store."""
    copy = tmp_path / "store" / "advisories.db"
    copy.parent.mkdir()
    shutil.copyfile(built, copy)
    return copy


@pytest.fixture
def bundle(tmp_path: Path, store: Path, keys: tuple[SigningKey, VerifyKey]) -> Path:
    out = tmp_path / "advisories.tar"
    export_bundle(store, out, signing_key=keys[0])
    return out


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        out = {}
        for member in tar.getmembers():
            stream = tar.extractfile(member)
            assert stream is not None
            out[member.name] = stream.read()
        return out


def write_tar(path: Path, items: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in items:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def signature(key: SigningKey, manifest: bytes) -> bytes:
    raw = base64.b64encode(key.sign(CONTEXT + manifest)).decode()
    return json.dumps({"algorithm": "ed25519", "key_id": key.id, "signature": raw}).encode()


def fingerprint(path: Path) -> tuple[int, list[str]]:
    """What a store holds, to tell it was left alone."""
    with AdvisoryStore(path, create=False) as opened:
        return opened.info().records, [s.name for s in opened.info().sources]


def test_round_trip_into_a_fresh_place(
    tmp_path: Path, store: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    dest = tmp_path / "elsewhere" / "advisories.db"

    result = import_bundle(bundle, dest, trusted=[keys[1]])

    assert (result.signed_by, result.signature_present) == (keys[1].id, True)
    assert result.manifest.store == summarize(store)
    assert result.manifest.store.records == 1540
    assert dict(result.manifest.store.ecosystems) == {"Go": 486, "PyPI": 1034}
    names = [(s.name, s.records) for s in result.manifest.store.sources]
    assert names == [("kev", 1404), ("osv:Go", 488), ("osv:PyPI", 1052)]
    with AdvisoryStore(dest, create=False) as imported:
        group = imported.group("CVE-2021-21330")
        assert group is not None
        assert group.records == ("PYSEC-2021-76",)
        kev = imported.enrichment("CVE-2025-48384").kev
        assert kev is not None
        assert kev.vendor == "Git"
    assert (dest.stat().st_mode & 0o777) != 0o600  # readable like any store
    assert sorted(p.name for p in dest.parent.iterdir()) == ["advisories.db"]


def test_the_manifest_pins_the_payload(bundle: Path, keys: tuple[SigningKey, VerifyKey]) -> None:
    found = members(bundle)
    assert list(found) == [MANIFEST, SIGNATURE, PAYLOAD]
    manifest = Manifest.from_bytes(found[MANIFEST])

    assert manifest.payload.sha256 == hashlib.sha256(found[PAYLOAD]).hexdigest()
    unpacked = zstd.decompress(found[PAYLOAD])
    assert manifest.payload.store_sha256 == hashlib.sha256(unpacked).hexdigest()
    assert unpacked.startswith(b"SQLite format 3\0")
    assert read_bundle(bundle, trusted=[keys[1]])[1] == keys[1].id


def test_import_replaces_a_store_in_use_and_leaves_no_stale_wal(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    dest = tmp_path / "data" / "advisories.db"
    dest.parent.mkdir()
    with AdvisoryStore(dest) as old:
        sync(old, OsvDirectorySource(OSV / "npm", name="osv:npm"), workers=1)
    reader = sqlite3.connect(dest)  # a WAL left behind by a writer that never checkpointed
    reader.execute("PRAGMA journal_mode = WAL")
    reader.execute("PRAGMA wal_autocheckpoint = 0")
    reader.execute("INSERT INTO meta (key, value) VALUES ('note', 'old')")
    reader.close()

    import_bundle(bundle, dest, trusted=[keys[1]])

    assert fingerprint(dest) == (1540, ["kev", "osv:Go", "osv:PyPI"])
    with AdvisoryStore(dest, create=False) as opened:
        assert opened.group("GHSA-35jh-r3h4-6jhm") is None  # the npm store is gone


def tampered_payload(bundle: Path) -> None:
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    bundle.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (tampered_payload, "the payload's SHA-256 differs from the manifest's"),
        (lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), "truncated"),
        (lambda p: p.write_bytes(p.read_bytes()[:700]), "truncated"),
        (lambda p: p.write_bytes(b""), "not a bundle, or truncated"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(600)), "not a bundle"),
    ],
)
def test_damaged_bundles_are_refused_and_the_store_kept(
    tmp_path: Path,
    store: Path,
    bundle: Path,
    keys: tuple[SigningKey, VerifyKey],
    damage: object,
    message: str,
) -> None:
    before = fingerprint(store)
    damage(bundle)  # type: ignore[operator]
    with pytest.raises(BundleError, match=message):
        import_bundle(bundle, store, trusted=[keys[1]])
    assert fingerprint(store) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["advisories.db"]


def test_a_cut_payload_says_how_much_is_missing(
    bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    with tarfile.open(bundle) as tar:
        member = tar.getmember(PAYLOAD)
    payload = member.size
    bundle.write_bytes(bundle.read_bytes()[: member.offset_data + payload - 1000])
    with pytest.raises(BundleError, match=rf"payload has {payload - 1000} of {payload} bytes"):
        read_bundle(bundle, trusted=[keys[1]])


def test_an_altered_manifest_fails_its_signature(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    found = members(bundle)
    altered = found[MANIFEST].replace(b'"records": 1540', b'"records": 1541')
    assert altered != found[MANIFEST]
    forged = write_tar(
        tmp_path / "forged.tar",
        [(MANIFEST, altered), (SIGNATURE, found[SIGNATURE]), (PAYLOAD, found[PAYLOAD])],
    )
    with pytest.raises(BundleError, match=f"signature by key {keys[1].id} does not verify"):
        read_bundle(forged, trusted=[keys[1]])


def test_unsigned_bundles_need_consent(
    tmp_path: Path, store: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    out = tmp_path / "unsigned.tar"
    export_bundle(store, out)
    assert SIGNATURE not in members(out)
    with pytest.raises(BundleError, match="not signed; refusing it"):
        import_bundle(out, tmp_path / "a.db", trusted=[keys[1]])
    assert not (tmp_path / "a.db").exists()

    result = import_bundle(out, tmp_path / "a.db", trusted=[], allow_unsigned=True)

    assert (result.signed_by, result.signature_present) == (None, False)
    assert fingerprint(tmp_path / "a.db")[0] == 1540


def test_a_stripped_signature_is_an_unsigned_bundle(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    found = members(bundle)
    stripped = write_tar(
        tmp_path / "stripped.tar", [(MANIFEST, found[MANIFEST]), (PAYLOAD, found[PAYLOAD])]
    )
    with pytest.raises(BundleError, match="not signed"):
        read_bundle(stripped, trusted=[keys[1]])


def test_another_key_is_not_trusted(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    other = load_verify_key(generate(tmp_path / "other").public_path)
    with pytest.raises(BundleError, match=f"signed by key {keys[0].id}, which is not trusted"):
        read_bundle(bundle, trusted=[other])
    assert read_bundle(bundle, trusted=[other, keys[1]])[1] == keys[1].id  # rotation: any of them
    with pytest.raises(BundleError, match="no trusted key was given"):
        read_bundle(bundle, trusted=[])


def test_a_signed_bundle_must_still_hold_a_store(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    found = members(bundle)
    garbage = b"not an sqlite file " * 1000
    packed = zstd.compress(garbage)
    manifest = Manifest.from_bytes(found[MANIFEST])

    payload = dataclasses.replace(
        manifest.payload,
        size=len(packed),
        sha256=hashlib.sha256(packed).hexdigest(),
        store_size=len(garbage),
        store_sha256=hashlib.sha256(garbage).hexdigest(),
    )
    forged_manifest = dataclasses.replace(manifest, payload=payload).to_bytes()
    path = write_tar(
        tmp_path / "signed-garbage.tar",
        [(MANIFEST, forged_manifest), (SIGNATURE, signature(keys[0], forged_manifest)),
         (PAYLOAD, packed)],
    )  # fmt: skip
    dest = tmp_path / "advisories.db"
    with pytest.raises(BundleError, match="not a usable store"):
        import_bundle(path, dest, trusted=[keys[1]])
    assert list(tmp_path.glob("*advisories.db*")) == []

    bomb = zstd.compress(bytes(50 * 1024 * 1024))  # 50 MiB of zeros, a few KiB packed
    small = dataclasses.replace(
        payload, size=len(bomb), sha256=hashlib.sha256(bomb).hexdigest(), store_size=4096
    )
    bomb_manifest = dataclasses.replace(manifest, payload=small).to_bytes()
    path = write_tar(
        tmp_path / "bomb.tar",
        [(MANIFEST, bomb_manifest), (SIGNATURE, signature(keys[0], bomb_manifest)),
         (PAYLOAD, bomb)],
    )  # fmt: skip
    with pytest.raises(BundleError, match="decompresses to more than the manifest says"):
        import_bundle(path, dest, trusted=[keys[1]])
    assert list(tmp_path.glob("*advisories.db*")) == []


def test_foreign_members_are_refused(
    tmp_path: Path, bundle: Path, keys: tuple[SigningKey, VerifyKey]
) -> None:
    found = members(bundle)
    path = write_tar(tmp_path / "extra.tar", [("../evil", b"x"), *found.items()])
    with pytest.raises(BundleError, match=r"unexpected member '\.\./evil'"):
        read_bundle(path, trusted=[keys[1]])
    path = write_tar(tmp_path / "nomanifest.tar", [(PAYLOAD, found[PAYLOAD])])
    with pytest.raises(BundleError, match=r"no manifest\.json"):
        read_bundle(path, trusted=[keys[1]])
    newer = found[MANIFEST].replace(b'"format_version": 1', b'"format_version": 2')
    path = write_tar(
        tmp_path / "newer.tar",
        [(MANIFEST, newer), (SIGNATURE, signature(keys[0], newer)), (PAYLOAD, found[PAYLOAD])],
    )
    with pytest.raises(BundleError, match="bundle format version 2 is not 1"):
        read_bundle(path, trusted=[keys[1]])
