"""CreateFilter, UpdateFilter, ListFilters and DeleteFilter through boto3, on SQLite and on
PostgreSQL: suppression takes effect at once on stored findings and on new ones, and lifting it
returns findings to ACTIVE. Each test works in accounts of its own on a shared server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.api import fleet_data as fleet
from tests.api.findings_support import T0, FleetWriter, backend_url, serve
from tests.apiserver import LiveApi
from vigil.db.tables import accounts

LOW = {"severity": [{"comparison": "EQUALS", "value": "LOW"}]}
MEDIUM = {"severity": [{"comparison": "EQUALS", "value": "MEDIUM"}]}
VULNS = 20
LOW_COUNT = sum(1 for v in range(VULNS) if fleet.severity(v) == "LOW")
MEDIUM_COUNT = sum(1 for v in range(VULNS) if fleet.severity(v) == "MEDIUM")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    with (
        backend_url(request.param) as url,
        serve(tmp_path_factory.mktemp("filters"), database_url=url) as live,
    ):
        yield live


def observe(api: LiveApi, account: str, resources: range, vulns: int = VULNS) -> None:
    writer = FleetWriter(api.services.engine)
    batch = []
    for r in resources:
        res = fleet.resource(r, account)
        batch.append((res, [fleet.finding_document(res, r, v) for v in range(vulns)]))
    writer.observe(batch, T0)


def statuses(client: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for page in client.get_paginator("list_findings").paginate():
        for finding in page["findings"]:
            found[finding["status"]] = found.get(finding["status"], 0) + 1
    return found


def test_a_filter_is_created_listed_and_read_back(api: LiveApi) -> None:
    account = "100000000001"
    client = api.client(api.create_key(account, "analyst"))
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    criteria = {**LOW, "firstObservedAt": [{"startInclusive": since}]}
    arn = client.create_filter(
        name="low-since-jan",
        action="NONE",
        filterCriteria=criteria,
        description="Low findings since January",
        tags={"team": "blue"},
    )["arn"]
    assert re.fullmatch(
        rf"arn:aws:inspector2:us-east-1:{account}:owner/{account}/filter/[0-9a-f]{{16}}", arn
    )
    (listed,) = client.list_filters()["filters"]
    assert listed["arn"] == arn
    assert listed["ownerId"] == account
    assert listed["name"] == "low-since-jan"
    assert listed["action"] == "NONE"
    assert listed["description"] == "Low findings since January"
    assert listed["tags"] == {"team": "blue"}
    assert listed["criteria"]["severity"] == LOW["severity"]
    assert listed["criteria"]["firstObservedAt"][0]["startInclusive"] == since
    assert listed["createdAt"] == listed["updatedAt"]


def test_suppression_applies_at_once_and_to_new_findings(api: LiveApi) -> None:
    account = "100000000002"
    observe(api, account, range(2))
    client = api.client(api.create_key(account, "analyst"))
    assert statuses(client) == {"ACTIVE": 2 * VULNS}

    arn = client.create_filter(
        name="hide-low", action="SUPPRESS", filterCriteria=LOW, reason="accepted risk"
    )["arn"]
    assert statuses(client) == {"ACTIVE": 2 * (VULNS - LOW_COUNT), "SUPPRESSED": 2 * LOW_COUNT}
    suppressed = client.list_findings(
        filterCriteria={"findingStatus": [{"comparison": "EQUALS", "value": "SUPPRESSED"}]}
    )["findings"]
    assert {f["severity"] for f in suppressed} == {"LOW"}

    observe(api, account, range(2, 3))  # a new resource: its LOW findings arrive suppressed
    assert statuses(client) == {"ACTIVE": 3 * (VULNS - LOW_COUNT), "SUPPRESSED": 3 * LOW_COUNT}

    client.update_filter(filterArn=arn, filterCriteria=MEDIUM)
    assert statuses(client) == {
        "ACTIVE": 3 * (VULNS - MEDIUM_COUNT),
        "SUPPRESSED": 3 * MEDIUM_COUNT,
    }
    client.update_filter(filterArn=arn, action="NONE")
    assert statuses(client) == {"ACTIVE": 3 * VULNS}
    client.update_filter(filterArn=arn, action="SUPPRESS", name="hide-medium")
    assert statuses(client)["SUPPRESSED"] == 3 * MEDIUM_COUNT
    (listed,) = client.list_filters(arns=[arn])["filters"]
    assert (listed["name"], listed["action"], listed["reason"]) == (
        "hide-medium",
        "SUPPRESS",
        "accepted risk",
    )
    assert listed["updatedAt"] >= listed["createdAt"]

    assert client.delete_filter(arn=arn)["arn"] == arn
    assert statuses(client) == {"ACTIVE": 3 * VULNS}
    assert client.list_filters()["filters"] == []


def test_a_finding_stays_suppressed_while_another_rule_holds_it(api: LiveApi) -> None:
    account = "100000000003"
    observe(api, account, range(1))
    client = api.client(api.create_key(account, "admin"))
    first = client.create_filter(name="low-a", action="SUPPRESS", filterCriteria=LOW)["arn"]
    client.create_filter(name="low-b", action="SUPPRESS", filterCriteria=LOW)
    client.delete_filter(arn=first)
    assert statuses(client) == {"ACTIVE": VULNS - LOW_COUNT, "SUPPRESSED": LOW_COUNT}


def test_a_delegated_administrators_rule_reaches_its_members(api: LiveApi) -> None:
    admin, member, outsider = "100000000004", "100000000005", "100000000006"
    observe(api, member, range(1))
    observe(api, outsider, range(1))
    admin_client = api.client(api.create_key(admin, "admin"))
    member_client = api.client(api.create_key(member, "admin"))
    outsider_client = api.client(api.create_key(outsider, "admin"))
    with api.services.engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.account_id == member).values(delegated_admin_id=admin)
        )
    admin_client.create_filter(name="org-low", action="SUPPRESS", filterCriteria=LOW)
    assert statuses(member_client) == {"ACTIVE": VULNS - LOW_COUNT, "SUPPRESSED": LOW_COUNT}
    assert statuses(admin_client) == statuses(member_client)  # the admin sees its member
    assert statuses(outsider_client) == {"ACTIVE": VULNS}
    assert member_client.list_filters()["filters"] == []  # the rule is the admin's
    with pytest.raises(member_client.exceptions.AccessDeniedException):
        member_client.create_filter(name="mine", action="SUPPRESS", filterCriteria=MEDIUM)
    member_client.create_filter(name="saved-view", action="NONE", filterCriteria=MEDIUM)


def test_list_filters_pages_and_selects_by_action_and_arn(api: LiveApi) -> None:
    client = api.client(api.create_key("100000000007", "analyst"))
    arns = [
        client.create_filter(
            name=f"f-{i}", action="SUPPRESS" if i % 2 else "NONE", filterCriteria=MEDIUM
        )["arn"]
        for i in range(5)
    ]
    pages = list(client.get_paginator("list_filters").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["filters"]) for p in pages] == [2, 2, 1]
    assert [f["arn"] for p in pages for f in p["filters"]] == arns
    suppressing = client.list_filters(action="SUPPRESS")["filters"]
    assert [f["arn"] for f in suppressing] == [arns[1], arns[3]]
    picked = client.list_filters(arns=[arns[0], arns[3]], action="NONE")["filters"]
    assert [f["arn"] for f in picked] == [arns[0]]
    with pytest.raises(client.exceptions.ValidationException):
        client.list_filters(nextToken="forged")


def test_filter_errors_are_the_modeled_ones(api: LiveApi) -> None:
    account = "100000000008"
    client = api.client(api.create_key(account, "analyst"))
    arn = client.create_filter(name="only-one", action="NONE", filterCriteria=LOW)["arn"]
    with pytest.raises(client.exceptions.BadRequestException) as duplicate:
        client.create_filter(name="only-one", action="NONE", filterCriteria=MEDIUM)
    assert "already exists" in duplicate.value.response["Error"]["Message"]
    assert duplicate.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_filter(name="has spaces", action="NONE", filterCriteria=LOW)
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_filter(name="everything", action="SUPPRESS", filterCriteria={})
    with pytest.raises(client.exceptions.ValidationException) as bad_criteria:
        client.create_filter(
            name="bad-dates",
            action="NONE",
            filterCriteria={"severity": [{"comparison": "EQUALS", "value": "x" * 1025}]},
        )
    assert bad_criteria.value.response["reason"] == "FIELD_VALIDATION_FAILED"
    missing = arn[:-16] + "0" * 16
    with pytest.raises(client.exceptions.ResourceNotFoundException) as not_found:
        client.delete_filter(arn=missing)
    assert not_found.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_filter(filterArn=missing, action="NONE")
    client.create_filter(name="only-two", action="NONE", filterCriteria=LOW)
    with pytest.raises(client.exceptions.ValidationException) as renamed:
        client.update_filter(filterArn=arn, name="only-two")
    assert renamed.value.response["fields"][0]["name"] == "name"

    stranger = api.client(api.create_key("100000000009", "admin"))
    with pytest.raises(stranger.exceptions.ResourceNotFoundException):
        stranger.delete_filter(arn=arn)  # another account's filter does not exist for it
    assert stranger.list_filters(arns=[arn])["filters"] == []

    reader = api.client(api.create_key(account, "read-only"))
    with pytest.raises(reader.exceptions.AccessDeniedException):
        reader.create_filter(name="nope", action="NONE", filterCriteria=LOW)
    readable = [f["arn"] for f in reader.list_filters()["filters"]]
    assert readable[0] == arn
    assert readable == [f["arn"] for f in client.list_filters()["filters"]]


def test_a_date_window_rule_suppresses_by_first_observation(api: LiveApi) -> None:
    account = "100000000010"
    observe(api, account, range(1))
    client = api.client(api.create_key(account, "admin"))
    window = [
        {"startInclusive": T0 - timedelta(minutes=1), "endInclusive": T0 + timedelta(minutes=1)}
    ]
    client.create_filter(
        name="window", action="SUPPRESS", filterCriteria={"firstObservedAt": window}
    )
    assert statuses(client) == {"SUPPRESSED": VULNS}
