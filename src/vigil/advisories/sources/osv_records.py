"""Reading OSV JSON records out of a fetched blob, one ``Advisory`` or ``ParseFailure`` each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath

from vigil.advisories.codec import EncodedRecord, encode
from vigil.advisories.sources.archive import MAX_RECORD_BYTES, zip_members
from vigil.advisories.sources.base import FetchResult, ParseFailure
from vigil.domain import Advisory, InvalidAdvisory, parse_osv


def parse_record(
    data: bytes | None, location: str, *, missing_modified: datetime
) -> Advisory | ParseFailure:
    """One record file. Export files are named ``<id>.json``, so the name stands in for the id."""
    fallback = PurePosixPath(location.rpartition(":")[2]).stem or None
    if data is None or len(data) > MAX_RECORD_BYTES:
        return ParseFailure(fallback, location, f"larger than {MAX_RECORD_BYTES} bytes")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return ParseFailure(fallback, location, f"not JSON: {exc}")
    try:
        return parse_osv(document, missing_modified=missing_modified)
    except InvalidAdvisory as exc:
        return ParseFailure(exc.advisory_id or fallback, location, "; ".join(exc.errors[:5]))


def _sources(
    fetched: FetchResult, shard: int, shards: int
) -> Iterator[tuple[str, bytes | None, bytes | None]]:
    """``(location, JSON bytes, deflate stream if at hand)`` for every record file."""
    if fetched.layout == "file":  # one record
        if shard == 0:
            yield fetched.path.name, fetched.path.read_bytes()[: MAX_RECORD_BYTES + 1], None
        return
    if fetched.layout == "zip":
        for name, data, deflated in zip_members(fetched.path, shard, shards):
            yield f"{fetched.path.name}:{name}", data, deflated
        return
    for path in json_files(fetched.path)[shard::shards]:
        location = f"{fetched.path.name}:{path.relative_to(fetched.path).as_posix()}"
        size = path.stat().st_size
        yield location, path.read_bytes() if size <= MAX_RECORD_BYTES else None, None


def read_osv(
    fetched: FetchResult, shard: int = 0, shards: int = 1
) -> Iterator[Advisory | ParseFailure]:
    """Every ``.json`` record of a zip, a directory tree or one file, in a stable order.

    Records without ``modified`` (converted feeds) are stamped with the fetch time. ``shard``
    of ``shards`` reads every ``shards``-th record only.
    """
    for location, data, _ in _sources(fetched, shard, shards):
        yield parse_record(data, location, missing_modified=fetched.fetched_at)


def read_osv_encoded(
    fetched: FetchResult, shard: int = 0, shards: int = 1
) -> Iterator[EncodedRecord | ParseFailure]:
    """``read_osv``, each record encoded for the store with the very bytes it was read from."""
    for location, data, deflated in _sources(fetched, shard, shards):
        item = parse_record(data, location, missing_modified=fetched.fetched_at)
        yield item if isinstance(item, ParseFailure) else encode(item, data, deflated)


def json_files(root: Path) -> list[Path]:
    """The regular ``.json`` files under ``root`` (symbolic links are not followed)."""
    return sorted(p for p in root.rglob("*.json") if p.is_file() and not p.is_symlink())
