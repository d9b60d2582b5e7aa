"""CreateFilter, UpdateFilter, ListFilters and DeleteFilter: saved filters and suppression rules.

Filter ARNs are made in the region of the request's signature, like every ARN the API mints.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vigil.api.context import RequestContext
from vigil.api.models import Shape, service_model
from vigil.api.operations.refusals import answering_refusals
from vigil.api.operations.shaped import conform
from vigil.service import filters_api


@cache
def _filter_shape() -> Shape:
    return service_model("inspector2").shape_for("Filter")


@answering_refusals
def create_filter(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return filters_api.create_filter(
        services.engine, ctx.caller, ctx.region, params, services.clock()
    )


@answering_refusals
def update_filter(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return filters_api.update_filter(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def delete_filter(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return filters_api.delete_filter(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def list_filters(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    result = filters_api.list_filters(ctx.services.engine, ctx.caller, params)
    shape = _filter_shape()
    result["filters"] = [conform(item, shape) for item in result["filters"]]
    return result
