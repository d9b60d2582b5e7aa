"""Account ids as Inspector writes them: exactly twelve ASCII digits.

The model states the pattern but the API framework checks only lengths, so services that take an
account id from a request check it here before it reaches a query.
"""

from __future__ import annotations

import re

from vigil.service.request_errors import InvalidParameter

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def check_account_id(field: str, value: object) -> str:
    if not is_account_id(value):
        raise InvalidParameter(field, "an account id is 12 digits")
    assert isinstance(value, str)
    return value
