"""Scan configuration and EC2 deep inspection through unmodified boto3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.org_support import A, B, D, Org, live_org


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with live_org(tmp_path) as built:
        yield built


def _ecr(answer: dict[str, Any]) -> tuple[str, str, str]:
    state = answer["ecrConfiguration"]["rescanDurationState"]
    return state["rescanDuration"], state["pullDateRescanDuration"], state["pullDateRescanMode"]


def _mode(answer: dict[str, Any]) -> str:
    return str(answer["ec2Configuration"]["scanModeState"]["scanMode"])


def test_defaults_and_updates_of_a_standalone_account(org: Org) -> None:
    b = org.client(B)
    first = b.get_configuration()
    assert _ecr(first) == ("DAYS_14", "DAYS_14", "LAST_IN_USE_AT")
    assert first["ecrConfiguration"]["rescanDurationState"]["status"] == "SUCCESS"
    assert "updatedAt" not in first["ecrConfiguration"]["rescanDurationState"]
    assert first["ec2Configuration"]["scanModeState"] == {
        "scanMode": "EC2_SSM_AGENT_BASED",
        "scanModeStatus": "SUCCESS",
    }
    b.update_configuration(ecrConfiguration={"rescanDuration": "LIFETIME"})
    b.update_configuration(
        ecrConfiguration={"rescanDuration": "DAYS_30", "pullDateRescanDuration": "DAYS_90"},
        ec2Configuration={"scanMode": "EC2_HYBRID"},
    )
    after = b.get_configuration()
    assert _ecr(after) == ("DAYS_30", "DAYS_90", "LAST_IN_USE_AT")
    assert _mode(after) == "EC2_HYBRID"
    assert after["ecrConfiguration"]["rescanDurationState"]["updatedAt"].year >= 2026


def test_members_inherit_the_admin_and_only_the_admin_configures_them(org: Org) -> None:
    d, a, b = org.client(D), org.client(A), org.client(B)
    d.update_configuration(ecrConfiguration={"rescanDuration": "DAYS_180"})
    assert _ecr(a.get_configuration())[0] == "DAYS_180"
    assert _ecr(d.get_configuration(accountId=A))[0] == "DAYS_180"
    with pytest.raises(a.exceptions.AccessDeniedException):
        a.update_configuration(ecrConfiguration={"rescanDuration": "DAYS_30"})
    # One member configured on its own no longer follows the admin…
    d.update_configuration(accountId=A, ec2Configuration={"scanMode": "EC2_HYBRID"})
    org.again(D).update_configuration(ecrConfiguration={"rescanDuration": "DAYS_60"})
    d.update_configuration(accountId=A, ecrConfiguration={"rescanDuration": "DAYS_90"})
    assert _ecr(a.get_configuration())[0] == "DAYS_90"
    assert _mode(a.get_configuration()) == "EC2_HYBRID"
    # …until it inherits again.
    d.update_configuration(
        accountId=A,
        updateConfigurationInheritance={
            "ecrConfiguration": "INHERIT_FROM_ADMIN",
            "ec2Configuration": "INHERIT_FROM_ADMIN",
        },
    )
    assert _ecr(a.get_configuration())[0] == "DAYS_60"
    assert _mode(a.get_configuration()) == "EC2_SSM_AGENT_BASED"
    with pytest.raises(d.exceptions.ValidationException):
        d.update_configuration(
            accountId=A,
            ecrConfiguration={"rescanDuration": "DAYS_30"},
            updateConfigurationInheritance={"ecrConfiguration": "INHERIT_FROM_ADMIN"},
        )
    with pytest.raises(d.exceptions.ValidationException):
        d.update_configuration(
            updateConfigurationInheritance={"ecrConfiguration": "INHERIT_FROM_ADMIN"}
        )
    with pytest.raises(d.exceptions.AccessDeniedException):
        d.get_configuration(accountId=B)
    with pytest.raises(d.exceptions.AccessDeniedException):
        d.update_configuration(accountId=B, ecrConfiguration={"rescanDuration": "DAYS_30"})
    with pytest.raises(b.exceptions.AccessDeniedException):
        b.get_configuration(accountId=A)
    assert _ecr(b.get_configuration())[0] == "DAYS_14"


def test_unsupported_settings_are_refused(org: Org) -> None:
    b = org.client(B)
    with pytest.raises(b.exceptions.ValidationException):
        b.update_configuration(
            ec2Configuration={"scanMode": "EC2_HYBRID", "activateVMScanner": True}
        )
    with pytest.raises(b.exceptions.ValidationException):
        b.update_configuration(amiConfiguration={"scanModeConfiguration": {"scanMode": "ALL_AMIS"}})
    with pytest.raises(b.exceptions.ValidationException):
        b.update_configuration()


def test_deep_inspection_paths_and_activation(org: Org) -> None:
    d, a, b = org.client(D), org.client(A), org.client(B)
    assert b.get_ec2_deep_inspection_configuration() | {"ResponseMetadata": None} == {
        "packagePaths": [],
        "orgPackagePaths": [],
        "status": "ACTIVATED",
        "ResponseMetadata": None,
    }
    done = b.update_ec2_deep_inspection_configuration(
        activateDeepInspection=False, packagePaths=["/opt/app/lib", "/srv/venv/"]
    )
    assert done["status"] == "DEACTIVATED"
    assert done["packagePaths"] == ["/opt/app/lib", "/srv/venv/"]
    assert b.get_ec2_deep_inspection_configuration()["packagePaths"] == [
        "/opt/app/lib",
        "/srv/venv/",
    ]
    for bad in (["relative/path"], [f"/p{i}" for i in range(6)], ["/a/../etc"]):
        with pytest.raises(b.exceptions.ValidationException):
            org.again(B).update_ec2_deep_inspection_configuration(packagePaths=bad)

    d.update_org_ec2_deep_inspection_configuration(orgPackagePaths=["/opt/shared"])
    assert a.get_ec2_deep_inspection_configuration()["orgPackagePaths"] == ["/opt/shared"]
    assert d.get_ec2_deep_inspection_configuration()["orgPackagePaths"] == ["/opt/shared"]
    assert b.get_ec2_deep_inspection_configuration()["orgPackagePaths"] == []
    for client in (a, b):
        with pytest.raises(client.exceptions.AccessDeniedException):
            client.update_org_ec2_deep_inspection_configuration(orgPackagePaths=["/x"])
    # A member sets its own paths, but only its administrator deactivates it.
    assert a.update_ec2_deep_inspection_configuration(packagePaths=["/a"])["packagePaths"] == ["/a"]
    with pytest.raises(a.exceptions.AccessDeniedException):
        a.update_ec2_deep_inspection_configuration(activateDeepInspection=False)

    updated = d.batch_update_member_ec2_deep_inspection_status(
        accountIds=[
            {"accountId": A, "activateDeepInspection": False},
            {"accountId": B, "activateDeepInspection": False},
        ]
    )
    assert updated["accountIds"] == [{"accountId": A, "status": "DEACTIVATED"}]
    assert [f["accountId"] for f in updated["failedAccountIds"]] == [B]
    assert a.get_ec2_deep_inspection_configuration()["status"] == "DEACTIVATED"
    got = d.batch_get_member_ec2_deep_inspection_status()
    assert got["accountIds"] == [
        {"accountId": D, "status": "ACTIVATED"},
        {"accountId": A, "status": "DEACTIVATED"},
    ]
    refused = b.batch_get_member_ec2_deep_inspection_status(accountIds=[A])
    assert refused["accountIds"] == []
    assert [f["accountId"] for f in refused["failedAccountIds"]] == [A]
