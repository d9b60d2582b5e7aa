from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.conftest import FEED_TIME, doc_of, load_advisories
from vigil.advisories import group_index
from vigil.advisories.errors import StoreError, SyncError
from vigil.advisories.normalize import PackageKey, index_key
from vigil.advisories.schema import SCHEMA_VERSION
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Advisory, parse_osv

OpenStore = Callable[..., AdvisoryStore]


def put_all(store: AdvisoryStore, advisories: list[Advisory], source: str = "fixtures") -> None:
    with store.batch(source, complete=False) as batch:
        for advisory in advisories:
            batch.put(advisory)
        batch.commit(None)


def advisory(doc: dict[str, Any]) -> Advisory:
    return parse_osv(doc, missing_modified=FEED_TIME)


@pytest.fixture(scope="module")
def fixtures() -> list[Advisory]:
    return load_advisories()


def test_every_real_record_round_trips(open_store: OpenStore, fixtures: list[Advisory]) -> None:
    store = open_store()
    with store.batch("fixtures", complete=True) as batch:
        for item in fixtures:
            batch.put(item)
        diff = batch.commit(None)
    assert diff.added == tuple(sorted(a.id for a in fixtures if not a.is_withdrawn))
    assert diff.withdrawn == tuple(sorted(a.id for a in fixtures if a.is_withdrawn))
    for item in fixtures:
        assert store.get(item.id) == item
    info = store.info()
    assert (info.records, info.withdrawn, info.schema_version) == (3107, 20, SCHEMA_VERSION)
    (state,) = info.sources
    assert (state.name, state.records) == ("fixtures", 3107)


def test_lookup_finds_exactly_the_entries_naming_a_package(
    open_store: OpenStore, fixtures: list[Advisory]
) -> None:
    store = open_store()
    put_all(store, fixtures)
    expected: dict[PackageKey, set[tuple[str, int]]] = defaultdict(set)
    for item in fixtures:
        for index, entry in enumerate(item.affected):
            if entry.package and not item.is_withdrawn:
                expected[index_key(entry.package.ecosystem, entry.package.name)].add(
                    (item.id, index)
                )
    assert len(expected) == 323
    for key, hits in expected.items():
        found = store.lookup(key.ecosystem, key.name)
        assert {(c.record_id, c.affected_index) for c in found} == hits


def test_lookup_normalises_and_decodes_lazily(
    open_store: OpenStore, fixtures: list[Advisory]
) -> None:
    store = open_store()
    put_all(store, fixtures)
    found = store.lookup("PyPI", "AioHTTP")
    assert [c.record_id for c in found] == [c.record_id for c in store.lookup("PyPI", "aiohttp")]
    first = found[0]
    assert first.record_id == "PYSEC-2021-76"
    assert first.affected.package is not None
    assert first.affected.package.name == "aiohttp"
    assert first.advisory is first.advisory  # decoded once, then cached
    assert store.lookup("PyPI", "no-such-package") == []


def test_a_release_narrows_the_lookup(open_store: OpenStore, fixtures: list[Advisory]) -> None:
    store = open_store()
    put_all(store, fixtures)
    every = store.lookup("Alpine", "openssl")
    v38 = store.lookup("Alpine:v3.8", "openssl")
    # The converted records carry one release-less "Alpine" entry that holds for every release.
    assert {c.ecosystem for c in v38} == {"Alpine:v3.8", "Alpine"}
    assert {c.ecosystem for c in every} > {"Alpine:v3.8", "Alpine:v3.2", "Alpine"}
    assert {(c.record_id, c.affected_index) for c in v38} < {
        (c.record_id, c.affected_index) for c in every
    }
    assert ("ALPINE-CVE-2016-2105", 6) in {(c.record_id, c.affected_index) for c in v38}
    for candidate in v38:
        assert candidate.affected.package is not None
        assert candidate.affected.package.ecosystem == candidate.ecosystem


