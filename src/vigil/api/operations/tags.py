"""TagResource, UntagResource and ListTagsForResource (the ARN arrives percent-decoded)."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service import tags


@answering_refusals
def tag_resource(ctx: RequestContext, params: dict[str, Any]) -> None:
    tags.tag(ctx.services.engine, ctx.caller, params["resourceArn"], params["tags"])


@answering_refusals
def untag_resource(ctx: RequestContext, params: dict[str, Any]) -> None:
    tags.untag(ctx.services.engine, ctx.caller, params["resourceArn"], params["tagKeys"])


@answering_refusals
def list_tags_for_resource(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return tags.list_tags(ctx.services.engine, ctx.caller, params["resourceArn"])
