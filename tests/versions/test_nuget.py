"""NuGet parsing and ordering against NuGet.Client's own NuGet.Versioning tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import nuget
from vigil.versions.scheme import InvalidVersion, compare_keys

PAIRS = rows("nuget.jsonl")
VALIDITY = rows("nuget_validity.jsonl")


def _compare(a: str, b: str) -> int:
    return compare_keys(nuget.parse(a), nuget.parse(b))


def test_every_labelled_pair_agrees_with_version_comparer() -> None:
    assert len(PAIRS) >= 40
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in PAIRS)
    assert not bad, f"{len(bad)} of {len(PAIRS)} disagree:\n" + "\n".join(bad[:20])


def test_labelled_pairs_hold_in_both_directions() -> None:
    for row in PAIRS:
        assert _compare(row["b"], row["a"]) == -row["cmp"], row


@pytest.mark.parametrize("row", VALIDITY, ids=lambda r: repr(r["version"]))
def test_validity_agrees_with_nuget_version_try_parse(row: dict[str, object]) -> None:
    version = str(row["version"])
    if not row["valid"]:
        with pytest.raises(InvalidVersion):
            nuget.parse(version)
        return
    key = nuget.parse(version)
    if "equivalent" in row:
        # The test's expected Major.Minor.Patch.Revision and release label, as a version.
        assert key == nuget.parse(str(row["equivalent"]))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0-1", "1.0.0-2", -1),
        ("1.0.0-2", "1.0.0-10", -1),
        ("1.0.0-10", "1.0.0-a", -1),
        ("1.0.0--1", "1.0.0-0", -1),
        ("1.0.0-2147483647", "1.0.0-2147483648", -1),
        ("1.0.0-2147483648", "1.0.0-2147483649", -1),
        ("1.0.0-99999999999", "1.0.0-A", -1),
        ("1.0.0--", "1.0.0-0", 1),
        ("1.0.0-a.b", "1.0.0-A.B", 0),
        ("1.0.0.1", "1.0.0", 1),
        ("1.0.0.1-beta", "1.0.0.1", -1),
        ("1.0.0.1-beta", "1.0.0", 1),
        ("1.0.0+a", "1.0.0+b", 0),
        ("\u00a01.0\u2003", "1.0", 0),
        ("1.\t2", "1.2", 0),
        ("1.0\u00a0-beta", "1.0-beta", 0),
    ],
)
def test_comparer_rules(a: str, b: str, expected: int) -> None:
    """VersionComparer.Default: int.TryParse decides numeric labels, OrdinalIgnoreCase the rest."""
    assert _compare(a, b) == expected
    assert _compare(b, a) == -expected


@pytest.mark.parametrize(
    "version", ["1" * 100_000, "1.0.0-01", "1.0.0-a..b", "1.0.0-\u00e9", "\u0661.0", "1.0.0.0.0"]
)
def test_more_invalid_versions(version: str) -> None:
    with pytest.raises(InvalidVersion):
        nuget.parse(version)


@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_any_text_parses_or_raises_invalid_version(text: str) -> None:
    try:
        key = nuget.parse(text)
    except InvalidVersion:
        return
    assert key == nuget.parse(text)


@given(st.from_regex(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}", fullmatch=True))
def test_plain_fast_path_matches_the_general_parser(plain: str) -> None:
    # Surrounding whitespace is trimmed by the reference, and sends the parser down its
    # general path.
    assert nuget.parse(plain) == nuget.parse(f" {plain} ")


_NUMBER = st.one_of(st.integers(0, 30).map(str), st.sampled_from(["0", "01", "2147483647", "10"]))
_LABEL = st.one_of(
    st.integers(0, 20).map(str),
    st.sampled_from(["alpha", "Alpha", "beta", "rc", "RC", "preview", "-", "a-b", "x7", "-3"]),
)


@st.composite
def _realistic(draw: st.DrawFn) -> str:
    version = ".".join(draw(st.lists(_NUMBER, min_size=1, max_size=4)))
    if draw(st.booleans()):
        version += "-" + ".".join(draw(st.lists(_LABEL, min_size=1, max_size=3)))
    if draw(st.booleans()):
        version += "+" + draw(st.sampled_from(["build", "sha.abc123", "001"]))
    return version


_VERSIONS = st.one_of(
    _realistic(),
    st.sampled_from(sorted({v for r in PAIRS for v in (r["a"], r["b"])})),
    st.sampled_from(sorted({str(r["version"]) for r in VALIDITY if r["valid"]})),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_VERSIONS, min_size=2, max_size=8))
def test_versions_are_totally_ordered(versions: list[str]) -> None:
    keys = sorted(nuget.parse(v) for v in versions)
    for i, low in enumerate(keys):
        for high in keys[i:]:
            assert compare_keys(low, high) <= 0
            assert compare_keys(high, low) == -compare_keys(low, high)
            assert (compare_keys(low, high) == 0) == (low == high)
            if low == high:
                assert hash(low) == hash(high)
