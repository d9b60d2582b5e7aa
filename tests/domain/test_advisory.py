from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vigil.domain import InvalidAdvisory, parse_osv

OSV = Path(__file__).parent.parent / "data" / "osv"
FEED_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def minimal(**extra: Any) -> dict[str, Any]:
    return {"id": "TEST-1", "modified": "2024-05-01T10:00:00Z", **extra}


def test_every_real_record_parses() -> None:
    # Record files are named by their upper-case ids; index.json and _provenance.json are not.
    paths = [p for p in OSV.glob("*/*.json") if p.stem[0].isupper()]
    assert len(paths) > 3000
    for path in paths:
        advisory = parse_osv(json.loads(path.read_text()), missing_modified=FEED_TIME)
        assert advisory.id == path.stem


def test_fields_are_typed() -> None:
    doc = json.loads((OSV / "pypi" / "PYSEC-2026-421.json").read_text())
    advisory = parse_osv(doc)
    assert advisory.modified.tzinfo is not None
    assert "CVE-2026-2635" in advisory.aliases
    package = advisory.affected[0].package
    assert package is not None
    assert (package.name, package.ecosystem) == ("mlflow", "PyPI")
    events = advisory.affected[0].ranges[0].events
    assert [(e.kind, e.value) for e in events] == [("introduced", "0"), ("fixed", "3.8.0rc0")]


def test_round_trip_keeps_the_osv_shape() -> None:
    doc = minimal(
        aliases=["CVE-2024-1"],
        affected=[
            {
                "package": {"ecosystem": "PyPI", "name": "a"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}]}],
                "versions": ["0.5"],
            }
        ],
    )
    out = parse_osv(doc).to_osv()
    assert out["affected"][0]["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "1"}]
    assert out["aliases"] == ["CVE-2024-1"]


def test_converted_feeds_without_modified_take_published_or_the_feed_time() -> None:
    doc = {"id": "DSA-1-1", "published": "2020-01-01T00:00:00Z"}
    with pytest.raises(InvalidAdvisory, match="modified"):
        parse_osv(doc)
    assert parse_osv(doc, missing_modified=FEED_TIME).modified.year == 2020
    assert parse_osv({"id": "X"}, missing_modified=FEED_TIME).modified == FEED_TIME


def test_withdrawn() -> None:
    assert parse_osv(minimal(withdrawn="2024-06-01T00:00:00Z")).is_withdrawn


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"modified": "2024-05-01T10:00:00Z"}, "id: Field required"),
        (minimal(modified="yesterday"), "modified:"),
        (minimal(modified="2024-05-01T10:00:00"), "timezone"),
        (minimal(severity=[{"type": "CVSS_V9", "score": "x"}]), "severity[0].type"),
        (
            minimal(affected=[{"ranges": [{"type": "RANGE", "events": [{"introduced": "0"}]}]}]),
            "affected[0].ranges[0].type",
        ),
        (
            minimal(affected=[{"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}]),
            "a GIT range needs a repo",
        ),
        (
            minimal(affected=[{"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}]}]),
            "needs an introduced event",
        ),
        (
            minimal(affected=[{"ranges": [{"type": "ECOSYSTEM", "events": []}]}]),
            "at least one event",
        ),
        (
            minimal(
                affected=[
                    {
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [
                                    {"introduced": "0"},
                                    {"fixed": "1"},
                                    {"last_affected": "2"},
                                ],
                            }
                        ]
                    }
                ]
            ),
            "may not mix",
        ),
        (
            minimal(
                affected=[
                    {
                        "ranges": [
                            {"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}
                        ]
                    }
                ]
            ),
            "affected[0].ranges[0].events[0]: an event needs exactly one",
        ),
        (
            minimal(affected=[{"package": {"name": "x"}}]),
            "affected[0].package.ecosystem: Field required",
        ),
        (minimal(references=[{"type": "BLOG", "url": "https://x"}]), "references[0].type"),
        (minimal(aliases="CVE-1"), "aliases"),
    ],
)
def test_malformed_records_are_reported_precisely(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidAdvisory) as info:
        parse_osv(doc)
    assert message in str(info.value)


def test_non_object_documents_are_rejected() -> None:
    with pytest.raises(InvalidAdvisory, match="expected a JSON object"):
        parse_osv(["not", "a", "record"])
