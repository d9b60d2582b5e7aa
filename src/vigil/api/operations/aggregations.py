"""ListFindingAggregations: every classic aggregation type, over the caller's visible accounts."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service.findings_api import list_finding_aggregations as aggregate
from vigil.service.visibility import visible_accounts


@answering_refusals
def list_finding_aggregations(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.services.engine
    return aggregate(engine, visible_accounts(engine, ctx.caller), params)
