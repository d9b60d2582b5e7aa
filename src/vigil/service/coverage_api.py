"""ListCoverage and ListCoverageStatistics over the caller's visible resources."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.engine import Engine

from vigil.db import coverage, page_token
from vigil.domain.filter_values import CriteriaError
from vigil.service.request_errors import InvalidParameter


def list_coverage(
    engine: Engine, accounts: Collection[str], params: Mapping[str, Any]
) -> dict[str, Any]:
    with engine.connect() as connection:
        try:
            page = coverage.list_coverage(
                connection,
                accounts,
                params.get("filterCriteria"),
                max_results=params.get("maxResults"),
                next_token=params.get("nextToken"),
            )
        except CriteriaError as error:
            raise InvalidParameter(error.field, error.message) from None
        except page_token.InvalidToken:
            raise InvalidParameter("nextToken", _FOREIGN_TOKEN) from None
    return {"coveredResources": list(page.covered_resources), "nextToken": page.next_token}


def list_coverage_statistics(
    engine: Engine, accounts: Collection[str], params: Mapping[str, Any]
) -> dict[str, Any]:
    with engine.connect() as connection:
        try:
            stats = coverage.coverage_statistics(
                connection,
                accounts,
                params.get("filterCriteria"),
                group_by=params.get("groupBy"),
                next_token=params.get("nextToken"),
            )
        except CriteriaError as error:
            raise InvalidParameter(error.field, error.message) from None
        except page_token.InvalidToken:
            raise InvalidParameter("nextToken", _FOREIGN_TOKEN) from None
    return {
        # The model's list holds one to five groups: no grouping asked, no list sent.
        "countsByGroup": list(stats.counts_by_group) or None,
        "totalCounts": stats.total_counts,
        "nextToken": stats.next_token,
    }


_FOREIGN_TOKEN = "not a token issued for this request's criteria"
