"""ListCoverage and ListCoverageStatistics over the caller's visible resources."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service import coverage_api
from vigil.service.visibility import visible_accounts


@answering_refusals
def list_coverage(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.services.engine
    return coverage_api.list_coverage(engine, visible_accounts(engine, ctx.caller), params)


@answering_refusals
def list_coverage_statistics(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    engine = ctx.services.engine
    accounts = visible_accounts(engine, ctx.caller)
    return coverage_api.list_coverage_statistics(engine, accounts, params)