def test_withdrawn_records_are_kept_but_not_candidates(open_store: OpenStore) -> None:
    store = open_store()
    doc = doc_of("PYSEC-2021-76")
    put_all(store, [advisory(doc)])
    assert [c.record_id for c in store.lookup("PyPI", "aiohttp")] == ["PYSEC-2021-76"]
    put_all(store, [advisory({**doc, "withdrawn": "2026-01-01T00:00:00Z"})])
    assert store.lookup("PyPI", "aiohttp") == []
    assert [c.record_id for c in store.lookup("PyPI", "aiohttp", include_withdrawn=True)] == [
        "PYSEC-2021-76"
    ]
    got = store.get("PYSEC-2021-76")
    assert got is not None
    assert got.is_withdrawn


def test_get_by_alias_and_groups(open_store: OpenStore, fixtures: list[Advisory]) -> None:
    store = open_store()
    put_all(store, fixtures)
    by_alias = store.get("GHSA-v6wp-4m6f-gcjg")
    assert by_alias is not None
    assert by_alias.id == "PYSEC-2021-76"
    assert store.get("CVE-2099-0001") is None

    group = store.group("PYSEC-2021-76")
    assert group is not None
    assert group.id == "CVE-2021-21330"
    assert group.members == ("CVE-2021-21330", "GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76")
    assert group.records == ("PYSEC-2021-76",)

    # ALPINE-CVE-2012-6702 is that CVE; DSA-3597-1 and DLA-508-1 each fix it and CVE-2016-5300.
    expat = store.group("CVE-2012-6702")
    assert expat is not None
    assert expat.records == ("ALPINE-CVE-2012-6702",)
    assert expat.covered_by == ("DLA-508-1", "DSA-3597-1")
    dsa = store.group("DSA-3597-1")
    assert dsa is not None
    assert (dsa.id, dsa.records) == ("DSA-3597-1", ("DSA-3597-1",))
    assert dsa.covers == ("CVE-2012-6702", "CVE-2016-5300")
    assert store.group("CVE-2099-0001") is None


def test_related_ids_are_listed_but_not_joined(open_store: OpenStore) -> None:
    store = open_store()
    put_all(store, load_advisories("go"))
    group = store.group("GO-2022-0962")
    assert group is not None
    assert "CVE-2022-36049" in group.related
    assert "CVE-2022-36049" not in group.members


def test_the_diff_of_a_complete_snapshot(open_store: OpenStore) -> None:
    store = open_store()
    ids = ["PYSEC-2021-76", "GO-2021-0052", "DSA-4347-1", "ALPINE-CVE-2016-2105"]
    docs = {i: doc_of(i) for i in ids}
    with store.batch("osv", complete=True) as batch:
        for doc in docs.values():
            batch.put(advisory(doc))
        first = batch.commit(None)
    assert first.added == tuple(sorted(ids))

    renamed = {**docs["PYSEC-2021-76"], "modified": "2026-02-01T00:00:00Z"}
    renamed["affected"] = [
        {**renamed["affected"][0], "package": {"name": "aiohttp-fork", "ecosystem": "PyPI"}}
    ]
    withdrawn = {**docs["GO-2021-0052"], "withdrawn": "2026-02-01T00:00:00Z"}
    with store.batch("osv", complete=True) as batch:
        batch.put(advisory(renamed))
        batch.put(advisory(withdrawn))
        batch.put(advisory(docs["DSA-4347-1"]))  # unchanged
        batch.put(advisory(doc_of("GHSA-27h2-hvpr-p74q")))  # new
        # ALPINE-CVE-2016-2105 is absent: gone from the source
        diff = batch.commit(None)
    assert diff.added == ("GHSA-27h2-hvpr-p74q",)
    assert diff.modified == ("PYSEC-2021-76",)
    assert diff.withdrawn == ("GO-2021-0052",)
    assert diff.removed == ("ALPINE-CVE-2016-2105",)
    assert diff.keys == (
        ("Alpine", "openssl"),
        ("Go", "github.com/gin-gonic/gin"),
        ("PyPI", "aiohttp"),
        ("PyPI", "aiohttp-fork"),
        ("npm", "jsonwebtoken"),
    )
    assert store.get("ALPINE-CVE-2016-2105") is None
    assert store.lookup("PyPI", "aiohttp") == []
    assert [c.record_id for c in store.lookup("PyPI", "aiohttp_fork")] == ["PYSEC-2021-76"]


