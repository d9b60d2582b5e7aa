"""The 500,000-record synthetic advisory store the matching benchmarks run against, cached.

The corpus is ``advisories_build``'s (real records of tests/data/osv with new ids, CVEs and
names, a power law of advisories per package); the store is built from it through the real
path, a local OSV zip synced by ``vigil.advisories.sync``, in a child process (it starts parse
workers of its own). The file is kept under ``${VIGIL_BENCH_CACHE:-~/.cache/vigil-bench}``,
keyed by the record count and by the sources that decide its content (the generator, the
encoder, the schema), so a change to any of them builds it again.

Also here: the package keys the store holds, for drawing realistic package sets.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
OSV = ROOT / "tests" / "data" / "osv"
_CONTENT = (
    ROOT / "benchmarks" / "advisories_build.py",
    ROOT / "benchmarks" / "matching_store.py",
    ROOT / "src" / "vigil" / "advisories" / "codec.py",
    ROOT / "src" / "vigil" / "advisories" / "match_entry.py",
    ROOT / "src" / "vigil" / "advisories" / "schema.py",
    ROOT / "src" / "vigil" / "advisories" / "writer.py",
)


def cache_root() -> Path:
    configured = os.environ.get("VIGIL_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "vigil-bench"


def ensure_store(records: int, *, real: bool = False) -> tuple[Path, dict[str, Any]]:
    """The store file for ``records`` synthetic records, built if missing; and build facts.

    ``real`` adds the real records of tests/data/osv (as a second source), so that the real
    packages of the fixtures have their real advisories among the synthetic ones.
    """
    digest = hashlib.sha256(f"{records} {real}".encode())
    for path in (*_CONTENT, *(_real_records() if real else ())):
        digest.update(path.read_bytes())
    name = f"advisories-{records}{'-real' if real else ''}"
    folder = cache_root() / f"{name}-{digest.hexdigest()[:12]}"
    db = folder / "advisories.db"
    if db.exists():
        return db, {"built": False, "path": str(db)}
    cache_root().mkdir(parents=True, exist_ok=True)
    for older in cache_root().glob(f"{name}-*"):
        shutil.rmtree(older, ignore_errors=True)  # a previous encoder's store
    with tempfile.TemporaryDirectory(dir=cache_root()) as scratch:
        work = Path(scratch)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        child = context.Process(target=_build, args=(records, work, out, real))
        child.start()
        facts: dict[str, Any] = out.get()
        child.join()
        if child.exitcode:
            raise SystemExit(f"building the benchmark store failed (exit {child.exitcode})")
        folder.mkdir()
        (work / "advisories.db").rename(db)
    return db, {"built": True, "path": str(db), **facts}


def _real_records() -> list[Path]:
    return sorted(p for p in OSV.rglob("*.json") if p.stem[:1].isupper())


def _build(records: int, work: Path, out: Any, real: bool) -> None:
    from benchmarks.advisories_build import write_export
    from vigil.advisories.sources.osv_local import OsvDirectorySource, OsvZipSource
    from vigil.advisories.store import AdvisoryStore
    from vigil.advisories.sync import sync

    started = time.perf_counter()
    write_export(work / "export", records)
    generated = time.perf_counter()
    with AdvisoryStore(work / "advisories.db") as store:
        report = sync(store, OsvZipSource(work / "export" / "all.zip"))
        facts: dict[str, Any] = {
            "generate_s": round(generated - started, 1),
            "sync_s": round(time.perf_counter() - generated, 1),
            "failures": len(report.failures),
        }
        if real:
            folder = work / "real"
            for path in _real_records():
                target = folder / path.relative_to(OSV)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            added = sync(store, OsvDirectorySource(folder, name="real", complete=False))
            facts["real_records"] = len(added.diff.added) + len(added.diff.withdrawn)
    out.put(facts)


class StoredKey(NamedTuple):
    """A package key of the store: ecosystem with release as a package carries it, and name."""

    ecosystem: str
    name: str
    entries: int  # live affected entries naming it
    versions: tuple[str, ...]  # the versions its entries' events and lists name


def stored_keys(db: Path) -> list[StoredKey]:
    """Every (ecosystem with release, name) the store indexes, with versions to ask about.

    Release-less entries (Alpine's converted records hold one) are left out: an OS package
    always has a release, and language entries have none anyway.
    """
    from vigil.advisories.match_entry import unpack

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT ecosystem, release, name, entry FROM affected WHERE live = 1 "
        "ORDER BY ecosystem, release, name"
    )
    keys: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for base, release, name, packed in rows:
        ecosystem = f"{base}:{release}" if release else base
        count, versions = keys.get((ecosystem, name), (0, set()))
        entry = unpack(packed)
        versions.update(v for _, events in entry.ranges for _, v in events if v != "0")
        versions.update(entry.versions)
        keys[(ecosystem, name)] = (count + 1, versions)
    conn.close()
    return [
        StoredKey(ecosystem, name, count, tuple(sorted(versions)))
        for (ecosystem, name), (count, versions) in keys.items()
        if versions and (":" in ecosystem or ecosystem not in ("Alpine", "Debian"))
    ]
