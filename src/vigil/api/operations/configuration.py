"""Scan configuration (ECR rescan, EC2 scan mode) and EC2 deep inspection settings."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service import configuration, deep_inspection


@answering_refusals
def get_configuration(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return configuration.get_configuration(ctx.services.engine, ctx.caller, params)


@answering_refusals
def update_configuration(ctx: RequestContext, params: dict[str, Any]) -> None:
    services = ctx.services
    configuration.update_configuration(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def get_ec2_deep_inspection_configuration(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    return deep_inspection.get(ctx.services.engine, ctx.caller)


@answering_refusals
def update_ec2_deep_inspection_configuration(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    services = ctx.services
    return deep_inspection.update(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def update_org_ec2_deep_inspection_configuration(
    ctx: RequestContext, params: dict[str, Any]
) -> None:
    services = ctx.services
    deep_inspection.update_org(services.engine, ctx.caller, params, services.clock())


@answering_refusals
def batch_get_member_ec2_deep_inspection_status(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    return deep_inspection.batch_get_members(ctx.services.engine, ctx.caller, params)


@answering_refusals
def batch_update_member_ec2_deep_inspection_status(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    services = ctx.services
    return deep_inspection.batch_update_members(
        services.engine, ctx.caller, params, services.clock()
    )
