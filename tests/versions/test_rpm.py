"""rpm versions agree with python3-rpm, and form a total order."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import InvalidVersion, rpm

compare = rpm.SCHEME.compare


def _labelled(filename: str, mode: str) -> list[dict[str, object]]:
    return [r for r in rows(filename) if r["mode"] == mode and "cmp" in r]


@pytest.mark.parametrize("filename", ["rpm.jsonl", "rpm_edge.jsonl"])
def test_every_evr_pair_agrees_with_rpm(filename: str) -> None:
    data = _labelled(filename, "evr")
    assert len(data) > 400
    bad = disagreements((r, r["cmp"], compare(str(r["a"]), str(r["b"]))) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


@pytest.mark.parametrize("filename", ["rpm.jsonl", "rpm_edge.jsonl"])
def test_every_vercmp_pair_agrees_with_rpmvercmp(filename: str) -> None:
    data = _labelled(filename, "vercmp")
    assert len(data) > 400
    bad = disagreements((r, r["cmp"], rpm.vercmp(str(r["a"]), str(r["b"]))) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


@pytest.mark.parametrize("filename", ["rpm_invalid.jsonl", "rpm_edge.jsonl"])
def test_evrs_rpm_refuses_raise(filename: str) -> None:
    data = [r for r in rows(filename) if "error" in r]
    assert data
    for row in data:
        with pytest.raises(InvalidVersion, match="empty version"):
            compare(row["a"], row["b"])


@pytest.mark.parametrize("evr", ["", ":", "1:", "-1", "1:-1", "+2-:", "1.0\0"])
def test_rejected_evrs(evr: str) -> None:
    with pytest.raises(InvalidVersion) as caught:
        rpm.parse(evr)
    assert caught.value.scheme == "rpm"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0~rc1", "1.0", -1),  # tilde before the end
        ("1.0", "1.0^", -1),  # caret after the end
        ("1.0^git1", "1.0.1", -1),  # caret before anything else
        ("1.0a", "1.0.1", -1),  # letters before digits
        ("1.0", "1_0", 0),  # separators only separate
        ("1.0a", "1.0.a", 0),
        ("1.01", "1.1", 0),
        ("", ".", 0),
        ("1.0.α", "1.0", 0),  # non-ASCII characters are separators
    ],
)
def test_vercmp_rules(a: str, b: str, expected: int) -> None:
    assert rpm.vercmp(a, b) == expected
    assert rpm.vercmp(b, a) == -expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1:1.0-1", "2.0-1", 1),  # epoch first
        ("0:1.0-1", "1.0-1", 0),  # a missing epoch is 0
        ("1.0", "1.0-1", -1),  # a missing release sorts first
        ("1.0", "1.0-", -1),  # even before an empty one
        ("1.0-1", "1.0-1.el9", -1),
        ("1.2-3-4", "1.2-3-5", -1),  # the release follows the last hyphen
    ],
)
def test_evr_rules(a: str, b: str, expected: int) -> None:
    assert compare(a, b) == expected
    assert compare(b, a) == -expected


def test_vercmp_refuses_nul() -> None:
    with pytest.raises(InvalidVersion):
        rpm.vercmp("1\0", "1")


def _rpmvercmp(a: str, b: str) -> int:
    """rpmvercmp, step by step, as the oracle for the encoding."""

    def alnum(c: str) -> bool:
        return c.isascii() and c.isalnum()

    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not alnum(b[j]) and b[j] not in "~^":
            j += 1
        one, two = a[i : i + 1], b[j : j + 1]
        if "~" in (one, two):
            if one != "~" or two != "~":
                return -1 if one == "~" else 1
            i, j = i + 1, j + 1
            continue
        if "^" in (one, two):
            if not one or not two:
                return -1 if not one else 1
            if one != "^" or two != "^":
                return -1 if one == "^" else 1
            i, j = i + 1, j + 1
            continue
        if not (one and two):
            break
        numeric = one.isdigit()
        kind = (
            (lambda c: c.isascii() and c.isdigit())
            if numeric
            else (lambda c: c.isascii() and c.isalpha())
        )
        start_i, start_j = i, j
        while i < len(a) and kind(a[i]):
            i += 1
        while j < len(b) and kind(b[j]):
            j += 1
        seg_a, seg_b = a[start_i:i], b[start_j:j]
        if not seg_b:
            return 1 if numeric else -1
        if numeric:
            seg_a, seg_b = seg_a.lstrip("0"), seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return -1 if len(seg_a) < len(seg_b) else 1
        if seg_a != seg_b:
            return -1 if seg_a < seg_b else 1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


@cache
def _real_evrs() -> tuple[str, ...]:
    return tuple(sorted({str(s) for r in _labelled("rpm.jsonl", "evr") for s in (r["a"], r["b"])}))


_segment = st.sampled_from(["0", "1", "2", "10", "001", "el9", "el9_1", "fc38", "a", "rc", "git"])
_separator = st.sampled_from([".", "_", "+", "~", "^", "", "é"])
_part = st.lists(st.tuples(_separator, _segment).map("".join), min_size=1, max_size=6).map("".join)
realistic = st.one_of(
    st.builds(
        lambda epoch, version, release: epoch + version + release,
        st.sampled_from(["", "", "0:", "1:", "12:"]),
        _part.filter(lambda v: v != ""),
        st.one_of(st.just(""), _part.map(lambda r: "-" + r)),
    ),
    st.sampled_from(_real_evrs()),
)


@settings(max_examples=250, deadline=None)
@given(_part, _part)
def test_encoding_matches_rpmvercmp(a: str, b: str) -> None:
    assert rpm.vercmp(a, b) == _rpmvercmp(a, b)


@settings(max_examples=200, deadline=None)
@given(realistic, realistic, realistic)
def test_total_order(a: str, b: str, c: str) -> None:
    ab, bc, ac = compare(a, b), compare(b, c), compare(a, c)
    assert compare(a, a) == 0
    assert compare(b, a) == -ab
    assert (ab == 0) == (rpm.parse(a) == rpm.parse(b))
    if ab <= 0 and bc <= 0:
        assert ac <= 0
    if ab == 0:
        assert ac == compare(b, c)


@settings(max_examples=200, deadline=None)
@given(realistic)
def test_fast_path_builds_the_same_key_as_the_general_one(evr: str) -> None:
    assert rpm.parse(evr) == rpm._parse_evr(evr)
