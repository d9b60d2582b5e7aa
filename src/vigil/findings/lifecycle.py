"""Inspector's lifecycle constants and the factory of ARNs for stored findings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from vigil.findings.arn import finding_arn

# Inspector reopens a closed finding (same finding, not a new one) when the issue recurs within
# seven days of closing (user guide, "Understanding findings").
REOPEN_WINDOW = timedelta(days=7)


def finding_arns(
    region: str,
    account_id: str,
    *,
    partition: str = "aws",
    new_id: Callable[[], str] | None = None,
) -> Callable[[], str]:
    """New finding ARNs for one account and region, for reconcile's ``new_arn``.

    A stored finding keeps its ARN for life, so ids need no derivation: ``new_id`` (32 lowercase
    hex digits) defaults to a random UUID and is injected where tests need determinism.
    """
    source = new_id or (lambda: uuid.uuid4().hex)
    return lambda: finding_arn(partition, region, account_id, source())
