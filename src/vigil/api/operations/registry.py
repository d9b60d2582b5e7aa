"""The operations Vigil serves, by botocore operation name: an explicit list, no discovery.

An operation of either model that is missing here still routes, authenticates and is
permission-checked, then answers as :func:`vigil.api.errors.not_implemented` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from vigil.api.context import Handler
from vigil.api.operations import (
    aggregations,
    coverage,
    filters,
    findings,
    reports,
    sbom_export,
    scan,
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
        "CreateFindingsReport": reports.create_findings_report,
        "GetFindingsReportStatus": reports.get_findings_report_status,
        "CancelFindingsReport": reports.cancel_findings_report,
        "CreateSbomExport": sbom_export.create_sbom_export,
        "GetSbomExport": sbom_export.get_sbom_export,
        "CancelSbomExport": sbom_export.cancel_sbom_export,
        "ScanSbom": scan.scan_sbom_handler,
    }
)
