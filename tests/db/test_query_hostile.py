"""Hostile filter values reach the databases as parameters and answer like the evaluator."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.db import query_data
from tests.db.query_data import all_pages
from vigil.domain.filter_criteria import parse_filter_criteria
from vigil.findings.criteria import matches

DATA = query_data.build(seed=2, n_resources=10, n_findings=40)
NASTY = ["\x00", "a\x00b", "%", "_", "' OR 1=1 --", "\\", "é", "𝔘", "$.x", '"', "CVE-2024-%"]


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    return db_engine


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for value in NASTY:
        for comparison in ("EQUALS", "PREFIX", "NOT_EQUALS"):
            f = {"comparison": comparison, "value": value}
            cases += [
                {"vulnerabilityId": [f]},
                {"ecrImageTags": [f]},
                {"relatedVulnerabilities": [f]},
                {"vulnerablePackages": [{"name": f}]},
                {"vulnerablePackages": [{"sourceLambdaLayerArn": f}]},
            ]
        cases.append({"resourceTags": [{"comparison": "EQUALS", "key": value, "value": value}]})
    return cases


def test_hostile_values_agree_with_the_evaluator(stored: Engine) -> None:
    for wire in _cases():
        criteria = parse_filter_criteria(wire)
        want = {v["findingArn"] for v in DATA.views if matches(criteria, v)}
        assert set(all_pages(stored, criteria)) == want, wire


def test_prefix_wildcards_are_literal(stored: Engine) -> None:
    # LIKE would read % as "anything"; a PREFIX of "CVE-2024-%" matches no real id.
    criteria = parse_filter_criteria(
        {"vulnerabilityId": [{"comparison": "PREFIX", "value": "CVE-2024-%"}]}
    )
    assert all_pages(stored, criteria) == []
    lower = parse_filter_criteria({"vulnerabilityId": [{"comparison": "PREFIX", "value": "cve"}]})
    assert all_pages(stored, lower) == []
