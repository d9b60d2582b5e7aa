"""No operation crosses accounts: every served operation is walked as B against A's data.

The operations come from the registry when the tests are collected, so an operation added later
runs here too; one without a case in ``CASES`` fails, naming itself. Each case calls as B (an
admin key, the strongest role) with A's identifiers and proves that the answer carries none of
A's identifiers (beyond those B itself sent) and that A's data is unchanged; where the
operation reads data, it also proves that the delegated administrator D sees its member A and
not the stranger B. The world is in ``isolation_world``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.isolation_world import CRITERIA, World, destination, isolation_world, text, wait
from tests.api.org_support import A, B, D, M
from vigil.api.operations.registry import HANDLERS

Case = Callable[[World], None]
REFUSALS = {"AccessDeniedException", "ResourceNotFoundException", "ValidationException"}
SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "components": [
        {
            "type": "library",
            "name": "jinja2",
            "version": "2.10",
            "purl": "pkg:pypi/jinja2@2.10",
            "bom-ref": "jinja2",
        }
    ],
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with isolation_world(tmp_path_factory.mktemp("isolation")) as built:
        yield built


def clean(world: World, answer: Any, of: str = A, sent: Iterable[str] = ()) -> None:
    """``answer`` names nothing of account ``of`` but what the caller sent itself."""
    body = answer
    if isinstance(answer, dict):
        body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    shown = text(body)
    # An id inside something the caller sent (A's account id in A's ARN) is only an echo.
    echoed = {i for i in world.ids[of].all() if any(i in item for item in sent)}
    leaked = sorted(i for i in world.ids[of].all() - echoed if i in shown)
    assert not leaked, f"answer shows {of}'s {leaked}: {shown[:500]}"


def refused(world: World, call: Callable[..., Any], sent: Iterable[str] = (), **params: Any) -> str:
    with pytest.raises(ClientError) as error:
        call(**params)
    response = error.value.response
    code = str(response["Error"]["Code"])
    assert code in REFUSALS, response
    clean(world, response, sent=sent)
    return code


def _a_state(world: World) -> str:
    """A's whole visible state, read by A itself: compared before and after B's writes."""
    a = world.client(A)
    findings = a.list_findings(maxResults=100)["findings"]
    return text(
        {
            "findings": sorted((f["findingArn"], f["status"]) for f in findings),
            "filters": a.list_filters()["filters"],
            "tags": a.list_tags_for_resource(resourceArn=world.ids[A].filter_arn)["tags"],
            "status": a.batch_get_account_status()["accounts"],
            "configuration": _no_meta(a.get_configuration()),
            "deep": _no_meta(a.get_ec2_deep_inspection_configuration()),
            "member": _no_meta(a.get_member(accountId=A)),
            "report": _no_meta(a.get_findings_report_status(reportId=world.ids[A].report_id)),
            "export": _no_meta(a.get_sbom_export(reportId=world.ids[A].export_id)),
        }
    )


def _no_meta(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def unchanged(world: World, write: Callable[[], object]) -> None:
    before = _a_state(world)
    write()
    assert _a_state(world) == before


# --- findings, coverage, vulnerabilities ------------------------------------------------------


def case_list_findings(world: World) -> None:
    clean(world, world.client(B).list_findings(maxResults=100))
    seen = world.client(D).list_findings(maxResults=100)
    assert {f["awsAccountId"] for f in seen["findings"]} == {A}
    clean(world, seen, of=B)


def case_batch_get_finding_details(world: World) -> None:
    arns = world.ids[A].findings[:10]
    answer = world.client(B).batch_get_finding_details(findingArns=arns)
    assert answer.get("findingDetails", []) == []
    assert sorted(e["findingArn"] for e in answer["errors"]) == sorted(arns)
    clean(world, answer, sent=arns)
    admin = world.client(D).batch_get_finding_details(findingArns=arns)
    assert sorted(d["findingArn"] for d in admin["findingDetails"]) == sorted(arns)
    other = world.client(D).batch_get_finding_details(findingArns=world.ids[B].findings[:5])
    assert other.get("findingDetails", []) == []


def case_list_finding_aggregations(world: World) -> None:
    mine = world.client(B).list_finding_aggregations(aggregationType="ACCOUNT")
    clean(world, mine)
    admin = world.client(D).list_finding_aggregations(aggregationType="ACCOUNT")
    assert [r["accountAggregation"]["accountId"] for r in admin["responses"]] == [A]


def case_list_coverage(world: World) -> None:
    clean(world, world.client(B).list_coverage())
    admin = world.client(D).list_coverage()
    assert {r["resourceId"] for r in admin["coveredResources"]} == set(world.ids[A].resources)
    clean(world, admin, of=B)


def case_list_coverage_statistics(world: World) -> None:
    clean(world, world.client(B).list_coverage_statistics(groupBy="ACCOUNT_ID"))
    admin = world.client(D).list_coverage_statistics(groupBy="ACCOUNT_ID")
    assert [g["groupKey"] for g in admin["countsByGroup"]] == [A]
    clean(world, admin, of=B)


def case_search_vulnerabilities(world: World) -> None:
    answer = world.client(B).search_vulnerabilities(
        filterCriteria={"vulnerabilityIds": ["CVE-2019-10906"]}
    )
    clean(world, answer)


def case_scan_sbom(world: World) -> None:
    scan = world.org.api.client(world.org.keys[B], "inspector-scan")
    clean(world, scan.scan_sbom(sbom=SBOM))


def case_list_account_permissions(world: World) -> None:
    clean(world, world.client(B).list_account_permissions())


# --- filters and tags ---------------------------------------------------------------------------


def case_create_filter(world: World) -> None:
    b = world.client(B)

    def suppress_everything() -> None:
        arn = b.create_filter(name="b-mutes-all", action="SUPPRESS", filterCriteria=CRITERIA)["arn"]
        statuses = {f["status"] for f in b.list_findings(maxResults=100)["findings"]}
        assert statuses == {"SUPPRESSED"}  # it did act, on B's findings only
        b.delete_filter(arn=arn)

    unchanged(world, suppress_everything)


def case_update_filter(world: World) -> None:
    arn = world.ids[A].filter_arn
    b = world.client(B)
    unchanged(world, lambda: refused(world, b.update_filter, [arn], filterArn=arn, name="stolen"))


def case_delete_filter(world: World) -> None:
    arn = world.ids[A].filter_arn
    unchanged(world, lambda: refused(world, world.client(B).delete_filter, [arn], arn=arn))


def case_list_filters(world: World) -> None:
    b = world.client(B)
    clean(world, b.list_filters())
    arn = world.ids[A].filter_arn
    assert b.list_filters(arns=[arn])["filters"] == []


def case_tag_resource(world: World) -> None:
    arn = world.ids[A].filter_arn
    b = world.client(B)
    unchanged(
        world, lambda: refused(world, b.tag_resource, [arn], resourceArn=arn, tags={"x": "y"})
    )


def case_untag_resource(world: World) -> None:
    arn = world.ids[A].filter_arn
    b = world.client(B)
    unchanged(
        world, lambda: refused(world, b.untag_resource, [arn], resourceArn=arn, tagKeys=["owner"])
    )


def case_list_tags_for_resource(world: World) -> None:
    arn = world.ids[A].filter_arn
    refused(world, world.client(B).list_tags_for_resource, [arn], resourceArn=arn)


# --- accounts and organisation ------------------------------------------------------------------


def case_enable(world: World) -> None:
    def enable() -> None:
        answer = world.client(B).enable(accountIds=[A], resourceTypes=["EC2", "ECR"])
        assert answer["accounts"] == []
        assert [f["errorCode"] for f in answer["failedAccounts"]] == ["ACCESS_DENIED"]
        clean(world, answer, sent=[A])

    unchanged(world, enable)


def case_disable(world: World) -> None:
    def disable() -> None:
        answer = world.client(B).disable(accountIds=[A])
        assert answer["accounts"] == []
        clean(world, answer, sent=[A])

    unchanged(world, disable)


def case_batch_get_account_status(world: World) -> None:
    answer = world.client(B).batch_get_account_status(accountIds=[A, B])
    assert [item["accountId"] for item in answer["accounts"]] == [B]
    clean(world, answer, sent=[A])
    admin = world.client(D).batch_get_account_status(accountIds=[A, B])
    assert [item["accountId"] for item in admin["accounts"]] == [A]
    assert [item["accountId"] for item in admin["failedAccounts"]] == [B]


def case_enable_delegated_admin_account(world: World) -> None:
    b = world.client(B)
    unchanged(
        world, lambda: refused(world, b.enable_delegated_admin_account, delegatedAdminAccountId=B)
    )
    assert world.client(M).get_delegated_admin_account()["delegatedAdmin"]["accountId"] == D


def case_disable_delegated_admin_account(world: World) -> None:
    b = world.client(B)
    unchanged(
        world, lambda: refused(world, b.disable_delegated_admin_account, delegatedAdminAccountId=D)
    )


def case_get_delegated_admin_account(world: World) -> None:
    refused(world, world.client(B).get_delegated_admin_account)


def case_list_delegated_admin_accounts(world: World) -> None:
    refused(world, world.client(B).list_delegated_admin_accounts)


def case_associate_member(world: World) -> None:
    b = world.client(B)
    unchanged(world, lambda: refused(world, b.associate_member, [A], accountId=A))


def case_disassociate_member(world: World) -> None:
    b = world.client(B)
    unchanged(world, lambda: refused(world, b.disassociate_member, [A], accountId=A))


def case_get_member(world: World) -> None:
    refused(world, world.client(B).get_member, [A], accountId=A)
    assert world.client(D).get_member(accountId=A)["member"]["accountId"] == A
    with pytest.raises(ClientError):
        world.client(D).get_member(accountId=B)


def case_list_members(world: World) -> None:
    answer = world.client(B).list_members(onlyAssociated=False)
    assert answer["members"] == []
    admin = world.client(D).list_members(onlyAssociated=False)
    assert [m["accountId"] for m in admin["members"]] == [A]


def case_describe_organization_configuration(world: World) -> None:
    refused(world, world.client(B).describe_organization_configuration)


def case_update_organization_configuration(world: World) -> None:
    b = world.client(B)
    auto = {"ec2": True, "ecr": True}
    unchanged(world, lambda: refused(world, b.update_organization_configuration, autoEnable=auto))
    assert world.client(D).describe_organization_configuration()["autoEnable"]["ec2"] is False


# --- configuration ------------------------------------------------------------------------------


def case_get_configuration(world: World) -> None:
    refused(world, world.client(B).get_configuration, [A], accountId=A)
    clean(world, world.client(B).get_configuration())
    assert "ecrConfiguration" in world.client(D).get_configuration(accountId=A)
    with pytest.raises(ClientError):
        world.client(D).get_configuration(accountId=B)


def case_update_configuration(world: World) -> None:
    b = world.client(B)
    ecr = {"rescanDuration": "DAYS_30"}
    unchanged(
        world,
        lambda: refused(world, b.update_configuration, [A], accountId=A, ecrConfiguration=ecr),
    )
    unchanged(world, lambda: b.update_configuration(ecrConfiguration={"rescanDuration": "DAYS_60"}))


def case_get_ec2_deep_inspection_configuration(world: World) -> None:
    clean(world, world.client(B).get_ec2_deep_inspection_configuration())


def case_update_ec2_deep_inspection_configuration(world: World) -> None:
    b = world.client(B)
    paths = [world.ids[B].package_path, "/opt/more-of-b"]

    def update() -> None:
        clean(world, b.update_ec2_deep_inspection_configuration(packagePaths=paths))

    unchanged(world, update)


def case_update_org_ec2_deep_inspection_configuration(world: World) -> None:
    b = world.client(B)
    paths = ["/opt/org-of-b"]
    unchanged(
        world,
        lambda: refused(
            world, b.update_org_ec2_deep_inspection_configuration, orgPackagePaths=paths
        ),
    )
    assert world.client(A).get_ec2_deep_inspection_configuration()["orgPackagePaths"] == []


def case_batch_get_member_ec2_deep_inspection_status(world: World) -> None:
    answer = world.client(B).batch_get_member_ec2_deep_inspection_status(accountIds=[A])
    assert answer["accountIds"] == []
    clean(world, answer, sent=[A])
    admin = world.client(D).batch_get_member_ec2_deep_inspection_status(accountIds=[A, B])
    assert [item["accountId"] for item in admin["accountIds"]] == [A]


def case_batch_update_member_ec2_deep_inspection_status(world: World) -> None:
    b = world.client(B)
    change = [{"accountId": A, "activateDeepInspection": False}]

    def update() -> None:
        answer = b.batch_update_member_ec2_deep_inspection_status(accountIds=change)
        assert answer["accountIds"] == []
        clean(world, answer, sent=[A])

    unchanged(world, update)


# --- reports and SBOM exports -------------------------------------------------------------------


def case_create_findings_report(world: World) -> None:
    b = world.client(B)

    def report() -> None:
        made = b.create_findings_report(reportFormat="CSV", s3Destination=destination(B))
        done = wait(lambda: b.get_findings_report_status(reportId=made["reportId"]))
        assert done["status"] == "SUCCEEDED", done
        written = world.bucket_text(B)
        assert world.ids[B].findings[0] in written  # B's report holds B's findings…
        clean(world, written)  # …and nothing of A's

    unchanged(world, report)


def case_get_findings_report_status(world: World) -> None:
    report = world.ids[A].report_id
    refused(world, world.client(B).get_findings_report_status, [report], reportId=report)


def case_cancel_findings_report(world: World) -> None:
    report = world.ids[A].report_id
    b = world.client(B)
    unchanged(world, lambda: refused(world, b.cancel_findings_report, [report], reportId=report))


def case_create_sbom_export(world: World) -> None:
    b = world.client(B)

    def export() -> None:
        made = b.create_sbom_export(reportFormat="SPDX_2_3", s3Destination=destination(B))
        done = wait(lambda: b.get_sbom_export(reportId=made["reportId"]))
        assert done["status"] == "SUCCEEDED", done
        written = world.bucket_text(B)
        assert world.ids[B].resources[0] in written
        clean(world, written)

    unchanged(world, export)


def case_get_sbom_export(world: World) -> None:
    export = world.ids[A].export_id
    refused(world, world.client(B).get_sbom_export, [export], reportId=export)


def case_cancel_sbom_export(world: World) -> None:
    export = world.ids[A].export_id
    b = world.client(B)
    unchanged(world, lambda: refused(world, b.cancel_sbom_export, [export], reportId=export))


CASES: dict[str, Case] = {
    "ListFindings": case_list_findings,
    "BatchGetFindingDetails": case_batch_get_finding_details,
    "ListFindingAggregations": case_list_finding_aggregations,
    "ListCoverage": case_list_coverage,
    "ListCoverageStatistics": case_list_coverage_statistics,
    "SearchVulnerabilities": case_search_vulnerabilities,
    "ScanSbom": case_scan_sbom,
    "ListAccountPermissions": case_list_account_permissions,
    "CreateFilter": case_create_filter,
    "UpdateFilter": case_update_filter,
    "DeleteFilter": case_delete_filter,
    "ListFilters": case_list_filters,
    "TagResource": case_tag_resource,
    "UntagResource": case_untag_resource,
    "ListTagsForResource": case_list_tags_for_resource,
    "Enable": case_enable,
    "Disable": case_disable,
    "BatchGetAccountStatus": case_batch_get_account_status,
    "EnableDelegatedAdminAccount": case_enable_delegated_admin_account,
    "DisableDelegatedAdminAccount": case_disable_delegated_admin_account,
    "GetDelegatedAdminAccount": case_get_delegated_admin_account,
    "ListDelegatedAdminAccounts": case_list_delegated_admin_accounts,
    "AssociateMember": case_associate_member,
    "DisassociateMember": case_disassociate_member,
    "GetMember": case_get_member,
    "ListMembers": case_list_members,
    "DescribeOrganizationConfiguration": case_describe_organization_configuration,
    "UpdateOrganizationConfiguration": case_update_organization_configuration,
    "GetConfiguration": case_get_configuration,
    "UpdateConfiguration": case_update_configuration,
    "GetEc2DeepInspectionConfiguration": case_get_ec2_deep_inspection_configuration,
    "UpdateEc2DeepInspectionConfiguration": case_update_ec2_deep_inspection_configuration,
    "UpdateOrgEc2DeepInspectionConfiguration": case_update_org_ec2_deep_inspection_configuration,
    "BatchGetMemberEc2DeepInspectionStatus": case_batch_get_member_ec2_deep_inspection_status,
    "BatchUpdateMemberEc2DeepInspectionStatus": (
        case_batch_update_member_ec2_deep_inspection_status
    ),
    "CreateFindingsReport": case_create_findings_report,
    "GetFindingsReportStatus": case_get_findings_report_status,
    "CancelFindingsReport": case_cancel_findings_report,
    "CreateSbomExport": case_create_sbom_export,
    "GetSbomExport": case_get_sbom_export,
    "CancelSbomExport": case_cancel_sbom_export,
}


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_operation_is_isolated(operation: str, world: World) -> None:
    case = CASES.get(operation)
    if case is None:
        pytest.fail(
            f"{operation} is served (vigil.api.operations.registry) but has no isolation case: "
            f"add one to CASES in tests/api/test_isolation.py proving that account B can "
            f"neither read nor change account A's data through it"
        )
    case(world)


def test_the_world_holds_data_to_protect(world: World) -> None:
    for account in (A, B):
        ids = world.ids[account]
        assert ids.findings
        assert ids.resources
        assert ids.filter_arn
        assert ids.report_id
        assert ids.export_id
        assert ids.resources[0] in world.bucket_text(account)
    # Each account's own view holds its own data: the checks above are not vacuous.
    assert world.ids[A].package_path in text(
        world.client(A).get_ec2_deep_inspection_configuration()
    )
