"""ListCoverage and ListCoverageStatistics over stored resources, against a Python reference."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import botocore.loaders
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from tests.db import query_data
from vigil.db import coverage
from vigil.db.tables import resources
from vigil.domain.filter_values import CriteriaError

DATA = query_data.build(seed=3, n_resources=50, n_findings=60)
ACCOUNTS = query_data.ACCOUNTS
SHAPES = botocore.loaders.create_loader().load_service_model("inspector2", "service-2")["shapes"]
REASONS = ("SUCCESSFUL", "UNSUPPORTED_OS", "PENDING_INITIAL_SCAN", "SCAN_ELIGIBILITY_EXPIRED")


@pytest.fixture
def stored(db_engine: Engine) -> Engine:
    query_data.store(db_engine, DATA)
    with db_engine.begin() as connection:
        for pk in connection.execute(select(resources.c.id)).scalars():
            reason = REASONS[pk % len(REASONS)]
            connection.execute(
                update(resources)
                .where(resources.c.id == pk)
                .values(
                    scan_status_code="ACTIVE" if reason in REASONS[:3:2] else "INACTIVE",
                    scan_status_reason=reason,
                    last_scanned_at=query_data.BASE + timedelta(days=pk % 7),
                )
            )
    return db_engine


def rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(resources)).mappings()]


def value_of(row: dict[str, Any], key: str) -> list[Any]:
    details = row["details"]
    ecr = details.get("awsEcrContainerImage", {})
    return {
        "scanStatusCode": [row["scan_status_code"]],
        "scanStatusReason": [row["scan_status_reason"]],
        "accountId": [row["account_id"]],
        "resourceType": [row["resource_type"]],
        "ecrRepositoryName": [row["ecr_repository_name"]],
        "ecrImageTags": list(row["ecr_image_tags"] or []),
        "lambdaFunctionRuntime": [row["lambda_function_runtime"]],
        "scanMode": ["EC2_SSM_AGENT_BASED" if row["resource_type"] == "AWS_EC2_INSTANCE" else None],
        "ecrImageInUseCount": [ecr.get("inUseCount")],
        "cloudProvider": [None],
    }[key]


def reference_match(row: dict[str, Any], criteria: dict[str, list[dict[str, Any]]]) -> bool:
    for key, filters in criteria.items():
        if key == "ec2InstanceTags":
            tags = row["tags"] if row["resource_type"] == "AWS_EC2_INSTANCE" else None
            if tags is None or not any(
                f["key"] in tags and ("value" not in f or tags[f["key"]] == f["value"])
                for f in filters
            ):
                return False
            continue
        values = [v for v in value_of(row, key) if v is not None]
        if key == "ecrImageInUseCount":
            if not any(
                f.get("lowerInclusive", -1e9) <= v <= f.get("upperInclusive", 1e9)
                for f in filters
                for v in values
            ):
                return False
            continue
        positives = [f["value"] for f in filters if f["comparison"] == "EQUALS"]
        negatives = [f["value"] for f in filters if f["comparison"] == "NOT_EQUALS"]
        if positives and not set(values) & set(positives):
            return False
        if set(values) & set(negatives):
            return False
    return True


def _sf(values: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"comparison": st.sampled_from(["EQUALS", "NOT_EQUALS"]), "value": st.sampled_from(values)}
    )


FILTERS = {
    "scanStatusCode": _sf(["ACTIVE", "INACTIVE"]),
    "scanStatusReason": _sf(list(REASONS)),
    "accountId": _sf(list(ACCOUNTS)),
    "resourceType": _sf(["AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION"]),
    "ecrRepositoryName": _sf(["web", "web-api", "db"]),
    "ecrImageTags": _sf(["latest", "v1", "prod"]),
    "lambdaFunctionRuntime": _sf(["PYTHON_3_11", "NODEJS_18_X"]),
    "scanMode": _sf(["EC2_SSM_AGENT_BASED", "EC2_AGENTLESS"]),
    "cloudProvider": _sf(["AWS", "AZURE"]),
    "ec2InstanceTags": st.builds(
        lambda k, v: {"comparison": "EQUALS", "key": k} | ({} if v is None else {"value": v}),
        st.sampled_from(["env", "team"]),
        st.sampled_from([None, "prod", "a"]),
    ),
    "ecrImageInUseCount": st.builds(
        lambda lo, hi: {
            k: v for k, v in (("lowerInclusive", lo), ("upperInclusive", hi)) if v is not None
        },
        st.sampled_from([None, 0, 2]),
        st.sampled_from([None, 1, 4]),
    ),
}
CRITERIA = st.lists(st.sampled_from(sorted(FILTERS)), max_size=3, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries(
        {k: st.lists(FILTERS[k], min_size=1, max_size=3) for k in keys}
    )
)


def test_keys_are_botocores() -> None:
    assert set(coverage.FILTERS) == set(SHAPES["CoverageFilterCriteria"]["members"])
    assert set(coverage.GROUPS) <= set(SHAPES["GroupKey"]["enum"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(criteria=CRITERIA)
def test_list_coverage_agrees_with_the_reference(stored: Engine, criteria: dict[str, Any]) -> None:
    got: list[str] = []
    token = None
    with stored.connect() as connection:
        while True:
            page = coverage.list_coverage(
                connection, ACCOUNTS, criteria, max_results=9, next_token=token
            )
            got += [r["resourceId"] for r in page.covered_resources]
            token = page.next_token
            if token is None:
                break
    want = [
        r["resource_id"]
        for r in sorted(rows(stored), key=lambda r: r["id"])
        if reference_match(r, criteria)
    ]
    assert got == want


def test_covered_resource_shape(stored: Engine) -> None:
    with stored.connect() as connection:
        page = coverage.list_coverage(connection, ACCOUNTS, max_results=200)
    assert len(page.covered_resources) == 50
    required = set(SHAPES["CoveredResource"]["required"])
    for item in page.covered_resources:
        assert required <= set(item)
        assert set(item) <= set(SHAPES["CoveredResource"]["members"])
        assert item["scanStatus"]["reason"] in SHAPES["ScanStatusReason"]["enum"]
        metadata_members = set(SHAPES["ResourceScanMetadata"]["members"])
        assert set(item["resourceMetadata"]) <= metadata_members
        if item["resourceType"] == "AWS_EC2_INSTANCE":
            assert item["scanMode"] == "EC2_SSM_AGENT_BASED"
            assert item["resourceMetadata"]["ec2"]["amiId"].startswith("ami-")


def test_statistics_group_and_page_by_five(stored: Engine) -> None:
    all_rows = rows(stored)
    for group_by, column in [
        ("SCAN_STATUS_REASON", "scan_status_reason"),
        ("ACCOUNT_ID", "account_id"),
        ("RESOURCE_TYPE", "resource_type"),
        ("ECR_REPOSITORY_NAME", "ecr_repository_name"),
        ("SCAN_STATUS_CODE", "scan_status_code"),
    ]:
        counts: Counter[str] = Counter()
        token = None
        with stored.connect() as connection:
            while True:
                stats = coverage.coverage_statistics(
                    connection, ACCOUNTS, group_by=group_by, next_token=token
                )
                assert stats.total_counts == 50
                assert len(stats.counts_by_group) <= 5
                counts.update({g["groupKey"]: g["count"] for g in stats.counts_by_group})
                token = stats.next_token
                if token is None:
                    break
        assert counts == Counter(r[column] for r in all_rows if r[column] is not None)


def test_only_the_callers_accounts_and_bad_input(stored: Engine) -> None:
    with stored.connect() as connection:
        page = coverage.list_coverage(connection, (ACCOUNTS[2],))
        assert {r["accountId"] for r in page.covered_resources} == {ACCOUNTS[2]}
        assert coverage.list_coverage(connection, ()).covered_resources == ()
        with pytest.raises(CriteriaError):
            coverage.list_coverage(
                connection, ACCOUNTS, {"scanStatusCode": [{"comparison": "PREFIX", "value": "A"}]}
            )
        with pytest.raises(CriteriaError):
            coverage.list_coverage(
                connection, ACCOUNTS, {"severity": [{"comparison": "EQUALS", "value": "A"}]}
            )
        with pytest.raises(CriteriaError):
            coverage.coverage_statistics(connection, ACCOUNTS, group_by="PROVIDER")
