"""Encoding records for the store: from their bytes or from the model, here or in workers."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.advisories.conftest import FEED_TIME, load_docs
from tests.advisories.export_server import build_zip, corrupt_member
from vigil.advisories.codec import EncodedRecord, decode, encode
from vigil.advisories.errors import CorruptArchive
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.base import FetchResult, Unchanged
from vigil.advisories.sources.osv_local import OsvZipSource
from vigil.advisories.sources.osv_records import read_osv, read_osv_encoded
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync
from vigil.domain import Advisory

OpenStore = Callable[..., AdvisoryStore]


def table(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(sql).fetchall())


def test_two_workers_build_the_same_store(open_store: OpenStore, tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    # Every fifth real record: every ecosystem, bundles and alias groups, quick to parse twice.
    path.write_bytes(build_zip(load_docs()[::5], extra={"BROKEN-1.json": b"{"}))
    one, two = open_store("one.db"), open_store("two.db")
    serial = sync(one, OsvZipSource(path, clock=lambda: FEED_TIME), workers=1)
    parallel = sync(two, OsvZipSource(path, clock=lambda: FEED_TIME), workers=2)
    assert parallel.diff == serial.diff
    assert len(serial.diff.added) > 600
    assert parallel.failures == serial.failures
    assert [f.record_id for f in serial.failures] == ["BROKEN-1"]
    one.close()
    two.close()
    for sql in (
        "SELECT id, source, modified, withdrawn, digest FROM records",
        "SELECT ecosystem, name, release, r.id, idx FROM affected JOIN records r USING (rid)",
        "SELECT r.id, target, kind, joins FROM links JOIN records r USING (rid)",
        "SELECT member, group_id FROM groups",
    ):
        assert table(one.path, sql) == table(two.path, sql)


class _Unvalidated(OsvZipSource):
    """Skips the up-front check, to meet the corruption while parsing."""

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        return FetchResult(self.path, "zip", Fingerprint.of(sha256="x"), True, FEED_TIME)


@pytest.mark.parametrize("workers", [1, 2])
def test_corruption_met_while_parsing_rolls_back(
    open_store: OpenStore, tmp_path: Path, workers: int
) -> None:
    docs = load_docs("pypi")
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(build_zip(docs[:100]))
    store = open_store()
    sync(store, OsvZipSource(good, name="osv"))
    before = store.info()
    bad.write_bytes(corrupt_member(build_zip(docs[:300]), docs[250]["id"] + ".json"))
    with pytest.raises(CorruptArchive, match=f"member {docs[250]['id']}.json fails"):
        sync(store, _Unvalidated(bad, name="osv"), workers=workers)
    assert store.info() == before
    assert store.get(docs[200]["id"]) is None


def test_the_published_bytes_are_what_is_stored(open_store: OpenStore, tmp_path: Path) -> None:
    docs = load_docs("go")[:20]
    docs[0]["x_vendor_field"] = {"kept": True}  # unknown to the model, kept in the store
    path = tmp_path / "all.zip"
    path.write_bytes(build_zip(docs))
    store = open_store()
    sync(store, OsvZipSource(path, clock=lambda: FEED_TIME), workers=1)
    with zipfile.ZipFile(path) as archive:
        for doc in docs:
            assert store.document(doc["id"]) == archive.read(f"{doc['id']}.json")
    first = store.document(docs[0]["id"])
    assert first is not None
    assert json.loads(first)["x_vendor_field"] == {"kept": True}
    assert store.document("GO-0000-0000") is None


def test_encoding_from_bytes_equals_encoding_the_model(tmp_path: Path) -> None:
    docs = load_docs()[::7]
    path = tmp_path / "all.zip"
    path.write_bytes(build_zip(docs))
    fetched = FetchResult(path, "zip", Fingerprint(), True, FEED_TIME)
    parsed = [a for a in read_osv(fetched) if isinstance(a, Advisory)]
    encoded = [e for e in read_osv_encoded(fetched) if isinstance(e, EncodedRecord)]
    assert len(parsed) == len(encoded) > 400
    for advisory, record in zip(parsed, encoded, strict=True):
        model = encode(advisory)
        assert (record.id, record.digest, record.rows, record.links, record.modified) == (
            model.id,
            model.digest,
            model.rows,
            model.links,
            model.modified,
        )
        assert decode(record.doc, record.modified) == advisory
