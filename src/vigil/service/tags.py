"""TagResource, UntagResource and ListTagsForResource over Vigil's taggable resources.

Inspector tags suppression rules (filters) and CIS scan configurations; Vigil has filters, so a
taggable ARN is a filter ARN of the caller's own account. Its tags live on the filter row, where
CreateFilter put them and ListFilters reads them, so there is one copy. Any other ARN (another
account's filter, a finding, something Vigil never made) is ResourceNotFound, the only refusal
these operations model besides validation: whether a foreign resource exists is never told.
As with AWS tags, a resource holds at most 50 and keys beginning ``aws:`` are reserved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from vigil.db.engine import write_transaction
from vigil.db.tables import filters
from vigil.service.api_context import Caller
from vigil.service.request_errors import BadRequest, InvalidParameter, NotFound

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256
_RESERVED = "aws:"
# UntagResource's TagKey pattern in the model, without its negative look-ahead (checked apart).
_KEY = re.compile(r"[a-zA-Z+-=._:/]+")


def list_tags(engine: Engine, caller: Caller, arn: str) -> dict[str, Any]:
    with engine.connect() as connection:
        tags = _tags_of(connection, caller, arn)
    return {"tags": tags}


def tag(engine: Engine, caller: Caller, arn: str, new: Mapping[str, str]) -> None:
    for key, value in new.items():
        if key.lower().startswith(_RESERVED):
            raise BadRequest(f"Tag keys beginning {_RESERVED!r} are reserved: {key!r}")
        if not 1 <= len(key) <= MAX_KEY or len(value) > MAX_VALUE:
            raise BadRequest(f"A tag key holds 1 to {MAX_KEY} characters, a value {MAX_VALUE}")
    with write_transaction(engine) as connection:
        tags = {**_tags_of(connection, caller, arn), **new}
        if len(tags) > MAX_TAGS:
            raise BadRequest(f"A resource holds at most {MAX_TAGS} tags")
        _store(connection, caller, arn, tags)


def untag(engine: Engine, caller: Caller, arn: str, keys: Iterable[str]) -> None:
    keys = list(keys)
    for key in keys:
        if key.startswith(_RESERVED) or not _KEY.fullmatch(key):
            raise InvalidParameter("tagKeys", f"{key!r} is not a tag key that can be removed")
    with write_transaction(engine) as connection:
        tags = _tags_of(connection, caller, arn)
        for key in keys:
            tags.pop(key, None)
        _store(connection, caller, arn, tags)


def _owned(caller: Caller, arn: str) -> Any:
    return filters.c.arn == arn, filters.c.account_id == caller.account_id


def _tags_of(connection: Connection, caller: Caller, arn: str) -> dict[str, str]:
    found = connection.execute(select(filters.c.tags).where(*_owned(caller, arn))).one_or_none()
    if found is None:
        raise NotFound(f"No taggable resource {arn} in account {caller.account_id}")
    return dict(found.tags or {})


def _store(connection: Connection, caller: Caller, arn: str, tags: Mapping[str, str]) -> None:
    connection.execute(update(filters).where(*_owned(caller, arn)).values(tags=dict(tags)))
