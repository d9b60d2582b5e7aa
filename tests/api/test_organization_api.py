"""Delegated administrator, members and organisation configuration through unmodified boto3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.org_support import A, B, D, M, Org, build_org, live_org
from tests.apiserver import start_api


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with live_org(tmp_path) as built:
        yield built


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_management_account_enables_one_delegated_admin(org: Org) -> None:
    m, d = org.client(M), org.client(D)
    assert m.get_delegated_admin_account()["delegatedAdmin"] == {
        "accountId": D,
        "relationshipStatus": "ENABLED",
    }
    assert d.get_delegated_admin_account()["delegatedAdmin"]["accountId"] == D
    assert m.list_delegated_admin_accounts()["delegatedAdminAccounts"] == [
        {"accountId": D, "status": "ENABLED"}
    ]
    # Enabling the same account again is a retry; another one conflicts.
    again = org.again(M).enable_delegated_admin_account(delegatedAdminAccountId=D)
    assert again["delegatedAdminAccountId"] == D
    with pytest.raises(m.exceptions.ConflictException) as conflict:
        m.enable_delegated_admin_account(delegatedAdminAccountId=B)
    assert conflict.value.response["resourceId"] == D
    assert conflict.value.response["resourceType"] == "DelegatedAdminAccount"


def test_only_the_management_account_manages_the_delegated_admin(org: Org) -> None:
    for account in (D, A, B):
        client = org.client(account)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.enable_delegated_admin_account(delegatedAdminAccountId=account)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.disable_delegated_admin_account(delegatedAdminAccountId=D)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.list_delegated_admin_accounts()
    b = org.client(B)
    with pytest.raises(b.exceptions.AccessDeniedException):
        b.get_delegated_admin_account()
    # A member may ask who its administrator is.
    assert org.client(A).get_delegated_admin_account()["delegatedAdmin"]["accountId"] == D


def test_members_are_associated_listed_and_disassociated_by_the_admin(org: Org) -> None:
    d, a = org.client(D), org.client(A)
    member = d.get_member(accountId=A)["member"]
    assert member["accountId"] == A
    assert member["delegatedAdminAccountId"] == D
    assert member["relationshipStatus"] == "ENABLED"
    assert member["updatedAt"].year >= 2026
    assert a.get_member(accountId=A)["member"]["delegatedAdminAccountId"] == D
    assert [m["accountId"] for m in d.list_members()["members"]] == [A]
    assert [m["accountId"] for m in d.list_members(onlyAssociated=False)["members"]] == [A]
    assert a.list_members()["members"] == []

    assert d.disassociate_member(accountId=A)["accountId"] == A
    with pytest.raises(d.exceptions.ResourceNotFoundException):
        d.get_member(accountId=A)
    assert d.list_members()["members"] == []
    with pytest.raises(d.exceptions.ValidationException):
        org.again(D).disassociate_member(accountId=A)
    assert d.associate_member(accountId=A)["accountId"] == A
    # Already a member: unchanged.
    assert org.again(D).associate_member(accountId=A)["accountId"] == A
    assert [m["accountId"] for m in d.list_members()["members"]] == [A]


def test_only_the_delegated_admin_associates_and_nobody_joins_itself(org: Org) -> None:
    for account in (M, A, B):
        client = org.client(account)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.associate_member(accountId=B)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.disassociate_member(accountId=A)
    d = org.client(D)
    with pytest.raises(d.exceptions.ValidationException):
        d.associate_member(accountId=D)
    b = org.client(B)
    with pytest.raises(b.exceptions.ResourceNotFoundException):
        b.get_member(accountId=A)
    with pytest.raises(d.exceptions.ResourceNotFoundException):
        d.get_member(accountId=B)


def test_list_members_pages_by_account_id(org: Org) -> None:
    d = org.client(D)
    extra = [f"5000000000{i:02d}" for i in range(7)]
    for account in extra:
        d.associate_member(accountId=account)
    pages = list(d.get_paginator("list_members").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(page["members"]) for page in pages] == [3, 3, 2]
    assert [m["accountId"] for page in pages for m in page["members"]] == sorted([A, *extra])
    with pytest.raises(d.exceptions.ValidationException):
        d.list_members(nextToken="forged")


def test_disabling_the_admin_dissociates_every_member(org: Org) -> None:
    m, d = org.client(M), org.client(D)
    with pytest.raises(m.exceptions.ResourceNotFoundException):
        m.disable_delegated_admin_account(delegatedAdminAccountId=B)
    assert (
        m.disable_delegated_admin_account(delegatedAdminAccountId=D)["delegatedAdminAccountId"] == D
    )
    assert m.get_delegated_admin_account().get("delegatedAdmin") is None
    assert m.list_delegated_admin_accounts()["delegatedAdminAccounts"] == []
    assert d.list_members()["members"] == []
    with pytest.raises(d.exceptions.AccessDeniedException):
        d.associate_member(accountId=A)
    # The former member's status is its own again, out of D's reach.
    failed = d.batch_get_account_status(accountIds=[A])["failedAccounts"]
    assert [(f["accountId"], f["errorCode"]) for f in failed] == [(A, "ACCESS_DENIED")]
    # Another account may now become the administrator.
    m.enable_delegated_admin_account(delegatedAdminAccountId=B)
    assert m.get_delegated_admin_account()["delegatedAdmin"]["accountId"] == B


def test_organization_configuration_auto_enables_new_members(org: Org) -> None:
    d = org.client(D)
    described = d.describe_organization_configuration()
    assert described["autoEnable"] == {
        "ec2": False,
        "ecr": False,
        "lambda": False,
        "lambdaCode": False,
    }
    assert described["maxAccountLimitReached"] is False
    updated = d.update_organization_configuration(autoEnable={"ec2": True, "ecr": False})
    assert updated["autoEnable"] == {
        "ec2": True,
        "ecr": False,
        "lambda": False,
        "lambdaCode": False,
    }
    updated = d.update_organization_configuration(
        autoEnable={"ec2": True, "ecr": True, "lambda": True}
    )
    assert updated["autoEnable"]["lambda"] is True
    d.associate_member(accountId=B)
    state = d.batch_get_account_status(accountIds=[B])["accounts"][0]
    assert state["state"]["status"] == "ENABLED"
    statuses = {kind: item["status"] for kind, item in state["resourceState"].items()}
    assert statuses == {
        "ec2": "ENABLED",
        "ecr": "ENABLED",
        "lambda": "ENABLED",
        "lambdaCode": "DISABLED",
    }
    with pytest.raises(d.exceptions.ValidationException):
        d.update_organization_configuration(autoEnable={"ec2": True, "ecr": True, "ami": True})
    for account in (M, A, B):
        client = org.client(account)
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.describe_organization_configuration()
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.update_organization_configuration(autoEnable={"ec2": True, "ecr": True})


def test_roles_below_admin_cannot_change_the_organisation(org: Org) -> None:
    analyst = org.api.client(org.key(D, "analyst"))
    with pytest.raises(ClientError) as refused:
        analyst.associate_member(accountId=B)
    assert _code(refused) == "AccessDeniedException"
    reader = org.api.client(org.key(D, "read-only"))
    assert [m["accountId"] for m in reader.list_members()["members"]] == [A]
    with pytest.raises(ClientError) as refused:
        reader.update_organization_configuration(autoEnable={"ec2": True, "ecr": True})
    assert _code(refused) == "AccessDeniedException"


def test_the_first_admin_key_names_the_management_account(tmp_path: Path) -> None:
    with start_api(tmp_path) as api:
        # A read-only key issued first does not count; the first admin key does.
        api.create_key(B, "read-only")
        org = build_org(api, associate=False)
        assert (
            org.client(M).list_delegated_admin_accounts()["delegatedAdminAccounts"][0]["accountId"]
            == D
        )


def test_bad_account_ids_are_validation_errors(org: Org) -> None:
    d = org.api.client(org.keys[D], validate=False)
    for call, params in (
        (d.associate_member, {"accountId": "12345678901x"}),
        (d.get_member, {"accountId": "abcdefghijkl"}),
    ):
        with pytest.raises(d.exceptions.ValidationException) as invalid:
            call(**params)
        fields: list[dict[str, Any]] = invalid.value.response["fields"]
        assert fields[0]["name"] == "accountId"
