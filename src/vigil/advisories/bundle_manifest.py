"""What a bundle's manifest says: the store's summary and the payload's sizes and hashes.

The summary (schema version, build time, per-source state and counts, live records per
ecosystem) is read from a store file with one query per table; ``vigil db status`` shows the
same summary for the store in use.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vigil.advisories.errors import AdvisoryError
from vigil.advisories.schema import SCHEMA_VERSION, connect

FORMAT = "vigil-advisory-bundle"
FORMAT_VERSION = 1
MAX_MANIFEST = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BundleError(AdvisoryError):
    """A bundle cannot be written, or is refused on import; nothing was replaced."""


@dataclass(frozen=True, slots=True)
class SourceSummary:
    name: str
    records: int
    watermark: str | None
    synced_at: str | None
    checked_at: str | None


@dataclass(frozen=True, slots=True)
class StoreSummary:
    schema_version: int
    created_at: str | None
    built_at: str | None  # the last committed sync: when the content was built
    records: int
    withdrawn: int
    sources: tuple[SourceSummary, ...]
    ecosystems: tuple[tuple[str, int], ...]  # live records naming a package of each ecosystem


@dataclass(frozen=True, slots=True)
class Payload:
    name: str
    compression: str
    size: int
    sha256: str
    store_size: int
    store_sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    store: StoreSummary
    payload: Payload
    exported_at: str
    vigil_version: str

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": self.exported_at,
            "vigil_version": self.vigil_version,
            "store": asdict(self.store),
            "payload": asdict(self.payload),
        }
        return json.dumps(document, indent=1, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            document = json.loads(data)
            if document.get("format") != FORMAT:
                raise BundleError("not a Vigil advisory bundle (manifest format)")
            if document.get("format_version") != FORMAT_VERSION:
                raise BundleError(
                    f"bundle format version {document.get('format_version')!r} is not "
                    f"{FORMAT_VERSION}; use the Vigil version that wrote it"
                )
            store = dict(document["store"])
            store["sources"] = tuple(SourceSummary(**s) for s in store["sources"])
            store["ecosystems"] = tuple((str(e), int(n)) for e, n in store["ecosystems"])
            manifest = cls(
                store=StoreSummary(**store),
                payload=Payload(**document["payload"]),
                exported_at=str(document["exported_at"]),
                vigil_version=str(document["vigil_version"]),
            )
        except BundleError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BundleError(f"the manifest is malformed ({type(exc).__name__})") from None
        payload = manifest.payload
        sizes_ok = all(isinstance(n, int) and n >= 0 for n in (payload.size, payload.store_size))
        hashes_ok = all(
            isinstance(h, str) and _SHA256.fullmatch(h)
            for h in (payload.sha256, payload.store_sha256)
        )
        if not (sizes_ok and hashes_ok):
            raise BundleError("the manifest's payload sizes or hashes are malformed")
        return manifest


def summarize(path: Path) -> StoreSummary:
    """The summary of the store file at ``path`` (``StoreError`` if it is not one)."""
    conn = connect(path, create=False)
    try:
        return summarize_connection(conn)
    finally:
        conn.close()


def summarize_connection(conn: sqlite3.Connection) -> StoreSummary:
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    records, withdrawn = conn.execute("SELECT count(*), count(withdrawn) FROM records").fetchone()
    sources = conn.execute(
        "SELECT name, records, watermark, synced_at, checked_at FROM sources ORDER BY name"
    ).fetchall()
    ecosystems = conn.execute(
        "SELECT ecosystem, count(DISTINCT record_id) FROM affected WHERE live = 1 "
        "GROUP BY ecosystem ORDER BY ecosystem"
    ).fetchall()
    return StoreSummary(
        schema_version=SCHEMA_VERSION,
        created_at=meta.get("created_at"),
        built_at=meta.get("updated_at"),
        records=records,
        withdrawn=withdrawn,
        sources=tuple(SourceSummary(*row) for row in sources),
        ecosystems=tuple((str(e), int(n)) for e, n in ecosystems),
    )


def summary_json(summary: StoreSummary) -> dict[str, Any]:
    out = asdict(summary)
    out["ecosystems"] = dict(summary.ecosystems)
    return out
