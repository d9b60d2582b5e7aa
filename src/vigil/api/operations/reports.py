"""CreateFindingsReport, GetFindingsReportStatus and CancelFindingsReport.

The report itself is written by a ``findings-report`` job (``vigil.service.reports``); these
calls create its status row, read it back, and cancel it. Reports belong to the account that
asked for them: another account's report id answers ResourceNotFoundException.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vigil.api.context import RequestContext
from vigil.api.models import Shape, service_model
from vigil.api.operations.refusals import answering_refusals
from vigil.api.operations.shaped import conform
from vigil.service import reports


@cache
def _status_shape() -> Shape:
    return service_model("inspector2").operation_model("GetFindingsReportStatus").output_shape


@answering_refusals
def create_findings_report(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return reports.create_findings_report(
        services.engine, services.jobs, ctx.caller, params, services.clock
    )


@answering_refusals
def get_findings_report_status(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    result = reports.get_findings_report_status(ctx.services.engine, ctx.caller, params)
    conformed: dict[str, Any] = conform(result, _status_shape())
    return conformed


@answering_refusals
def cancel_findings_report(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return reports.cancel_findings_report(services.engine, ctx.caller, params, services.clock)
