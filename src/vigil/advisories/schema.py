"""The advisory store's SQLite schema, its version stamp and how a file is opened.

The file identifies itself with ``PRAGMA application_id`` and carries its schema version in
``PRAGMA user_version``; a file from a newer Vigil, or one that is not an advisory store at all,
is refused rather than guessed at. There are no migrations yet: the store is a derived artifact,
so an older schema is rebuilt from its sources.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vigil.advisories.errors import StoreError

SCHEMA_VERSION = 2  # 2: affected.entry, the packed match entry
APPLICATION_ID = 0x56474C41  # "VGLA"

# records.doc is the record's OSV JSON as published, a bare deflate stream; ``modified`` is
# authoritative in its own column; ``digest`` hashes the content (see codec.py).
# affected holds one row per ``affected[idx]`` entry with a package, carrying the record id and
# whether the record is live (not withdrawn): its primary key is the lookup path, so a lookup is
# a range scan (two with a release: that release and none) of a clustered index, touching no
# other table. ``entry`` is the affected entry's ranges and versions, packed (match_entry.py), so
# that a matcher decides from the index row alone.
# links holds aliases/upstream/related; ``joins`` marks the edges that make two ids one
# vulnerability (see groups.py). groups maps every id to its vulnerability's display id.
# nvd, cvss, epss and kev are the CVE-keyed enrichment tables (enrichment.py); lists are JSON.
_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    fingerprint TEXT,
    watermark TEXT,
    synced_at TEXT,
    checked_at TEXT,
    records INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE records (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn TEXT,
    digest BLOB NOT NULL,
    doc BLOB NOT NULL
);
CREATE INDEX records_source ON records (source);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    release TEXT NOT NULL,
    record_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    rid INTEGER NOT NULL,
    live INTEGER NOT NULL,
    entry NOT NULL,
    PRIMARY KEY (ecosystem, name, release, record_id, idx)
) WITHOUT ROWID;
CREATE INDEX affected_rid ON affected (rid);
CREATE TABLE links (
    rid INTEGER NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    joins INTEGER NOT NULL,
    PRIMARY KEY (rid, target, kind)
) WITHOUT ROWID;
CREATE INDEX links_target ON links (target);
CREATE TABLE groups (member TEXT PRIMARY KEY, group_id TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX groups_group ON groups (group_id);
CREATE TABLE nvd (
    cve TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    published TEXT,
    last_modified TEXT NOT NULL,
    description TEXT,
    cwes TEXT NOT NULL,
    refs TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE cvss (
    cve TEXT NOT NULL,
    version TEXT NOT NULL,
    scorer TEXT NOT NULL,
    vector TEXT NOT NULL,
    base_score REAL,
    severity TEXT,
    is_primary INTEGER NOT NULL,
    PRIMARY KEY (cve, version, scorer, vector)
) WITHOUT ROWID;
CREATE TABLE epss (
    cve TEXT PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL,
    scored_on TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE kev (
    cve TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    name TEXT NOT NULL,
    date_added TEXT NOT NULL,
    due_date TEXT,
    required_action TEXT NOT NULL,
    ransomware TEXT NOT NULL,
    notes TEXT NOT NULL,
    cwes TEXT NOT NULL
) WITHOUT ROWID;
"""


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (or create) an advisory store file and check its identity and schema version.

    The connection is in autocommit mode: writers issue their own ``BEGIN IMMEDIATE`` so that a
    whole sync batch is one transaction.
    """
    if not create and not path.exists():
        raise StoreError(f"{path}: no advisory store here")
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not an advisory store ({exc})") from None
    if app_id == 0 and version == 0 and tables == 0:
        _create(conn)
    elif app_id != APPLICATION_ID:
        conn.close()
        raise StoreError(f"{path}: not an advisory store (application id {app_id:#x})")
    elif version != SCHEMA_VERSION:
        conn.close()
        newer = "a newer Vigil" if version > SCHEMA_VERSION else "an older Vigil; rebuild it"
        raise StoreError(f"{path}: schema version {version} is from {newer}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    # Another process may have created the schema between our check and the lock.
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        for statement in _DDL.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
