"""ListFindings and ListFindingAggregations as service calls over the findings store.

Parameters arrive as the API parsed and validated them against botocore's input shapes
(timestamps already datetimes); what the model cannot say (a filter key's own rules, a
``nextToken`` issued for other criteria) is checked here and refused as ``InvalidParameter``.
Every query is limited to ``accounts``, the caller's visible accounts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.engine import Engine

from vigil.db import aggregations, finding_query, page_token
from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria
from vigil.domain.filter_values import CriteriaError
from vigil.service.request_errors import InvalidParameter


def criteria_of(wire: object) -> FilterCriteria:
    """Parsed ``filterCriteria``; InvalidParameter names the offending member."""
    try:
        return parse_filter_criteria(wire)
    except CriteriaError as error:
        raise InvalidParameter(error.field, error.message) from None


def list_findings(
    engine: Engine, accounts: Collection[str], params: Mapping[str, Any]
) -> dict[str, Any]:
    """One page of ``ListFindings``: findings as ``Finding`` documents, and the next token."""
    criteria = criteria_of(params.get("filterCriteria"))
    try:
        sort = finding_query.Sort.from_wire(params.get("sortCriteria"))
    except ValueError as error:
        raise InvalidParameter("sortCriteria", str(error)) from None
    with engine.connect() as connection:
        try:
            page = finding_query.list_findings(
                connection,
                accounts,
                criteria,
                sort=sort,
                max_results=params.get("maxResults"),
                next_token=params.get("nextToken"),
            )
        except page_token.InvalidToken:
            raise InvalidParameter("nextToken", _FOREIGN_TOKEN) from None
        except ValueError as error:
            raise InvalidParameter("maxResults", str(error)) from None
    return {
        "findings": [row.finding() for row in page.rows],
        "nextToken": page.next_token,
    }


def list_finding_aggregations(
    engine: Engine, accounts: Collection[str], params: Mapping[str, Any]
) -> dict[str, Any]:
    """One page of ``ListFindingAggregations`` (counts of ACTIVE findings, per account)."""
    kind = params["aggregationType"]
    with engine.connect() as connection:
        try:
            page = aggregations.list_aggregations(
                connection,
                accounts,
                kind,
                params.get("aggregationRequest"),
                account_ids=params.get("accountIds"),
                max_results=params.get("maxResults"),
                next_token=params.get("nextToken"),
            )
        except aggregations.UnsupportedAggregation as error:
            raise InvalidParameter("aggregationType", str(error)) from None
        except CriteriaError as error:
            raise InvalidParameter(error.field, error.message) from None
        except page_token.InvalidToken:
            raise InvalidParameter("nextToken", _FOREIGN_TOKEN) from None
        except ValueError as error:
            raise InvalidParameter("maxResults", str(error)) from None
    return {
        "aggregationType": page.aggregation_type,
        "responses": list(page.responses),
        "nextToken": page.next_token,
    }


_FOREIGN_TOKEN = "not a token issued for this request's criteria and sort"
