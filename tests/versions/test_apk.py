"""apk versions agree with apk-tools' ordering and validity rules, and form a total order."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import InvalidVersion, apk

compare = apk.SCHEME.compare


@cache
def _rejected() -> dict[tuple[str, str], list[str]]:
    """alpine.jsonl rows with a version current apk-tools refuses (see README-os.md)."""
    return {(r["a"], r["b"]): r["rejected"] for r in rows("alpine_rejected.jsonl")}


def test_every_labelled_pair_of_valid_versions_agrees_with_apk() -> None:
    data = [r for r in rows("alpine.jsonl") if (r["a"], r["b"]) not in _rejected()]
    assert len(data) > 10_000
    bad = disagreements((r, r["cmp"], compare(r["a"], r["b"])) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


def test_labelled_pairs_with_a_version_apk_refuses_raise() -> None:
    pairs = {(r["a"], r["b"]) for r in rows("alpine.jsonl")}
    assert set(_rejected()) <= pairs
    for (a, b), refused in _rejected().items():
        assert refused
        for version in refused:
            assert not apk.is_valid(version)
        with pytest.raises(InvalidVersion):
            compare(a, b)


def test_validity_agrees_with_apk_tools() -> None:
    data = rows("alpine_validity.jsonl")
    assert any(r["valid"] for r in data)
    assert any(not r["valid"] for r in data)
    for row in data:
        assert apk.is_valid(row["version"]) is row["valid"], row
        if row["valid"]:
            apk.parse(row["version"])
        else:
            with pytest.raises(InvalidVersion):
                apk.parse(row["version"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0_alpha1", "1.0_beta"),
        ("1.0_rc9", "1.0"),  # pre-release suffixes sort before the release
        ("1.0", "1.0-r1"),  # the end before a revision
        ("1.0-r9", "1.0_p1"),  # a revision before a post-release suffix
        ("1.0_p1", "1.0a"),  # a suffix before a letter
        ("1.0a", "1.0.1"),  # a letter before another number
        ("1.05", "1.1"),  # a leading zero compares as text
        ("1.0-r1", "1.0~abc"),  # a revision before a commit hash
        ("1.0~abc", "1.0~abd"),
        ("1.0_git20240101", "1.0_git20240101_p1"),
    ],
)
def test_known_orderings(a: str, b: str) -> None:
    assert compare(a, b) == -1
    assert compare(b, a) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("01.0", "1.0"), ("1.0-r0", "1.0-r00"), ("18446744073709551617", "1")]
)
def test_known_equalities(a: str, b: str) -> None:
    # apk reads the first number as an integer, and every number into 64 bits
    assert compare(a, b) == 0


_PRE = ("alpha", "beta", "pre", "rc")
_POST = ("cvs", "svn", "git", "hg", "p")
# token kinds in apk-tools' order
INITIAL, DIGIT, LETTER, SUFFIX, SUFFIX_NO, HASH, REVISION, END, INVALID = range(9)


def _tokens(text: str) -> list[tuple[int, str]]:
    """apk-tools' tokenizer, step by step: (kind, text) until END or INVALID."""

    def span(start: int, accept: str) -> int:
        end = start
        while end < len(text) and text[end] in accept:
            end += 1
        return end

    digits, hexdigits, lower = "0123456789", "0123456789abcdef", "abcdefghijklmnopqrstuvwxyz"
    end = span(0, digits)
    if end == 0:
        return [(INVALID, "")]
    out, kind, i = [(INITIAL, text[:end])], INITIAL, end
    while True:
        if i == len(text):
            return [*out, (END, "")]
        char = text[i]
        if char in lower and kind <= DIGIT:
            kind, end = LETTER, i + 1
        elif char == "." and kind <= DIGIT:
            kind, i = DIGIT, i + 1
            end = span(i, digits)
        elif char in digits and kind == SUFFIX:
            kind, end = SUFFIX_NO, span(i, digits)
        elif char == "_" and kind <= SUFFIX_NO:
            i += 1
            end = span(i, lower)
            kind = SUFFIX if text[i:end] in _PRE + _POST else INVALID
        elif char == "~" and kind < HASH:
            i += 1
            end = span(i, hexdigits)
            kind = HASH
        elif text.startswith("-r", i) and kind < REVISION:
            i += 2
            end = span(i, digits)
            kind = REVISION
        else:
            kind = INVALID
        if kind == INVALID or end == i:
            return [*out, (INVALID, "")]
        out.append((kind, text[i:end]))
        i = end