def test_resending_unchanged_records_changes_nothing(open_store: OpenStore) -> None:
    store = open_store()
    doc = doc_of("PYSEC-2021-76")
    put_all(store, [advisory(doc)])
    with store.batch("fixtures", complete=False) as batch:
        batch.put(advisory(doc))
        assert batch.commit(None).is_empty
    # A bare ``modified`` bump is stored but is no change worth re-matching.
    with store.batch("fixtures", complete=False) as batch:
        batch.put(advisory({**doc, "modified": "2026-05-05T00:00:00Z"}))
        assert batch.commit(None).is_empty
    got = store.get("PYSEC-2021-76")
    assert got is not None
    assert got.modified.year == 2026


def test_a_failed_batch_leaves_the_store_as_it_was(open_store: OpenStore) -> None:
    store = open_store()
    put_all(store, [advisory(doc_of("PYSEC-2021-76"))])
    before = store.info()

    def broken_sync() -> None:
        with store.batch("fixtures", complete=False) as batch:
            batch.put(advisory(doc_of("GO-2021-0052")))
            batch.put(advisory({**doc_of("PYSEC-2021-76"), "summary": "changed"}))
            raise RuntimeError("the source broke mid-way")

    with pytest.raises(RuntimeError):
        broken_sync()
    assert store.get("GO-2021-0052") is None
    kept = store.get("PYSEC-2021-76")
    assert kept is not None
    assert kept.summary is None
    assert store.info() == before


def test_a_snapshot_missing_most_records_is_refused(open_store: OpenStore) -> None:
    store = open_store()
    ids = ["PYSEC-2021-76", "GO-2021-0052", "DSA-4347-1", "ALPINE-CVE-2016-2105"]
    with store.batch("osv", complete=True) as batch:
        for i in ids:
            batch.put(advisory(doc_of(i)))
        batch.commit(None)
    batch = store.batch("osv", complete=True)
    with batch:
        batch.put(advisory(doc_of("PYSEC-2021-76")))
        with pytest.raises(SyncError, match="lacks 3 of the 4"):
            batch.commit(None)
    assert all(store.get(i) is not None for i in ids)


def test_malformed_records_are_kept_not_removed(open_store: OpenStore) -> None:
    store = open_store()
    ids = ["PYSEC-2021-76", "GO-2021-0052", "DSA-4347-1"]
    with store.batch("osv", complete=True) as batch:
        for i in ids:
            batch.put(advisory(doc_of(i)))
        batch.commit(None)
    with store.batch("osv", complete=True) as batch:
        batch.put(advisory(doc_of("PYSEC-2021-76")))
        batch.put(advisory(doc_of("DSA-4347-1")))
        batch.keep("GO-2021-0052")  # arrived malformed this time
        assert batch.commit(None).is_empty
    assert store.get("GO-2021-0052") is not None


def _groups(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT member, group_id FROM groups").fetchall())


def test_incremental_groups_equal_a_full_rebuild(
    open_store: OpenStore, fixtures: list[Advisory], tmp_path: Path
) -> None:
    store = open_store()
    for start in range(0, len(fixtures), 400):  # small batches: the incremental path
        put_all(store, fixtures[start : start + 400])
    # Re-point aliases so that groups split and merge.
    changes = [
        advisory({**doc_of("PYSEC-2021-76"), "aliases": ["CVE-2016-2105"]}),
        advisory({**doc_of("ALPINE-CVE-2016-2105"), "upstream": ["CVE-2016-2106"]}),
        advisory({**doc_of("GO-2021-0052"), "aliases": ["GHSA-v6wp-4m6f-gcjg"]}),
    ]
    put_all(store, changes)
    with store.batch("fixtures", complete=True, max_removal=1.0) as batch:
        for item in fixtures[:2000]:
            batch.put(item)
        batch.commit(None)
    store.close()
    incremental = _groups(store.path)
    copy = tmp_path / "rebuilt.db"
    shutil.copy(store.path, copy)
    with sqlite3.connect(copy) as conn:
        group_index.rebuild(conn)
    assert incremental == _groups(copy)
    assert len(incremental) > 3000


def test_files_that_are_not_stores_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not an advisory store"):
        AdvisoryStore(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not an advisory store"):
        AdvisoryStore(garbage)
    with pytest.raises(StoreError, match="no advisory store"):
        AdvisoryStore(tmp_path / "missing.db", create=False)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    AdvisoryStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer Vigil"):
        AdvisoryStore(path)
