"""SearchVulnerabilities: one CVE from the advisory store (public data, no account scope)."""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.operations.refusals import answering_refusals
from vigil.service.vulnerabilities_api import search_vulnerabilities as search


@answering_refusals
def search_vulnerabilities(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return search(ctx.services.advisories, params)
