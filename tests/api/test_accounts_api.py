"""Enable, Disable and BatchGetAccountStatus through unmodified boto3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.org_support import A, B, D, Org, live_org

ALL_OFF = {"ec2": "DISABLED", "ecr": "DISABLED", "lambda": "DISABLED", "lambdaCode": "DISABLED"}


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with live_org(tmp_path) as built:
        yield built


def _states(answer: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        item["accountId"]: (
            item["state"]["status"],
            {kind: state["status"] for kind, state in item["resourceState"].items()},
        )
        for item in answer["accounts"]
    }


def test_enable_and_disable_scan_types_of_the_caller(org: Org) -> None:
    b = org.client(B)
    assert _states(b.batch_get_account_status()) == {B: ("DISABLED", ALL_OFF)}
    enabled = b.enable(resourceTypes=["EC2", "LAMBDA"])
    assert enabled["failedAccounts"] == []
    assert enabled["accounts"] == [
        {
            "accountId": B,
            "status": "ENABLED",
            "resourceStatus": {**ALL_OFF, "ec2": "ENABLED", "lambda": "ENABLED"},
        }
    ]
    answer = b.batch_get_account_status(accountIds=[B])
    assert _states(answer) == {B: ("ENABLED", {**ALL_OFF, "ec2": "ENABLED", "lambda": "ENABLED"})}
    # The model requires an error code and message on every state; they agree with the status.
    assert answer["accounts"][0]["state"]["errorCode"] == "ALREADY_ENABLED"
    assert answer["accounts"][0]["resourceState"]["ecr"]["errorCode"] == "RESOURCE_NOT_FOUND"

    disabled = b.disable(resourceTypes=["EC2"])
    assert disabled["accounts"][0]["status"] == "ENABLED"
    assert disabled["accounts"][0]["resourceStatus"]["ec2"] == "DISABLED"
    everything = org.again(B).disable()
    assert everything["accounts"][0] == {
        "accountId": B,
        "status": "DISABLED",
        "resourceStatus": ALL_OFF,
    }


def test_the_admin_enables_members_and_nobody_else(org: Org) -> None:
    d, b = org.client(D), org.client(B)
    done = d.enable(accountIds=[D, A, B], resourceTypes=["ECR"])
    assert [item["accountId"] for item in done["accounts"]] == [D, A]
    assert [(f["accountId"], f["errorCode"]) for f in done["failedAccounts"]] == [
        (B, "ACCESS_DENIED")
    ]
    assert "status" not in done["failedAccounts"][0]  # nothing about the foreign account
    assert _states(b.batch_get_account_status())[B] == ("DISABLED", ALL_OFF)
    states = _states(d.batch_get_account_status(accountIds=[A, D]))
    assert states[A][1]["ecr"] == "ENABLED"
    assert states[D][1]["ecr"] == "ENABLED"

    refused = b.enable(accountIds=[A], resourceTypes=["EC2"])
    assert refused["accounts"] == []
    assert refused["failedAccounts"][0]["errorCode"] == "ACCESS_DENIED"
    assert _states(d.batch_get_account_status(accountIds=[A]))[A][1]["ec2"] == "DISABLED"
    seen = b.batch_get_account_status(accountIds=[A, B])
    assert list(_states(seen)) == [B]
    assert [f["accountId"] for f in seen["failedAccounts"]] == [A]


def test_members_cannot_deactivate_themselves_nor_an_admin_with_members(org: Org) -> None:
    a, d = org.client(A), org.client(D)
    d.enable(accountIds=[D, A], resourceTypes=["EC2"])
    refused = a.disable(resourceTypes=["EC2"])
    assert refused["accounts"] == []
    assert refused["failedAccounts"][0]["errorCode"] == "ACCESS_DENIED"
    assert refused["failedAccounts"][0]["resourceStatus"]["ec2"] == "ENABLED"
    admin_off = d.disable(accountIds=[D])
    assert admin_off["failedAccounts"][0]["errorCode"] == "DISASSOCIATE_ALL_MEMBERS"
    assert d.disable(accountIds=[A])["accounts"][0]["status"] == "DISABLED"
    d.disassociate_member(accountId=A)
    assert org.again(D).disable(accountIds=[D])["accounts"][0]["status"] == "DISABLED"


def test_unsupported_scan_types_and_bad_ids_are_refused(org: Org) -> None:
    b = org.client(B)
    with pytest.raises(b.exceptions.ValidationException):
        b.enable(resourceTypes=["CODE_REPOSITORY"])
    raw = org.api.client(org.keys[B], validate=False)
    with pytest.raises(raw.exceptions.ValidationException):
        raw.batch_get_account_status(accountIds=["12345678901a"])
    with pytest.raises(raw.exceptions.ValidationException):
        raw.enable(resourceTypes=["EC3"])
