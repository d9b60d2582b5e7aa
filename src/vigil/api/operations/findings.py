"""ListFindings and BatchGetFindingDetails, limited to the caller's visible accounts."""

from __future__ import annotations

from functools import cache
from typing import Any

from vigil.api.context import RequestContext
from vigil.api.models import Shape, service_model
from vigil.api.operations.refusals import answering_refusals
from vigil.api.operations.shaped import conform
from vigil.service import findings_api
from vigil.service.finding_details import batch_get_finding_details
from vigil.service.visibility import visible_accounts


@cache
def _finding_shape() -> Shape:
    return service_model("inspector2").shape_for("Finding")


@answering_refusals
def list_findings(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.services.engine
    result = findings_api.list_findings(engine, visible_accounts(engine, ctx.caller), params)
    shape = _finding_shape()
    result["findings"] = [conform(finding, shape) for finding in result["findings"]]
    return result


@answering_refusals
def batch_get_finding_details_handler(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    engine = ctx.services.engine
    return batch_get_finding_details(
        engine,
        visible_accounts(engine, ctx.caller),
        params["findingArns"],
        ctx.services.advisories,
    )
