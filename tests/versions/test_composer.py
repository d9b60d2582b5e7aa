"""Composer normalisation and ordering against composer/semver's and php-src's own tests.

``_php_version_compare`` below is an independent, line-by-line emulation of php-src's
``php_version_compare`` (ext/standard/versioning.c) used as the reference for generated pairs;
it is itself checked against php-src's version_compare.phpt expectations.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import composer
from vigil.versions.scheme import InvalidVersion, compare_keys

PAIRS = rows("composer.jsonl")
NORMALIZE = rows("composer_normalize.jsonl")
PHP_ROWS = [r for r in PAIRS if r.get("reference") == "php:version_compare"]
COMPOSER_ROWS = [r for r in PAIRS if r.get("reference") is None]
INCOMPARABLE = rows("composer_incomparable.jsonl")


def _compare(a: str, b: str) -> int:
    return compare_keys(composer.parse(a), composer.parse(b))


def _normalizes(version: str) -> bool:
    try:
        composer.normalize(version)
    except InvalidVersion:
        return False
    return True


@pytest.mark.parametrize("row", NORMALIZE, ids=lambda r: repr(r["version"]))
def test_normalize_agrees_with_version_parser(row: dict[str, str | None]) -> None:
    version = str(row["version"])
    if row["normalized"] is None:
        with pytest.raises(InvalidVersion):
            composer.parse(version)
    else:
        assert composer.normalize(version) == row["normalized"]


def test_comparator_and_sort_pairs_agree_with_composer() -> None:
    assert len(COMPOSER_ROWS) >= 15
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in COMPOSER_ROWS)
    assert not bad, "\n".join(bad)


def test_branches_composer_cannot_order_are_distinct_and_ordered_consistently() -> None:
    assert INCOMPARABLE
    for row in INCOMPARABLE:
        # Composer answers false to <, > and ==; a total order can only honour the last.
        forward, backward = _compare(row["a"], row["b"]), _compare(row["b"], row["a"])
        assert forward != 0, row
        assert backward == -forward, row


def test_php_version_compare_emulation_matches_php_src() -> None:
    assert len(PHP_ROWS) == 53
    got = ((r, r["cmp"], _php_version_compare(r["a"].encode(), r["b"].encode())) for r in PHP_ROWS)
    bad = disagreements(got)
    assert not bad, "\n".join(bad)


def test_php_pairs_agree_after_normalisation() -> None:
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in PHP_ROWS)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.01", "1.1", 0),
        ("1.0.0", "v1.0", 0),
        ("1.0-stable", "1.0", 0),
        ("1.0-STABLE", "1.0", -1),
        ("1.0@dev", "1.0.0.0", 0),
        ("1.0.0-patch1", "1.0.0", 1),
        ("1.0.0-pl2", "1.0.0-p3", -1),
        ("1.0.0-alpha1-dev", "1.0.0-alpha1", -1),
        ("dev-master", "0.0.1-dev", -1),
        ("dev-master", "master", 0),
        ("dev-Feature", "dev-feature", -1),
        ("1.x-dev", "1.99999.0", 1),
        ("1.0." + "9" * 30, "1.0.9223372036854775807", 0),
    ],
)
def test_composer_rules(a: str, b: str, expected: int) -> None:
    assert _compare(a, b) == expected
    assert _compare(b, a) == -expected


@given(st.from_regex(r"[0-9]{1,5}(\.[0-9]{1,20}){0,3}", fullmatch=True))
def test_plain_fast_path_matches_the_general_parser(plain: str) -> None:
    # Surrounding whitespace is trimmed by the reference, and sends the parser down its
    # general path.
    assert composer.parse(plain) == composer.parse(f" {plain} ")


@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_any_text_parses_or_raises_invalid_version(text: str) -> None:
    try:
        key = composer.parse(text)
    except InvalidVersion:
        return
    assert key == composer.parse(text)


_DEV_TAIL = re.compile(r"(.*?)[.-]?dev$", re.IGNORECASE | re.ASCII)


@given(st.text(alphabet="ab1.-\nDdEeVv", max_size=12))
def test_dev_suffix_split_matches_composers_regex(text: str) -> None:
    match = _DEV_TAIL.search(text)
    assert composer._before_dev_suffix(text) == (match[1] if match else None)


@pytest.mark.parametrize(
    "version", ["a" * 100_000, "\n" + "a" * 100_000 + "dev", "1" * 100_000, "@" * 100_000]
)
def test_long_hostile_input_is_rejected(version: str) -> None:
    with pytest.raises(InvalidVersion):
        composer.parse(version)


# Inputs Composer accepts in the shapes packages actually use.
_NUMBER = st.one_of(st.integers(0, 20).map(str), st.sampled_from(["0", "00", "007", "2010"]))
_STABILITY = st.sampled_from(
    ["alpha", "ALPHA", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable", "dev"]
)
_BRANCH = st.from_regex(r"dev-[a-z][a-z0-9/._-]{0,10}[a-z0-9]", fullmatch=True)


@st.composite
def _classic(draw: st.DrawFn) -> str:
    version = draw(st.sampled_from(["", "v"])) + ".".join(
        draw(st.lists(_NUMBER, min_size=1, max_size=4))
    )
    if draw(st.booleans()):
        version += draw(st.sampled_from(["", "-", ".", "_"])) + draw(_STABILITY)
        if draw(st.booleans()):
            version += draw(st.sampled_from(["", ".", "-"])) + draw(_NUMBER)
    if draw(st.booleans()):
        version += "-dev"
    return version


_VERSIONS = st.one_of(
    _classic(),
    _BRANCH,
    st.builds("{}.x-dev".format, _NUMBER),
    st.builds("{}-{}-{}".format, st.integers(2000, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.sampled_from([str(r["version"]) for r in NORMALIZE if r["normalized"] is not None]),
)


@settings(max_examples=300, deadline=None)
@given(_VERSIONS, _VERSIONS)
def test_order_is_version_compare_of_normalised_forms(a: str, b: str) -> None:
    assume(_normalizes(a) and _normalizes(b))
    left, right = composer.normalize(a), composer.normalize(b)
    php = _php_version_compare(left.encode(), right.encode())
    ours = _compare(a, b)
    if left.startswith("dev-") and right.startswith("dev-") and php == 0:
        assert (ours == 0) == (left == right)
    else:
        assert ours == php


@settings(max_examples=300, deadline=None)
@given(st.lists(_VERSIONS, min_size=2, max_size=8))
def test_versions_are_totally_ordered(versions: list[str]) -> None:
    assume(all(_normalizes(v) for v in versions))
    keys = sorted(composer.parse(v) for v in versions)
    for i, low in enumerate(keys):
        for high in keys[i:]:
            assert compare_keys(low, high) <= 0
            assert compare_keys(high, low) == -compare_keys(low, high)
            assert (compare_keys(low, high) == 0) == (low == high)
            if low == high:
                assert hash(low) == hash(high)


# --- php_version_compare, emulated on NUL-terminated byte buffers ---------------------------

_SPECIAL_FORMS = [(b"dev", 0), (b"alpha", 1), (b"a", 1), (b"beta", 2), (b"b", 2), (b"RC", 3),
                  (b"rc", 3), (b"#", 4), (b"pl", 5), (b"p", 5)]  # fmt: skip
_LONG_MAX = 2**63 - 1


def _isdigit(c: int) -> bool:
    return 48 <= c <= 57


def _isalnum(c: int) -> bool:
    return _isdigit(c) or 65 <= c <= 90 or 97 <= c <= 122


def _canonicalize(version: bytes) -> bytes:
    if not version:
        return b""
    out = bytearray(version[:1])
    lp = version[0]
    for c in version[1:]:
        lq = out[-1]
        isdig_lp, isndig_lp = _isdigit(lp), not _isdigit(lp) and lp != 46
        isdig_c, isndig_c = _isdigit(c), not _isdigit(c) and c != 46
        if c in b"-_+":
            if lq != 46:
                out.append(46)
        elif (isndig_lp and isdig_c) or (isdig_lp and isndig_c):
            if lq != 46:
                out.append(46)
            out.append(c)
        elif not _isalnum(c):
            if lq != 46:
                out.append(46)
        else:
            out.append(c)
        lp = c
    return bytes(out)


def _special_form(form: bytes) -> int:
    return next((order for name, order in _SPECIAL_FORMS if form.startswith(name)), -1)


def _compare_special(form1: bytes, form2: bytes) -> int:
    found1, found2 = _special_form(form1), _special_form(form2)
    return (found1 > found2) - (found1 < found2)


def _strtol(digits: bytes) -> int:
    end = 0
    while end < len(digits) and _isdigit(digits[end]):
        end += 1
    return min(int(digits[:end] or b"0"), _LONG_MAX)


def _php_version_compare(orig1: bytes, orig2: bytes) -> int:
    if not orig1 or not orig2:
        return 0 if not orig1 and not orig2 else (1 if orig1 else -1)
    buf1 = bytearray((orig1 if orig1[0] == 35 else _canonicalize(orig1)) + b"\0")
    buf2 = bytearray((orig2 if orig2[0] == 35 else _canonicalize(orig2)) + b"\0")

    def word(buf: bytearray, start: int) -> bytes:
        return bytes(buf[start : buf.index(0, start)])

    p1 = p2 = 0
    n1: int | None = 0
    n2: int | None = 0
    compare = 0
    while buf1[p1] and buf2[p2] and n1 is not None and n2 is not None:
        n1 = buf1.find(b".", p1, buf1.index(0, p1))
        n1 = None if n1 < 0 else n1
        if n1 is not None:
            buf1[n1] = 0
        n2 = buf2.find(b".", p2, buf2.index(0, p2))
        n2 = None if n2 < 0 else n2
        if n2 is not None:
            buf2[n2] = 0
        w1, w2 = word(buf1, p1), word(buf2, p2)
        d1, d2 = _isdigit(buf1[p1]), _isdigit(buf2[p2])
        if d1 and d2:
            l1, l2 = _strtol(w1), _strtol(w2)
            compare = (l1 > l2) - (l1 < l2)
        elif not d1 and not d2:
            compare = _compare_special(w1, w2)
        elif d1:
            compare = _compare_special(b"#N#", w2)
        else:
            compare = _compare_special(w1, b"#N#")
        if compare:
            break
        if n1 is not None:
            p1 = n1 + 1
        if n2 is not None:
            p2 = n2 + 1
    if compare == 0:
        if n1 is not None:
            compare = 1 if _isdigit(buf1[p1]) else _php_version_compare(word(buf1, p1), b"#N#")
        elif n2 is not None:
            compare = -1 if _isdigit(buf2[p2]) else _php_version_compare(b"#N#", word(buf2, p2))
    return compare
