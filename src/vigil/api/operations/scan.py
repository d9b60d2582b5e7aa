"""inspector-scan ScanSbom: match a CycloneDX SBOM against the server's advisory store.

Refusals use inspector-scan's own reasons: a document that is not CycloneDX 1.4/1.5 JSON is
``UNSUPPORTED_SBOM_TYPE``; too many components is ``FIELD_VALIDATION_FAILED`` on ``sbom``. A
server without an advisory store answers InternalServerException (``OTHER``): it cannot say
that anything is free of vulnerabilities.
"""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.errors import ApiError, validation_error
from vigil.service.advisory_access import opened
from vigil.service.scan_sbom import TooManyComponents, UnsupportedSbom, scan_sbom
from vigil.service.scan_sbom_render import render


def scan_sbom_handler(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    with opened(ctx.services.advisories) as store:
        if store is None:
            raise ApiError(
                "InternalServerException",
                "this server has no advisory database to scan against",
                members={"reason": "OTHER"},
            )
        try:
            scanned = scan_sbom(params["sbom"], store, ctx.services.clock())
        except UnsupportedSbom as refused:
            raise validation_error(str(refused), reason="UNSUPPORTED_SBOM_TYPE") from None
        except TooManyComponents as refused:
            fields = [{"name": "sbom", "message": str(refused)}]
            raise validation_error(str(refused), fields=fields) from None
    return {"sbom": render(scanned, params.get("outputFormat"))}