def _number(digits: str) -> int:
    return int(digits) % 2**64


def _apk_compare(a: str, b: str) -> int:
    """apk_version_compare, token by token."""
    for (kind_a, value_a), (kind_b, value_b) in zip(_tokens(a), _tokens(b), strict=False):
        if kind_a != kind_b:
            if kind_a == SUFFIX and value_a in _PRE:
                return -1
            if kind_b == SUFFIX and value_b in _PRE:
                return 1
            return -1 if kind_a > kind_b else 1
        if kind_a in (END, INVALID):
            return 0
        left: int | str
        right: int | str
        if kind_a == SUFFIX:
            left, right = (_PRE + _POST).index(value_a), (_PRE + _POST).index(value_b)
        elif kind_a in (LETTER, HASH) or (kind_a == DIGIT and "0" in (value_a[0], value_b[0])):
            left, right = value_a, value_b
        else:
            left, right = _number(value_a), _number(value_b)
        if left != right:
            return -1 if left < right else 1  # type: ignore[operator]
    raise AssertionError("token lists always end in END or INVALID")


@cache
def _real_versions() -> tuple[str, ...]:
    found = {s for r in rows("alpine.jsonl") for s in (r["a"], r["b"])}
    return tuple(sorted(s for s in found if apk.is_valid(s)))


_numbers = st.lists(st.sampled_from(["0", "1", "2", "9", "10", "01", "00", "2024"]), min_size=1)
realistic = st.one_of(
    st.builds(
        lambda numbers, letter, suffixes, commit, revision: (
            ".".join(numbers) + letter + "".join(suffixes) + commit + revision
        ),
        _numbers.filter(lambda n: len(n) <= 5),
        st.sampled_from(["", "", "", "a", "b", "z"]),
        st.lists(
            st.tuples(
                st.sampled_from([f"_{s}" for s in _PRE + _POST]),
                st.sampled_from(["", "1", "2", "0"]),
            ).map("".join),
            max_size=3,
        ),
        st.sampled_from(["", "", "~1234", "~abcd", "~0"]),
        st.sampled_from(["", "-r0", "-r1", "-r10", "-r00"]),
    ),
    st.sampled_from(_real_versions()),
)
anything = st.one_of(realistic, st.text(alphabet="0123456789._-~raepgzA", max_size=10))


@settings(max_examples=250, deadline=None)
@given(realistic, realistic)
def test_keys_order_like_apk_compares(a: str, b: str) -> None:
    assert compare(a, b) == _apk_compare(a, b)


@settings(max_examples=300, deadline=None)
@given(anything)
def test_validity_is_apks_tokenizer_reaching_the_end(version: str) -> None:
    valid = _tokens(version)[-1][0] == END
    assert apk.is_valid(version) is valid
    if not valid:
        with pytest.raises(InvalidVersion):
            apk.parse(version)


@settings(max_examples=200, deadline=None)
@given(realistic, realistic, realistic)
def test_total_order(a: str, b: str, c: str) -> None:
    ab, bc, ac = compare(a, b), compare(b, c), compare(a, c)
    assert compare(a, a) == 0
    assert compare(b, a) == -ab
    assert (ab == 0) == (apk.parse(a) == apk.parse(b))
    if ab <= 0 and bc <= 0:
        assert ac <= 0
    if ab == 0:
        assert ac == compare(b, c)
