from __future__ import annotations

import random

from vigil.advisories.groups import Link, links_of, resolve


def groups_of(mapping: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for member, group in mapping.items():
        out.setdefault(group, set()).add(member)
    return out


def test_aliases_and_upstream_join_related_does_not() -> None:
    links = links_of("PYSEC-2021-76", ["CVE-2021-21330", "GHSA-v6wp"], [], ["CVE-2020-1"])
    assert links == (
        Link("CVE-2020-1", "related", False),
        Link("CVE-2021-21330", "alias", True),
        Link("GHSA-v6wp", "alias", True),
    )


def test_an_advisory_naming_several_cves_is_a_bundle() -> None:
    # DSA-4347-1 (tests/data/osv/debian) fixes four CVEs: it joins none of them.
    links = links_of("DSA-4347-1", [], ["CVE-2018-18311", "CVE-2018-18312", "DLA-1-1"], [])
    assert [(ln.target, ln.joins) for ln in links] == [
        ("CVE-2018-18311", False),
        ("CVE-2018-18312", False),
        ("DLA-1-1", True),
    ]


def test_self_links_and_blanks_are_dropped() -> None:
    assert links_of("GHSA-1", ["GHSA-1", " ", ""], [], []) == ()


def test_one_cve_names_the_group() -> None:
    mapping = resolve(
        ["PYSEC-1", "GHSA-a", "ALPINE-CVE-1"],
        [
            ("PYSEC-1", "CVE-1"),
            ("PYSEC-1", "GHSA-a"),
            ("GHSA-a", "CVE-1"),
            ("ALPINE-CVE-1", "CVE-1"),
        ],
    )
    assert groups_of(mapping) == {"CVE-1": {"PYSEC-1", "GHSA-a", "ALPINE-CVE-1", "CVE-1"}}


def test_without_a_cve_the_smallest_id_names_the_group() -> None:
    mapping = resolve(["PYSEC-1", "GO-1"], [("PYSEC-1", "GHSA-z"), ("GO-1", "GHSA-z")])
    assert set(mapping.values()) == {"GHSA-z"}


def test_a_chain_never_merges_two_cves() -> None:
    # GHSA-x wrongly aliases both sides: CVE-1 keeps the first edge in canonical order.
    edges = [("GHSA-x", "CVE-1"), ("GHSA-x", "CVE-2"), ("PYSEC-2", "CVE-2")]
    mapping = resolve(["GHSA-x", "PYSEC-2"], edges)
    assert groups_of(mapping) == {"CVE-1": {"GHSA-x", "CVE-1"}, "CVE-2": {"CVE-2", "PYSEC-2"}}


def test_the_outcome_does_not_depend_on_arrival_order() -> None:
    records = [f"R-{i}" for i in range(40)]
    rng = random.Random(7)
    edges = [(rng.choice(records), f"CVE-{rng.randrange(12)}") for _ in range(60)]
    edges += [(rng.choice(records), rng.choice(records)) for _ in range(20)]
    expected = resolve(records, edges)
    for _ in range(5):
        rng.shuffle(records)
        rng.shuffle(edges)
        flipped = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in edges]
        assert resolve(records, flipped) == expected
    for group, members in groups_of(expected).items():
        assert len({m for m in members if m.startswith("CVE-")}) <= 1, group
