"""Handlers for tests: they record the parameters the framework parsed, and answer as told."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vigil.api.context import Handler, RequestContext
from vigil.api.errors import ApiError
from vigil.api.operations.registry import HANDLERS

RECEIVED: list[tuple[str, dict[str, Any]]] = []


def _record(ctx: RequestContext, params: dict[str, Any]) -> None:
    RECEIVED.append((ctx.operation, params))


def tag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _record(ctx, params)
    return {}


def untag_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _record(ctx, params)
    return {}


def list_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _record(ctx, params)
    return {"tags": {"caller": ctx.caller.account_id, "region": ctx.region}}


def list_usage_totals(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Answers with timestamps and a None member, to check output serialisation."""
    _record(ctx, params)
    return {
        "totals": [
            {
                "accountId": ctx.caller.account_id,
                "usage": [
                    {
                        "type": "EC2_INSTANCE_HOURS",
                        "total": 12.5,
                        "estimatedMonthlyCost": None,
                        "currency": "USD",
                    }
                ],
            }
        ],
        "nextToken": None,
    }


def get_member(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    _record(ctx, params)
    return {
        "member": {
            "accountId": params["accountId"],
            "relationshipStatus": "ENABLED",
            "updatedAt": datetime(2026, 11, 21, 10, 30, 15, 250000, tzinfo=UTC),
        }
    }


def list_members(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A handler with a bug: a member its output shape does not have."""
    return {"members": [], "surprise": 1}


def describe_org(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A handler that fails unexpectedly."""
    raise RuntimeError("the disk is on fire")


def update_org(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A write that fails unexpectedly, after seeing its parameters."""
    _record(ctx, params)
    raise RuntimeError("the database went away")


def list_filters(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    raise ApiError("ThrottlingException", "slow down", members={"retryAfterSeconds": 3})


def list_cis_scans(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Echoes timestamps of the request's filter back through the output."""
    _record(ctx, params)
    return {"scans": []}


ECHO_HANDLERS: dict[str, Handler] = {
    **HANDLERS,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags,
    "ListUsageTotals": list_usage_totals,
    "GetMember": get_member,
    "ListMembers": list_members,
    "DescribeOrganizationConfiguration": describe_org,
    "UpdateOrganizationConfiguration": update_org,
    "ListFilters": list_filters,
    "ListCisScans": list_cis_scans,
}
