from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.advisories.conftest import load_advisories
from vigil.advisories.errors import StoreError
from vigil.advisories.match_entry import Events, MatchEntry, pack, unpack


def test_every_real_entry_round_trips() -> None:
    packed_kinds: set[type] = set()
    entries = 0
    for advisory in load_advisories():
        for affected in advisory.affected:
            if affected.package is None:
                continue
            entry = MatchEntry.of(affected.package.ecosystem, affected)
            packed = pack(entry)
            packed_kinds.add(type(packed))
            assert unpack(packed) == entry
            assert len(entry.ranges) == len(affected.ranges)  # positions name the record's
            for (kind, events), rng in zip(entry.ranges, affected.ranges, strict=True):
                assert kind == rng.type
                expected = () if kind == "GIT" else tuple((e.kind, e.value) for e in rng.events)
                assert events == expected
            assert set(entry.versions) <= set(affected.versions)  # what ranges do not cover
            entries += 1
    assert entries > 3000
    assert packed_kinds == {str}  # with covered versions left out, every one is short


def test_a_long_entry_is_deflated() -> None:
    entry = MatchEntry((), tuple(f"1.{n}" for n in range(300)))  # a list and no ranges
    packed = pack(entry)
    assert isinstance(packed, bytes)
    assert len(packed) < len(json.dumps(entry.versions)) / 2
    assert unpack(packed) == entry


def test_packed_form_is_text_split_by_control_characters() -> None:
    entry = MatchEntry(
        (("ECOSYSTEM", (("introduced", "0"), ("fixed", "1.2"))), ("GIT", ())), ("1.0", "1.1")
    )
    assert pack(entry) == "E\x1fi0\x1ff1.2\x1eG\x1d1.0\x1e1.1"
    assert unpack(pack(entry)) == entry
    assert pack(MatchEntry((), ())) == "\x1d"
    assert unpack("\x1d") == MatchEntry((), ())


@pytest.mark.parametrize(
    "entry",
    [
        MatchEntry((("SEMVER", (("introduced", "1\x1e0"), ("last_affected", "2"))),), ()),
        MatchEntry((("ECOSYSTEM", (("introduced", "0"), ("limit", "*"))),), ("", "1")),
        MatchEntry((), ("1\x1d",)),
    ],
)
def test_versions_holding_a_separator_are_written_as_json(entry: MatchEntry) -> None:
    packed = pack(entry)
    assert isinstance(packed, str)
    assert packed.startswith("[")
    assert unpack(packed) == entry


@pytest.mark.parametrize(
    "damaged",
    [
        "not json",
        "no group separator",
        "X\x1fi0\x1d",
        "E\x1fz1\x1d",
        "E\x1f\x1d",
        "[]",
        "[[], [], []]",
        '{"a": 1, "b": 2}',
        '[[["RANGE", []]], []]',
        '[[["ECOSYSTEM", [["introduced"]]]], []]',
        '[[["ECOSYSTEM", [["withdrawn", "1"]]]], []]',
        '[[["ECOSYSTEM", [["fixed", 1]]]], []]',
        '[[["ECOSYSTEM", {"fixed": "1"}]], []]',
        '[[[["ECOSYSTEM"], []]], []]',
        '[[], "1.0"]',
        "[[], [1]]",
        b"\x00\x01 not deflate",
        zlib.compress(b"[[], []]"),  # a zlib stream, not the bare deflate the store writes
        12,
        None,
    ],
)
def test_a_damaged_entry_is_a_store_error(damaged: object) -> None:
    with pytest.raises(StoreError, match="damaged match entry"):
        unpack(damaged)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=20,
)


@given(_json)
def test_any_json_either_unpacks_or_is_a_store_error(value: object) -> None:
    try:
        entry = unpack(json.dumps(value))
    except StoreError:
        return
    assert isinstance(entry, MatchEntry)
    assert all(isinstance(v, str) for v in entry.versions)


@given(st.binary(max_size=64))
def test_any_blob_either_unpacks_or_is_a_store_error(blob: bytes) -> None:
    try:
        entry = unpack(blob)
    except StoreError:
        return
    assert isinstance(entry, MatchEntry)


@given(st.text(max_size=40))
def test_any_text_either_unpacks_or_is_a_store_error(text: str) -> None:
    try:
        entry = unpack(text)
    except StoreError:
        return
    assert isinstance(entry, MatchEntry)


_events = st.lists(
    st.tuples(st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), st.text()),
    max_size=4,
).map(tuple)


@given(
    st.lists(st.tuples(st.sampled_from(["ECOSYSTEM", "SEMVER"]), _events), max_size=3).map(tuple),
    st.lists(st.text(max_size=6), max_size=5).map(tuple),
)
def test_any_entry_round_trips(
    ranges: tuple[tuple[str, Events], ...], versions: tuple[str, ...]
) -> None:
    entry = MatchEntry(ranges, versions)
    assert unpack(pack(entry)) == entry
