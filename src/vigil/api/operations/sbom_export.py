"""CreateSbomExport, GetSbomExport and CancelSbomExport.

The SBOMs are written by an ``sbom-export`` job (``vigil.service.sbom_export``), one per
resource; these calls create its status row, read it back, and cancel it. An export belongs to
the account that asked for it: another account's id answers ResourceNotFoundException.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vigil.api.context import RequestContext
from vigil.api.models import Shape, service_model
from vigil.api.operations.refusals import answering_refusals
from vigil.api.operations.shaped import conform
from vigil.service import sbom_export


@cache
def _export_shape() -> Shape:
    return service_model("inspector2").operation_model("GetSbomExport").output_shape


@answering_refusals
def create_sbom_export(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return sbom_export.create_sbom_export(
        services.engine, services.jobs, ctx.caller, params, services.clock
    )


@answering_refusals
def get_sbom_export(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    result = sbom_export.get_sbom_export(ctx.services.engine, ctx.caller, params)
    conformed: dict[str, Any] = conform(result, _export_shape())
    return conformed


@answering_refusals
def cancel_sbom_export(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    services = ctx.services
    return sbom_export.cancel_sbom_export(services.engine, ctx.caller, params, services.clock)
