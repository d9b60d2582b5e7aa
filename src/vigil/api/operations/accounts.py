"""Enable, Disable and BatchGetAccountStatus for the caller and, as administrator, its members."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service import accounts


@answering_refusals
def enable(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return accounts.enable(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def disable(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return accounts.disable(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def batch_get_account_status(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return accounts.batch_get_account_status(ctx.services.engine, ctx.caller, params)
