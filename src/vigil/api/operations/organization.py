"""The delegated administrator, its members and the organisation configuration.

Two refusals are particular to these operations: a second delegated administrator is a
ConflictException (EnableDelegatedAdminAccount models it), and a member beyond the limit a
ServiceQuotaExceededException (AssociateMember models it).
"""

from __future__ import annotations

import functools
from typing import Any

from vigil.api.context import Handler, RequestContext
from vigil.api.errors import ApiError
from vigil.api.operations.refusals import answering_refusals
from vigil.service import organization as org


def _org_refusals(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def wrapped(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return handler(ctx, params)
        except org.AlreadyDelegated as refused:
            raise ApiError(
                "ConflictException",
                str(refused),
                members={"resourceId": refused.admin, "resourceType": "DelegatedAdminAccount"},
            ) from None
        except org.MemberQuotaExceeded as refused:
            raise ApiError(
                "ServiceQuotaExceededException",
                str(refused),
                members={"resourceId": ctx.caller.account_id},
            ) from None

    return answering_refusals(wrapped)


@_org_refusals
def enable_delegated_admin_account(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    admin = params["delegatedAdminAccountId"]
    done = org.enable_delegated_admin(services.engine, ctx.caller, admin, services.clock())
    return {"delegatedAdminAccountId": done}


@_org_refusals
def disable_delegated_admin_account(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    admin = params["delegatedAdminAccountId"]
    done = org.disable_delegated_admin(services.engine, ctx.caller, admin, services.clock())
    return {"delegatedAdminAccountId": done}


@_org_refusals
def get_delegated_admin_account(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return org.get_delegated_admin(ctx.services.engine, ctx.caller)


@_org_refusals
def list_delegated_admin_accounts(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return org.list_delegated_admins(ctx.services.engine, ctx.caller)


@_org_refusals
def associate_member(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    member = org.associate_member(
        services.engine, ctx.caller, params["accountId"], services.clock()
    )
    return {"accountId": member}


@_org_refusals
def disassociate_member(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    member = org.disassociate_member(
        services.engine, ctx.caller, params["accountId"], services.clock()
    )
    return {"accountId": member}


@_org_refusals
def get_member(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return org.get_member(ctx.services.engine, ctx.caller, params["accountId"])


@_org_refusals
def list_members(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return org.list_members(ctx.services.engine, ctx.caller, params)


@_org_refusals
def describe_organization_configuration(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    return org.describe_configuration(ctx.services.engine, ctx.caller)


@_org_refusals
def update_organization_configuration(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    services = ctx.services
    return org.update_configuration(
        services.engine, ctx.caller, params["autoEnable"], services.clock()
    )
