"""Generic SemVer 2.0.0 precedence: the spec's own examples, a spec oracle, cargo and npm agreement.

Also home of the version strategies the other SemVer-family tests share.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import rows
from vigil.versions import cargo, npm, semver
from vigil.versions.scheme import InvalidVersion, SortKey, compare_keys

# semver.org section 11, items 2-4: each version has lower precedence than the next.
SPEC_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]

INVALID = [
    "",
    "1",
    "1.2",
    "1.2.3.4",
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2.3-01",
    "1.2.3-alpha.01",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-a..b",
    "1.2.3+a..b",
    "1.2.3-a_b",
    "1.2.3-é",
    " 1.2.3",
    "1.2.3 ",
    "=1.2.3",
    "V1.2.3",
    "vv1.2.3",
    "1.2.3beta",
    "-1.2.3",
    "1.2.-3",
    "1.2.3\n",
    "١.2.3",  # an Arabic-Indic digit is not an ASCII digit
]


# ---- strategies shared by the SemVer-family tests ----

numbers = st.one_of(
    st.integers(0, 12),
    st.integers(0, 10**6),
    st.sampled_from([0, 1, 9, 10, 99, 100, 2**31, 2**53 - 1]),
).map(str)
_words = st.sampled_from(
    ["alpha", "beta", "rc", "pre", "dev", "a", "b", "x-y", "0a", "1-2", "SNAPSHOT", "Alpha", "-"]
)
_IDENT_CHARS = "0123456789abxyzABZ-"
_alnum = st.text(_IDENT_CHARS, min_size=1, max_size=6).filter(
    lambda s: not s.isdigit() or s == "0" or s[0] != "0"
)
prerelease_ident = st.one_of(st.integers(0, 30).map(str), _words, _alnum)
prerelease = st.lists(prerelease_ident, min_size=1, max_size=4).map(".".join)
build = st.lists(st.text(_IDENT_CHARS, min_size=1, max_size=5), min_size=1, max_size=3)


@st.composite
def semver_versions(draw: st.DrawFn, v_prefix: bool = False) -> str:
    """Valid SemVer 2.0.0 strings, biased towards shared prefixes so comparisons get close."""
    text = ".".join(draw(st.lists(numbers, min_size=3, max_size=3)))
    if draw(st.booleans()):
        text += "-" + draw(prerelease)
    if draw(st.integers(0, 4)) == 0:
        text += "+" + ".".join(draw(build))
    if v_prefix and draw(st.booleans()):
        text = "v" + text
    return text


def check_total_order(key: Callable[[str], SortKey], a: str, b: str, c: str) -> None:
    """Antisymmetric, transitive and consistent with equality, via compare_keys on keys."""
    ka, kb, kc = key(a), key(b), key(c)
    assert compare_keys(ka, ka) == 0
    assert compare_keys(ka, kb) == -compare_keys(kb, ka)
    assert (compare_keys(ka, kb) == 0) == (ka == kb)
    low, mid, high = sorted((ka, kb, kc))
    assert compare_keys(low, mid) <= 0
    assert compare_keys(mid, high) <= 0
    assert compare_keys(low, high) <= 0
    if compare_keys(low, mid) < 0 or compare_keys(mid, high) < 0:
        assert compare_keys(low, high) < 0


# ---- an independent oracle written straight from section 11 ----


def spec_compare(a: str, b: str) -> int:
    def split(v: str) -> tuple[list[int], list[str]]:
        v = v.removeprefix("v").split("+")[0]
        core, _, pre = v.partition("-")
        return [int(x) for x in core.split(".")], pre.split(".") if pre else []

    (ca, pa), (cb, pb) = split(a), split(b)
    if ca != cb:
        return -1 if ca < cb else 1
    if not pa or not pb:
        return (not pa) - (not pb)
    for x, y in zip(pa, pb, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(pa) > len(pb)) - (len(pa) < len(pb))


def test_spec_precedence_chain() -> None:
    for i, low in enumerate(SPEC_CHAIN):
        assert semver.SCHEME.compare(low, low) == 0
        for high in SPEC_CHAIN[i + 1 :]:
            assert semver.SCHEME.compare(low, high) == -1, (low, high)
            assert semver.SCHEME.compare(high, low) == 1, (high, low)


def test_sorting_restores_spec_order() -> None:
    assert (
        sorted(random.Random(0).sample(SPEC_CHAIN, len(SPEC_CHAIN)), key=semver.parse) == SPEC_CHAIN
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.0+20130313144700", "1.0.0"),
        ("1.0.0-alpha+001", "1.0.0-alpha"),
        ("1.0.0+21AF26D3----117B344092BD", "1.0.0+exp.sha.5114f85"),
        ("v1.2.3", "1.2.3"),
        ("v1.2.3-rc.1+b", "1.2.3-rc.1"),
    ],
)
def test_build_metadata_and_v_prefix_do_not_order(a: str, b: str) -> None:
    assert semver.SCHEME.compare(a, b) == 0


@pytest.mark.parametrize("text", INVALID)
def test_invalid_versions_raise(text: str) -> None:
    with pytest.raises(InvalidVersion):
        semver.parse(text)


def test_overlong_version_is_rejected_not_crashing() -> None:
    with pytest.raises(InvalidVersion, match="longer than"):
        semver.parse("1.0.0-" + "1" * 5000)


def test_huge_numbers_keep_exact_order() -> None:
    big = "1" + "0" * 40
    assert semver.SCHEME.compare(f"{big}.0.0", f"{big}.0.1") == -1
    assert semver.SCHEME.compare(f"1.0.0-{big}", "1.0.0-9" + "9" * 39) == 1


@settings(max_examples=200, deadline=None)
@given(semver_versions(v_prefix=True), semver_versions(v_prefix=True))
def test_agrees_with_spec_oracle(a: str, b: str) -> None:
    assert semver.SCHEME.compare(a, b) == spec_compare(a, b)


@settings(max_examples=150, deadline=None)
@given(semver_versions(True), semver_versions(True), semver_versions(True))
def test_total_order_on_generated_versions(a: str, b: str, c: str) -> None:
    check_total_order(semver.parse, a, b, c)


# ---- cross-checks against the labelled cargo and npm data ----


@cache
def _labelled_pairs() -> tuple[tuple[str, str, int], ...]:
    pairs = [(r["a"], r["b"], r["cmp"]) for r in rows("cargo.jsonl")]
    pairs += [(r["a"], r["b"], r["cmp"]) for r in rows("npm.jsonl") if r.get("parsed") == "strict"]
    return tuple(pairs)


def _valid(parse: Callable[[str], object], text: str) -> bool:
    try:
        parse(text)
    except InvalidVersion:
        return False
    return True


def test_agrees_with_cargo_and_npm_labels_where_valid() -> None:
    checked, bad = 0, []
    for a, b, want in _labelled_pairs():
        if _valid(semver.parse, a) and _valid(semver.parse, b):
            checked += 1
            if semver.SCHEME.compare(a, b) != want:
                bad.append((a, b, want))
    assert checked > 5000
    assert not bad


def test_validity_matches_cargo_apart_from_the_v_prefix() -> None:
    strings = {s for a, b, _ in _labelled_pairs() for s in (a, b)} | set(INVALID)
    differ = [
        s
        for s in strings
        if _valid(semver.parse, s) != _valid(cargo.parse, s) and not s.startswith("v")
    ]
    assert not differ
    assert _valid(semver.parse, "v1.2.3")
    assert not _valid(cargo.parse, "v1.2.3")


def test_validity_matches_npm_strict_on_trimmed_short_versions() -> None:
    strings = {s for a, b, _ in _labelled_pairs() for s in (a, b)} | set(INVALID)
    comparable = [s for s in strings if s == s.strip() and len(s) <= 256]
    differ = [s for s in comparable if _valid(semver.parse, s) != _valid(npm.parse, s)]
    assert not differ
