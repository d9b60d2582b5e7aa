"""dpkg versions agree with dpkg itself, and form a total order."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import InvalidVersion, dpkg

compare = dpkg.SCHEME.compare


@pytest.mark.parametrize("filename", ["debian.jsonl", "debian_edge.jsonl"])
def test_every_labelled_pair_agrees_with_dpkg(filename: str) -> None:
    data = rows(filename)
    assert len(data) > 500
    bad = disagreements((r, r["cmp"], compare(r["a"], r["b"])) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


def test_pairs_dpkg_rejects_raise() -> None:
    data = rows("debian_invalid.jsonl")
    assert len(data) > 100
    for row in data:
        with pytest.raises(InvalidVersion):
            compare(row["a"], row["b"])


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("", "empty"),
        (" \t", "empty"),
        ("1.0 1", "embedded spaces"),
        (":1.0", "epoch in version is empty"),
        ("a:1.0", "epoch in version is empty"),
        ("1a:1.0", "not number"),
        ("-1:1.0", "negative"),
        ("2147483648:1.0", "too big"),
        ("1:", "nothing after colon"),
        ("1.0-", "revision number is empty"),
        ("-1", "upstream version is empty"),
        ("1:-1", "upstream version is empty"),
        ("1.0\0", "NUL"),
    ],
)
def test_errors_name_dpkgs_reason(version: str, reason: str) -> None:
    with pytest.raises(InvalidVersion, match=reason) as caught:
        dpkg.parse(version)
    assert caught.value.scheme == "dpkg"
    assert caught.value.version == version


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0~rc1-1", "1.0-1"),  # tilde before the end
        ("1.0-1", "1.0.0-1"),  # the end before a separator
        ("1.0a", "1.0+"),  # letters before other characters
        ("1.9", "1.10"),  # numbers as integers
        ("9.9", "1:0.1"),  # the epoch first
        ("1.0", "invalid"),  # dpkg warns but compares: a letter sorts after a leading digit
        ("1.0/1", "1.0|1"),  # other characters by their code
        ("1.0\x01", "1.0\x02"),
        ("1.0z", "1.0é"),  # bytes above 0x7F after letters, before other characters
        ("1.0é", "1.0."),
    ],
)
def test_known_orderings(a: str, b: str) -> None:
    assert compare(a, b) == -1
    assert compare(b, a) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [("1.0", "1.0-0"), ("1.0", "0:1.0"), ("1.01", "1.1"), (" 1.0\t", "1.0"), ("+0:1", "-0:1")],
)
def test_known_equalities(a: str, b: str) -> None:
    assert compare(a, b) == 0
    assert dpkg.parse(a) == dpkg.parse(b)


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def _order(char: str) -> int:
    """dpkg's order() for one byte, written out plainly as the oracle for the encoding."""
    code = ord(char)
    if _digit(char):
        return 0
    if char.isascii() and char.isalpha():
        return code
    if char == "~":
        return -1
    return code + 256 if code < 0x80 else code  # bytes >= 0x80 are negative chars in C


def _verrevcmp(a: str, b: str) -> int:
    """dpkg's verrevcmp, step by step over Latin-1 characters (one per UTF-8 byte)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not _digit(a[i])) or (j < len(b) and not _digit(b[j])):
            ac = _order(a[i]) if i < len(a) else 0
            bc = _order(b[j]) if j < len(b) else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i, j = i + 1, j + 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        first_diff = 0
        while i < len(a) and _digit(a[i]) and j < len(b) and _digit(b[j]):
            first_diff = first_diff or (ord(a[i]) - ord(b[j]))
            i, j = i + 1, j + 1
        if i < len(a) and _digit(a[i]):
            return 1
        if j < len(b) and _digit(b[j]):
            return -1
        if first_diff:
            return -1 if first_diff < 0 else 1
    return 0


def _oracle(a: str, b: str) -> int:
    def split(text: str) -> tuple[int, str, str]:
        epoch, colon, rest = text.partition(":")
        upstream, hyphen, revision = (rest if colon else text).rpartition("-")
        return (
            int(epoch) if colon else 0,
            (upstream if hyphen else revision).encode().decode("latin-1"),
            (revision if hyphen else "").encode().decode("latin-1"),
        )

    (ea, ua, ra), (eb, ub, rb) = split(a), split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _verrevcmp(ua, ub) or _verrevcmp(ra, rb)


@cache
def _real_versions() -> tuple[str, ...]:
    return tuple(sorted({s for r in rows("debian.jsonl") for s in (r["a"], r["b"])}))


_piece = st.sampled_from(["0", "1", "2", "9", "10", "01", "20230101", "a", "b", "z", "Z", "rc"])
_sep = st.sampled_from([".", "+", "~", "", "-", "é"])
_upstream = st.builds(
    lambda first, rest: first + "".join(rest),
    st.sampled_from(["0", "1", "2", "10", "1.0"]),
    st.lists(st.tuples(_sep, _piece).map("".join), max_size=5),
)
_revision = st.lists(st.tuples(_piece, _sep.filter(lambda s: s != "-")).map("".join), max_size=3)
realistic = st.one_of(
    st.builds(
        lambda epoch, upstream, revision: epoch + upstream + ("-" + revision if revision else ""),
        st.sampled_from(["", "", "1:", "2:", "0:", "10:"]),
        _upstream,
        _revision.map("".join),
    ),
    st.sampled_from(_real_versions()),
)


@settings(max_examples=250, deadline=None)
@given(realistic, realistic)
def test_encoding_matches_dpkgs_algorithm(a: str, b: str) -> None:
    assert compare(a, b) == _oracle(a, b)


@settings(max_examples=200, deadline=None)
@given(realistic, realistic, realistic)
def test_total_order(a: str, b: str, c: str) -> None:
    ab, bc, ac = compare(a, b), compare(b, c), compare(a, c)
    assert compare(a, a) == 0
    assert compare(b, a) == -ab  # antisymmetric
    assert (ab == 0) == (dpkg.parse(a) == dpkg.parse(b))  # equality is key equality
    if ab <= 0 and bc <= 0:
        assert ac <= 0  # transitive
    if ab == 0:
        assert ac == compare(b, c)


@settings(max_examples=200, deadline=None)
@given(realistic)
def test_fast_path_builds_the_same_key_as_the_general_one(version: str) -> None:
    assert dpkg.parse(version) == dpkg._parse_any(version)
