from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.advisories.conftest import FEED_TIME, doc_of, load_docs, record_paths
from tests.advisories.export_server import build_zip, corrupt_member
from vigil.advisories.errors import CorruptArchive
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.base import FetchResult, ParseFailure, Unchanged
from vigil.advisories.sources.osv_export import read_listing
from vigil.advisories.sources.osv_local import OsvDirectorySource, OsvZipSource
from vigil.advisories.sources.osv_records import parse_record
from vigil.domain import Advisory


def test_a_directory_of_real_records(tmp_path: Path) -> None:
    source = OsvDirectorySource(Path(__file__).parent.parent / "data" / "osv" / "go", name="go")
    fetched = source.fetch(None)
    assert isinstance(fetched, FetchResult)
    assert (fetched.layout, fetched.complete, fetched.scratch) == ("dir", True, None)
    items = list(source.parse(fetched))
    advisories = [i for i in items if isinstance(i, Advisory)]
    assert sorted(a.id for a in advisories) == sorted(p.stem for p in record_paths("go"))
    # index.json sits beside the records and is reported, not imported.
    (failure,) = [i for i in items if isinstance(i, ParseFailure)]
    assert (failure.record_id, failure.location) == ("index", "go:index.json")
    assert source.fetch(fetched.fingerprint) == Unchanged()


def test_a_changed_directory_is_fetched_again(tmp_path: Path) -> None:
    record = tmp_path / "GO-2021-0052.json"
    record.write_text(json.dumps(doc_of("GO-2021-0052")))
    source = OsvDirectorySource(tmp_path)
    first = source.fetch(None)
    assert isinstance(first, FetchResult)
    stat = record.stat()
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert isinstance(source.fetch(first.fingerprint), FetchResult)


def test_a_zip_export(tmp_path: Path) -> None:
    docs = load_docs("npm")
    path = tmp_path / "all.zip"
    path.write_bytes(build_zip(docs))
    source = OsvZipSource(path)
    fetched = source.fetch(None)
    assert isinstance(fetched, FetchResult)
    assert fetched.fingerprint.get("sha256") is not None
    items = list(source.parse(fetched))
    assert [i.id for i in items if isinstance(i, Advisory)] == [d["id"] for d in docs]
    assert source.fetch(fetched.fingerprint) == Unchanged()


def test_a_zip_failing_its_crc_is_refused_before_parsing(tmp_path: Path) -> None:
    docs = load_docs("npm")
    path = tmp_path / "all.zip"
    path.write_bytes(corrupt_member(build_zip(docs), "GHSA-35jh-r3h4-6jhm.json"))
    with pytest.raises(
        CorruptArchive, match=r"member GHSA-35jh-r3h4-6jhm\.json fails its integrity"
    ):
        OsvZipSource(path).fetch(None)
    (tmp_path / "cut.zip").write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CorruptArchive, match="not a readable zip"):
        OsvZipSource(tmp_path / "cut.zip").fetch(None)


def test_a_corrupt_member_met_while_parsing_raises(tmp_path: Path) -> None:
    docs = load_docs("npm")
    path = tmp_path / "all.zip"
    path.write_bytes(corrupt_member(build_zip(docs), docs[5]["id"] + ".json"))
    fetched = FetchResult(path, "zip", Fingerprint(), True, FEED_TIME)
    items = OsvZipSource(path).parse(fetched)
    for _ in range(5):
        assert isinstance(next(items), Advisory)
    with pytest.raises(
        CorruptArchive, match=f"member {docs[5]['id']}.json fails its integrity check"
    ):
        next(items)


@pytest.mark.parametrize(
    ("data", "record_id", "reason"),
    [
        (b"{not json", "GHSA-1", "not JSON"),
        (b"\xff\xfe", "GHSA-1", "not JSON"),
        (b"[]", "GHSA-1", "expected a JSON object"),
        (json.dumps({"id": "PYSEC-9", "modified": "yesterday"}).encode(), "PYSEC-9", "modified"),
        (
            json.dumps(
                {
                    "id": "PYSEC-8",
                    "modified": "2024-01-01T00:00:00Z",
                    "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}]}],
                }
            ).encode(),
            "PYSEC-8",
            r"affected\[0\]\.ranges\[0\]: a range needs an introduced event",
        ),
        (None, "GHSA-1", "larger than"),
    ],
)
def test_malformed_records_are_named(data: bytes | None, record_id: str, reason: str) -> None:
    result = parse_record(data, "all.zip:GHSA-1.json", missing_modified=FEED_TIME)
    assert isinstance(result, ParseFailure)
    assert result.record_id == record_id
    assert result.location == "all.zip:GHSA-1.json"
    assert re.search(reason, result.reason), result.reason


def test_records_without_modified_take_the_fetch_time() -> None:
    data = json.dumps(doc_of("DSA-4347-1")).encode()
    result = parse_record(data, "x:DSA-4347-1.json", missing_modified=FEED_TIME)
    assert isinstance(result, Advisory)
    assert result.modified == result.published


def test_reading_a_listing(tmp_path: Path) -> None:
    path = tmp_path / "modified_id.csv"
    path.write_text(
        "modified,id\n"
        "2026-02-01T10:00:00.5Z,PYSEC-2026-1\n"
        "2026-01-01T00:00:00Z,GHSA-abcd-efgh-ijkl\n"
        "2025-12-31T00:00:00Z,../../etc/passwd\n"
        "\n"
    )
    rows = read_listing(path)
    assert [(w.isoformat(), i) for w, i in rows] == [
        ("2026-02-01T10:00:00.500000+00:00", "PYSEC-2026-1"),
        ("2026-01-01T00:00:00+00:00", "GHSA-abcd-efgh-ijkl"),
    ]
    # Newest first: reading stops at the first row older than the watermark.
    since = datetime(2026, 1, 15, tzinfo=UTC)
    assert [i for _, i in read_listing(path, since=since)] == ["PYSEC-2026-1"]
