"""The operations Vigil serves, by botocore operation name: an explicit list, no discovery.

An operation of either model that is missing here still routes, authenticates and is
permission-checked, then answers as :func:`vigil.api.errors.not_implemented` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from vigil.api.context import Handler
from vigil.api.operations import (
    accounts,
    aggregations,
    configuration,
    coverage,
    filters,
    findings,
    organization,
    reports,
    sbom_export,
    scan,
    tags,
    vulnerabilities,
)
from vigil.api.operations.account_permissions import list_account_permissions

HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "ListAccountPermissions": list_account_permissions,
        "ListFindings": findings.list_findings,
        "BatchGetFindingDetails": findings.batch_get_finding_details_handler,
        "ListFindingAggregations": aggregations.list_finding_aggregations,
        "ListCoverage": coverage.list_coverage,
        "ListCoverageStatistics": coverage.list_coverage_statistics,
        "CreateFilter": filters.create_filter,
        "UpdateFilter": filters.update_filter,
        "ListFilters": filters.list_filters,
        "DeleteFilter": filters.delete_filter,
        "SearchVulnerabilities": vulnerabilities.search_vulnerabilities,
        "Enable": accounts.enable,
        "Disable": accounts.disable,
        "BatchGetAccountStatus": accounts.batch_get_account_status,
        "EnableDelegatedAdminAccount": organization.enable_delegated_admin_account,
        "DisableDelegatedAdminAccount": organization.disable_delegated_admin_account,
        "GetDelegatedAdminAccount": organization.get_delegated_admin_account,
        "ListDelegatedAdminAccounts": organization.list_delegated_admin_accounts,
        "AssociateMember": organization.associate_member,
        "DisassociateMember": organization.disassociate_member,
        "GetMember": organization.get_member,
        "ListMembers": organization.list_members,
        "DescribeOrganizationConfiguration": organization.describe_organization_configuration,
        "UpdateOrganizationConfiguration": organization.update_organization_configuration,
        "GetConfiguration": configuration.get_configuration,
        "UpdateConfiguration": configuration.update_configuration,
        "GetEc2DeepInspectionConfiguration": configuration.get_ec2_deep_inspection_configuration,
        "UpdateEc2DeepInspectionConfiguration": (
            configuration.update_ec2_deep_inspection_configuration
        ),
        "UpdateOrgEc2DeepInspectionConfiguration": (
            configuration.update_org_ec2_deep_inspection_configuration
        ),
        "BatchGetMemberEc2DeepInspectionStatus": (
            configuration.batch_get_member_ec2_deep_inspection_status
        ),
        "BatchUpdateMemberEc2DeepInspectionStatus": (
            configuration.batch_update_member_ec2_deep_inspection_status
        ),
        "TagResource": tags.tag_resource,
        "UntagResource": tags.untag_resource,
        "ListTagsForResource": tags.list_tags_for_resource,
        "CreateFindingsReport": reports.create_findings_report,
        "GetFindingsReportStatus": reports.get_findings_report_status,
        "CancelFindingsReport": reports.cancel_findings_report,
        "CreateSbomExport": sbom_export.create_sbom_export,
        "GetSbomExport": sbom_export.get_sbom_export,
        "CancelSbomExport": sbom_export.cancel_sbom_export,
        "ScanSbom": scan.scan_sbom_handler,
    }
)
