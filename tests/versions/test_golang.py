"""Go module versions agree with golang.org/x/mod/semver on every labelled pair."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from tests.versions.test_semver import check_total_order, numbers, semver_versions
from vigil.versions import golang
from vigil.versions.scheme import InvalidVersion, compare_keys


def _compare(a: str, b: str) -> int:
    return compare_keys(golang.parse(a), golang.parse(b))


def _raises(text: str) -> bool:
    try:
        golang.parse(text)
    except InvalidVersion:
        return True
    return False


def test_every_labelled_pair_agrees() -> None:
    data = rows("go.jsonl")
    assert len(data) > 6000
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in data)
    assert not bad, "\n".join(bad[:20])


def test_labelled_pairs_agree_without_the_v_prefix() -> None:
    data = rows("go.jsonl")
    bad = disagreements(
        (r, r["cmp"], _compare(r["a"].removeprefix("v"), r["b"].removeprefix("v"))) for r in data
    )
    assert not bad, "\n".join(bad[:20])


def test_osv_versions_without_prefix_agree_with_x_mod_on_prefixed_strings() -> None:
    # go_invalid.jsonl holds these as rejected because x/mod needs the v; OSV omits it.
    data = rows("go_no_v_prefix.jsonl")
    assert len(data) == 50
    bad = disagreements((r, r["cmp"], _compare(r["a"], r["b"])) for r in data)
    assert not bad, "\n".join(bad[:20])


def test_inputs_invalid_per_is_valid_raise() -> None:
    data = [r for r in rows("go_invalid.jsonl") if not r["source"].startswith("realworld-no-v")]
    assert len(data) > 200
    for row in data:
        valid_a = "(a=true" in row["error"]
        valid_b = "b=true)" in row["error"]
        assert _raises(row["a"]) != valid_a, row
        assert _raises(row["b"]) != valid_b, row
        with pytest.raises(InvalidVersion):
            golang.SCHEME.compare(row["a"], row["b"])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("v1", "v1.0.0"),
        ("v1.2", "v1.2.0"),
        ("1", "v1.0.0"),
        ("1.2", "1.2.0"),
        ("v2.0.0+incompatible", "v2.0.0"),
        ("24.0.9+incompatible", "v24.0.9"),
        ("v1.2.3-pre+meta", "v1.2.3-pre"),
    ],
)
def test_shorthands_build_metadata_and_incompatible_are_equal(a: str, b: str) -> None:
    assert _compare(a, b) == 0


@pytest.mark.parametrize(
    "text",
    ["", "v", "vv1.0.0", "V1.0.0", "v1-pre", "v1.2-pre", "v1+meta", "v1.2+meta", "v01.0.0",
     "v1.0.0-01", "v1.0.0-", "v1.0.0+", "v1.0.0-a..b", " v1.0.0", "v1.0.0.0", "v1.0.0-é"],
)  # fmt: skip
def test_invalid_versions_raise(text: str) -> None:
    assert _raises(text)


def test_pseudo_versions_order_by_timestamp_below_releases() -> None:
    chain = [
        "v0.0.0-20230731152917-f99041a5c027",
        "v0.0.0-20240625155419-9ac102336200",
        "v0.1.0",
        "v0.1.1-0.20241213221912-68b004a48f41",
        "v0.1.1",
    ]
    assert sorted(random.Random(0).sample(chain, len(chain)), key=golang.parse) == chain


@st.composite
def go_versions(draw: st.DrawFn) -> str:
    text = draw(
        st.one_of(semver_versions(), st.lists(numbers, min_size=1, max_size=2).map(".".join))
    )
    return "v" + text if draw(st.booleans()) else text


@settings(max_examples=150, deadline=None)
@given(go_versions(), go_versions(), go_versions())
def test_total_order_on_generated_versions(a: str, b: str, c: str) -> None:
    check_total_order(golang.parse, a, b, c)


@cache
def _real_versions() -> list[str]:
    return sorted({s for r in rows("go.jsonl") for s in (r["a"], r["b"])})


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_total_order_on_real_versions(data: st.DataObject) -> None:
    a, b, c = (data.draw(st.sampled_from(_real_versions())) for _ in range(3))
    check_total_order(golang.parse, a, b, c)
