"""RubyGems ordering and validity against Gem::Version."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import rubygems
from vigil.versions.scheme import InvalidVersion, compare_keys

PAIRS = rows("rubygems.jsonl")
INVALID = rows("rubygems_invalid.jsonl")
REAL_VERSIONS = sorted({v for r in PAIRS for v in (r["a"], r["b"])})


def _compare(a: str, b: str) -> int:
    return compare_keys(rubygems.parse(a), rubygems.parse(b))


def test_every_labelled_pair_agrees_with_gem_version() -> None:
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in PAIRS)
    assert not bad, f"{len(bad)} of {len(PAIRS)} disagree:\n" + "\n".join(bad[:20])


def test_native_order_wins_over_the_osv_zero_fixture() -> None:
    # osv.dev's fixture puts "0" first by OSV convention; Gem::Version says 0 > 0.0.0.rc0.
    (row,) = [r for r in PAIRS if r.get("agrees") is False]
    assert "0" in (row["a"], row["b"])
    assert _compare(row["a"], row["b"]) == row["cmp"] != row["expected"]


@pytest.mark.parametrize("row", INVALID, ids=lambda r: f"{r['a']}|{r['b']}")
def test_malformed_versions_raise(row: dict[str, str]) -> None:
    rejected = [v for v in (row["a"], row["b"]) if _rejects(v)]
    assert rejected, row
    assert row["error"].endswith(tuple(rejected))


def _rejects(version: str) -> bool:
    try:
        rubygems.parse(version)
    except InvalidVersion:
        return True
    return False


_OUTSIDE_PATTERN = ["1.", ".1", "1..2", "1.0-", "1.0-.a", "v1.0", "1.0 2", "1_0", "1.0+b", "-1"]


@pytest.mark.parametrize("version", [*_OUTSIDE_PATTERN, "\u0661.0"])
def test_outside_the_version_pattern_is_invalid(version: str) -> None:
    with pytest.raises(InvalidVersion):
        rubygems.parse(version)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0.0", 0),
        (" 1.0\n", "1", 0),
        ("", "0", 0),
        ("   ", "0", 0),
        ("1.0.a", "1.0.0.a", 0),
        ("1.0.a.0", "1.0.a", 0),
        ("1.0-1", "1.0.pre.1", 0),
        ("1.a", "1.0.0.b", -1),
        ("1.A", "1.a", -1),
        ("1.0.a.0.b", "1.0.a", -1),
        ("1.0.a.0.1", "1.0.a", 1),
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1", "1", 1),
        ("9" * 5000, "9" * 4999, 1),
        ("1." + "0" * 4500 + "7", "1.8", -1),
    ],
)
def test_gem_version_rules(a: str, b: str, expected: int) -> None:
    """Segment rules of Gem::Version#<=> (canonical segments, strings below numbers)."""
    assert _compare(a, b) == expected
    assert _compare(b, a) == -expected


@given(st.from_regex(r"[0-9]{1,20}(\.[0-9]{1,20}){0,5}", fullmatch=True))
def test_plain_fast_path_matches_the_general_parser(plain: str) -> None:
    # Surrounding whitespace is trimmed by the reference, and sends the parser down its
    # general path.
    assert rubygems.parse(plain) == rubygems.parse(f" {plain} ")


@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_any_text_parses_or_raises_invalid_version(text: str) -> None:
    try:
        key = rubygems.parse(text)
    except InvalidVersion:
        return
    assert key == rubygems.parse(text)


_NUMBER = st.one_of(st.integers(0, 20).map(str), st.sampled_from(["0", "00", "10", "2020"]))
_WORD = st.sampled_from(["a", "b", "pre", "rc", "beta", "alpha", "RC", "Pre", "z"])
_PART = st.one_of(_NUMBER, _WORD, st.builds("{}{}".format, _WORD, _NUMBER))


@st.composite
def _realistic(draw: st.DrawFn) -> str:
    version = ".".join(draw(st.lists(_NUMBER, min_size=1, max_size=4)))
    version += "".join("." + p for p in draw(st.lists(_PART, max_size=3)))
    if draw(st.booleans()):
        version += "-" + ".".join(draw(st.lists(_PART, min_size=1, max_size=2)))
    return version


_VERSIONS = st.one_of(_realistic(), st.sampled_from(REAL_VERSIONS))


@settings(max_examples=300, deadline=None)
@given(st.lists(_VERSIONS, min_size=2, max_size=8))
def test_versions_are_totally_ordered(versions: list[str]) -> None:
    keys = sorted(rubygems.parse(v) for v in versions)
    for i, low in enumerate(keys):
        for high in keys[i:]:
            assert compare_keys(low, high) <= 0
            assert compare_keys(high, low) == -compare_keys(low, high)
            assert (compare_keys(low, high) == 0) == (low == high)
            if low == high:
                assert hash(low) == hash(high)
