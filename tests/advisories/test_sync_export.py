"""Syncing an OSV ecosystem export served by a real HTTP server on loopback."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.conftest import OSV, Clock, doc_of, load_docs
from tests.advisories.export_server import (
    ExportServer,
    build_listing,
    build_zip,
    corrupt_member,
)
from vigil.advisories.errors import CorruptArchive, DownloadError
from vigil.advisories.sources.http import Downloader, Retry
from vigil.advisories.sources.osv_export import OsvExportSource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync

OpenStore = Callable[..., AdvisoryStore]
LATER = "2026-09-0{}T00:00:00Z"
# Most tests serve the records of three packages (about 190): enough for every case, quick to
# sync. The first test serves all 1,052.
PACKAGES = ("aiohttp", "ansible", "pillow")


def export_docs() -> list[dict[str, Any]]:
    index = json.loads((OSV / "pypi" / "index.json").read_text())["packages"]
    wanted = {rid for package in PACKAGES for rid in index[package]}
    return [d for d in load_docs("pypi") if d["id"] in wanted]


def publish(
    server: ExportServer, docs: list[dict[str, Any]], extra: dict[str, bytes] | None = None
) -> None:
    server.files = {"/PyPI/all.zip": build_zip(docs, extra), "/PyPI/modified_id.csv": b""}
    server.files["/PyPI/modified_id.csv"] = build_listing(docs)
    for doc in docs:
        server.files[f"/PyPI/{doc['id']}.json"] = json.dumps(doc).encode()


@pytest.fixture
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route temporary directories here, to check that failures leave none behind."""
    root = tmp_path / "scratch"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def server() -> Iterator[ExportServer]:
    export = ExportServer()
    publish(export, export_docs())
    with export.running():
        yield export


@pytest.fixture
def source_for(server: ExportServer, clock: Clock) -> Iterator[Callable[..., OsvExportSource]]:
    downloader = Downloader(
        timeout=5.0, retry=Retry(attempts=3, backoff=0.01), sleep=lambda _: None
    )

    def make(**options: Any) -> OsvExportSource:
        return OsvExportSource(
            "PyPI", base_url=server.base_url, downloader=downloader, clock=clock, **options
        )

    yield make
    downloader.close()


def first_sync(store: AdvisoryStore, source: OsvExportSource, server: ExportServer) -> None:
    report = sync(store, source)
    assert not report.unchanged
    server.log.clear()


