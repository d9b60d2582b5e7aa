"""The bulk reads a matcher uses: ``lookup_many`` and ``group_heads``, held to the single ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.advisories.conftest import FEED_TIME, doc_of, load_advisories
from vigil.advisories.match_entry import MatchEntry, unpack
from vigil.advisories.normalize import normalize_name
from vigil.advisories.store import AdvisoryStore, GroupHead
from vigil.domain import Advisory, parse_osv


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdvisoryStore]:
    opened = AdvisoryStore(tmp_path_factory.mktemp("bulk") / "advisories.db")
    with opened.batch("fixtures", complete=False) as batch:
        for advisory in load_advisories():
            batch.put(advisory)
        batch.commit(None)
    yield opened
    opened.close()


def _names(store: AdvisoryStore, ecosystem: str) -> list[str]:
    """Every name the index holds for ``ecosystem`` (of its release, or of none, if given)."""
    base, _, release = ecosystem.partition(":")
    conn = store._conn  # the test reads the index directly to know every stored name
    rows = conn.execute(
        "SELECT DISTINCT name FROM affected WHERE ecosystem = ? AND (? = '' OR release IN (?, ''))",
        (base, release, release),
    )
    return sorted(name for (name,) in rows)


@pytest.mark.parametrize("ecosystem", ["PyPI", "npm", "Go", "Alpine", "Alpine:v3.8", "Debian:11"])
def test_lookup_many_answers_as_lookup_does_name_by_name(
    store: AdvisoryStore, ecosystem: str
) -> None:
    stored = _names(store, ecosystem)
    # Absent names, spellings the store folds, and more names than one query takes (500).
    absent = [f"absent-{n}" for n in range(700)]
    asked = [*stored, *absent, *(name.upper() for name in stored[:20])]
    found = store.lookup_many(ecosystem, asked)
    assert found  # the ecosystem has records here
    assert not set(found) & set(absent)
    answered = 0
    for name in asked:
        single = store.lookup(ecosystem, name)
        key = normalize_name(ecosystem, name)
        if not single:
            assert key not in found
            continue
        assert [(*c[:3], c.entry) for c in found[key]] == [(*c[:3], c.entry) for c in single]
        answered += 1
    folded = sum(normalize_name(ecosystem, name.upper()) in stored for name in stored[:20])
    assert answered == len(stored) + folded


def test_the_packed_entry_is_the_records_own(store: AdvisoryStore) -> None:
    checked = 0
    for candidate in store.lookup_many("Debian", ["openjdk-11", "curl", "gnutls28"])["curl"]:
        assert unpack(candidate.entry) == MatchEntry.of(candidate.ecosystem, candidate.affected)
        checked += 1
    for candidates in store.lookup_many("PyPI", ["django", "jinja2", "urllib3"]).values():
        for candidate in candidates:
            assert unpack(candidate.entry) == MatchEntry.of(candidate.ecosystem, candidate.affected)
            checked += 1
    assert checked > 50


def test_withdrawn_entries_only_on_request(tmp_path: Path) -> None:
    with AdvisoryStore(tmp_path / "a.db") as store:
        doc = doc_of("PYSEC-2021-76")
        doc["withdrawn"] = "2026-01-01T00:00:00Z"
        with store.batch("x", complete=False) as batch:
            batch.put(parse_osv(doc, missing_modified=FEED_TIME))
            batch.commit(None)
        assert store.lookup_many("PyPI", ["aiohttp"]) == {}
        found = store.lookup_many("PyPI", ["aiohttp"], include_withdrawn=True)
        assert [c.record_id for c in found["aiohttp"]] == ["PYSEC-2021-76"]


def test_group_heads_agree_with_group_for_every_record(store: AdvisoryStore) -> None:
    advisories: list[Advisory] = load_advisories()
    ids = [a.id for a in advisories]
    heads = store.group_heads([*ids, "NO-SUCH-ID"])
    assert "NO-SUCH-ID" not in heads
    bundles = 0
    for record_id in ids:
        group = store.group(record_id)
        assert group is not None
        assert heads[record_id] == GroupHead(group.id, group.covers)
        bundles += bool(group.covers)
    assert bundles > 10  # DSA bundles are among the real records
    assert heads["DSA-5000-1"].covers[:2] == ("CVE-2021-35550", "CVE-2021-35556")


def test_a_candidates_entry_alone_equals_the_records_entry(store: AdvisoryStore) -> None:
    checked = 0
    for ecosystem, names in (("PyPI", ["django", "jinja2"]), ("Debian:11", ["openjdk-11"])):
        for candidates in store.lookup_many(ecosystem, names).values():
            for candidate in candidates:
                assert candidate.affected == candidate.advisory.affected[candidate.affected_index]
                checked += 1
    assert checked > 20
