"""Reading one CVE's enrichment back out of the store's nvd, cvss, epss and kev tables."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from vigil.advisories.codec import parse_timestamp
from vigil.advisories.enrichment import CveRecord, CvssScore, Enrichment, EpssScore, KevEntry


def read_enrichment(conn: sqlite3.Connection, cve: str) -> Enrichment:
    return Enrichment(cve, _nvd(conn, cve), _epss(conn, cve), _kev(conn, cve))


def _nvd(conn: sqlite3.Connection, cve: str) -> CveRecord | None:
    row = conn.execute(
        "SELECT status, published, last_modified, description, cwes, refs FROM nvd WHERE cve = ?",
        (cve,),
    ).fetchone()
    if row is None:
        return None
    status, published, last_modified, description, cwes, refs = row
    scores = conn.execute(
        "SELECT version, scorer, vector, base_score, severity, is_primary FROM cvss "
        "WHERE cve = ? ORDER BY version DESC, is_primary DESC, scorer",
        (cve,),
    ).fetchall()
    return CveRecord(
        id=cve,
        status=status,
        published=parse_timestamp(published) if published else None,
        last_modified=parse_timestamp(last_modified),
        description=description,
        cwes=tuple(json.loads(cwes)),
        references=tuple(json.loads(refs)),
        cvss=tuple(
            CvssScore(cve, version, vector, score, severity, scorer, bool(primary))
            for version, scorer, vector, score, severity, primary in scores
        ),
    )


def _epss(conn: sqlite3.Connection, cve: str) -> EpssScore | None:
    row = conn.execute(
        "SELECT score, percentile, scored_on FROM epss WHERE cve = ?", (cve,)
    ).fetchone()
    if row is None:
        return None
    return EpssScore(cve, row[0], row[1], date.fromisoformat(row[2]))


def _kev(conn: sqlite3.Connection, cve: str) -> KevEntry | None:
    row = conn.execute(
        "SELECT vendor, product, name, date_added, due_date, required_action, ransomware, "
        "notes, cwes FROM kev WHERE cve = ?",
        (cve,),
    ).fetchone()
    if row is None:
        return None
    vendor, product, name, added, due, action, ransomware, notes, cwes = row
    return KevEntry(
        cve=cve,
        vendor=vendor,
        product=product,
        name=name,
        date_added=date.fromisoformat(added),
        due_date=date.fromisoformat(due) if due else None,
        required_action=action,
        ransomware=ransomware,
        notes=notes,
        cwes=tuple(json.loads(cwes)),
    )