def test_first_sync_imports_the_whole_export(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    docs = load_docs("pypi")
    publish(server, docs)
    store = open_store()
    progress: list[int] = []
    report = sync(store, source_for(), progress=progress.append)
    assert progress == [1000]
    assert not report.unchanged
    assert report.failures == ()
    assert report.diff.added == tuple(sorted(d["id"] for d in docs if "withdrawn" not in d))
    assert report.diff.withdrawn == tuple(sorted(d["id"] for d in docs if "withdrawn" in d))
    assert len(report.diff.withdrawn) == 18
    assert ("PyPI", "aiohttp") in report.diff.keys
    assert server.requests() == [("/PyPI/modified_id.csv", 200), ("/PyPI/all.zip", 200)]
    state = store.source_state("osv:PyPI")
    assert state is not None
    assert state.records == 1052
    assert state.fingerprint is not None
    assert state.fingerprint.get("watermark") == "2026-07-23T14:32:21.428028Z"
    assert state.fingerprint.get("etag") is not None
    assert store.lookup("PyPI", "AIOHTTP")[0].record_id == "PYSEC-2021-76"


def test_nothing_new_is_one_conditional_request(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    store = open_store()
    first_sync(store, source_for(), server)
    before = store.source_state("osv:PyPI")
    report = sync(store, source_for())
    assert report.unchanged
    assert report.diff.is_empty
    assert server.requests() == [("/PyPI/modified_id.csv", 304)]
    after = store.source_state("osv:PyPI")
    assert before is not None
    assert after is not None
    assert after.checked_at is not None
    assert before.checked_at is not None
    assert after.checked_at > before.checked_at
    assert after.synced_at == before.synced_at


def test_without_a_listing_the_zip_itself_is_asked_conditionally(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    store = open_store()
    first_sync(store, source_for(incremental=False), server)
    assert sync(store, source_for(incremental=False)).unchanged
    assert server.requests() == [("/PyPI/all.zip", 304)]


def changed_export() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The pypi export with three records changed, one withdrawn and one added."""
    docs = {d["id"]: d for d in export_docs()}
    fixed = docs["PYSEC-2021-76"]
    fixed["modified"] = LATER.format(1)
    fixed["affected"][0]["ranges"][1]["events"][1] = {"fixed": "3.7.5"}
    moved = docs["PYSEC-2023-120"]
    moved["modified"] = LATER.format(2)
    moved["affected"][0]["package"] = {"ecosystem": "PyPI", "name": "aiohttp-server"}
    summary = docs["PYSEC-2013-1"]
    summary["modified"] = LATER.format(3)
    summary["summary"] = "Now with a summary"
    gone = docs["PYSEC-2024-26"]
    gone["modified"] = LATER.format(4)
    gone["withdrawn"] = LATER.format(4)
    new = doc_of("PYSEC-2021-76")
    new.update(id="PYSEC-2026-9999", modified=LATER.format(5), aliases=["CVE-2026-99999"])
    new["affected"][0]["package"] = {"ecosystem": "PyPI", "name": "Brand_New"}
    docs[new["id"]] = new
    return list(docs.values()), new


def test_incremental_sync_fetches_only_what_changed(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    store = open_store()
    first_sync(store, source_for(), server)
    docs, _ = changed_export()
    publish(server, docs)
    report = sync(store, source_for())
    diff = report.diff
    assert (diff.added, diff.modified, diff.withdrawn, diff.removed) == (
        ("PYSEC-2026-9999",),
        ("PYSEC-2013-1", "PYSEC-2021-76", "PYSEC-2023-120"),
        ("PYSEC-2024-26",),
        (),
    )
    assert diff.keys == (
        ("PyPI", "aiohttp"),
        ("PyPI", "aiohttp-server"),
        ("PyPI", "ansible"),
        ("PyPI", "brand-new"),
    )
    # The listing, the five changed records, and the previous newest record (a tie with the
    # watermark is fetched again rather than risk missing a record stamped the same second).
    assert sorted(server.requests()) == [
        ("/PyPI/PYSEC-2013-1.json", 200),
        ("/PyPI/PYSEC-2021-76.json", 200),
        ("/PyPI/PYSEC-2023-120.json", 200),
        ("/PyPI/PYSEC-2024-26.json", 200),
        ("/PyPI/PYSEC-2026-3496.json", 200),
        ("/PyPI/PYSEC-2026-9999.json", 200),
        ("/PyPI/modified_id.csv", 200),
    ]
    assert "PYSEC-2024-26" not in {c.record_id for c in store.lookup("PyPI", "aiohttp")}
    assert [c.record_id for c in store.lookup("PyPI", "brand.new")] == ["PYSEC-2026-9999"]
    fixed = store.get("PYSEC-2021-76")
    assert fixed is not None
    assert fixed.affected[0].ranges[1].events[1].value == "3.7.5"
    group = store.group("CVE-2026-99999")
    assert group is not None
    assert group.records == ("PYSEC-2026-9999",)
    state = store.source_state("osv:PyPI")
    assert state is not None
    assert state.fingerprint is not None
    assert state.fingerprint.get("watermark") == "2026-09-05T00:00:00.000000Z"
    assert (state.records, store.info().records) == (len(docs), len(docs))


def test_too_many_changes_fall_back_to_the_zip(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    store = open_store()
    first_sync(store, source_for(), server)
    docs, _ = changed_export()
    publish(server, docs)
    report = sync(store, source_for(max_incremental=3))
    assert report.diff.added == ("PYSEC-2026-9999",)
    assert server.requests() == [("/PyPI/modified_id.csv", 200), ("/PyPI/all.zip", 200)]


def test_a_full_refresh_removes_records_gone_upstream(
    open_store: OpenStore,
    source_for: Callable[..., OsvExportSource],
    server: ExportServer,
    clock: Clock,
) -> None:
    store = open_store()
    first_sync(store, source_for(), server)
    publish(server, [d for d in export_docs() if d["id"] != "PYSEC-2021-76"])
    clock.now += timedelta(days=8)
    report = sync(store, source_for())
    assert report.diff.removed == ("PYSEC-2021-76",)
    assert report.diff.keys == (("PyPI", "aiohttp"),)
    assert store.get("PYSEC-2021-76") is None


def test_a_corrupt_zip_leaves_the_store_as_it_was(
    open_store: OpenStore,
    source_for: Callable[..., OsvExportSource],
    server: ExportServer,
    scratch_root: Path,
) -> None:
    store = open_store()
    first_sync(store, source_for(incremental=False), server)
    before = store.info()
    docs, _ = changed_export()
    publish(server, docs)
    server.files["/PyPI/all.zip"] = corrupt_member(
        server.files["/PyPI/all.zip"], "PYSEC-2021-76.json"
    )
    with pytest.raises(CorruptArchive, match=r"member PYSEC-2021-76\.json fails its integrity"):
        sync(store, source_for(incremental=False))
    assert store.info() == before
    kept = store.get("PYSEC-2021-76")
    assert kept is not None
    assert kept.affected[0].ranges[1].events[1].value == "3.7.4"
    assert list(scratch_root.iterdir()) == []


def test_a_connection_dropped_mid_transfer(
    open_store: OpenStore,
    source_for: Callable[..., OsvExportSource],
    server: ExportServer,
    scratch_root: Path,
) -> None:
    store = open_store()
    first_sync(store, source_for(incremental=False), server)
    before = store.info()
    docs, _ = changed_export()
    publish(server, docs)
    server.faults["/PyPI/all.zip"] = ["drop"] * 3
    with pytest.raises(DownloadError, match=r"all\.zip: RemoteProtocolError.*after 3 attempts"):
        sync(store, source_for(incremental=False))
    assert store.info() == before
    assert list(scratch_root.iterdir()) == []
    # Dropped once, then served whole: the retry carries the sync through.
    server.faults["/PyPI/all.zip"] = ["drop"]
    report = sync(store, source_for(incremental=False))
    assert report.diff.added == ("PYSEC-2026-9999",)


def test_malformed_records_are_reported_and_the_rest_imported(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    docs = export_docs()
    broken_range = doc_of("PYSEC-2021-76")
    broken_range.update(id="PYSEC-2026-8888")
    broken_range["affected"][0]["ranges"][1]["events"] = [{"fixed": "1.0"}]
    publish(
        server,
        [*docs, broken_range],
        extra={"PYSEC-2026-7777.json": b'{"id": "PYSEC-2026-7777", "modified": '},
    )
    store = open_store()
    report = sync(store, source_for())
    assert [(f.record_id, f.location) for f in report.failures] == [
        ("PYSEC-2026-8888", "all.zip:PYSEC-2026-8888.json"),
        ("PYSEC-2026-7777", "all.zip:PYSEC-2026-7777.json"),
    ]
    assert "a range needs an introduced event" in report.failures[0].reason
    assert report.failures[1].reason.startswith("not JSON")
    assert len(report.diff.added) + len(report.diff.withdrawn) == len(docs)
    assert store.get("PYSEC-2026-8888") is None
    assert report.to_json()["failures"][1]["id"] == "PYSEC-2026-7777"


def test_a_record_malformed_in_an_update_keeps_its_previous_version(
    open_store: OpenStore, source_for: Callable[..., OsvExportSource], server: ExportServer
) -> None:
    store = open_store()
    first_sync(store, source_for(), server)
    docs, _ = changed_export()
    publish(server, docs)
    server.files["/PyPI/PYSEC-2021-76.json"] = b'{"id": "PYSEC-2021-76", "affected": 3}'
    report = sync(store, source_for())
    assert [f.record_id for f in report.failures] == ["PYSEC-2021-76"]
    assert "PYSEC-2021-76" not in report.diff.modified
    kept = store.get("PYSEC-2021-76")
    assert kept is not None
    assert kept.affected[0].ranges[1].events[1].value == "3.7.4"
