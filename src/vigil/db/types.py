"""Column types shared by the tables: UTC timestamps, surrogate ids, JSON documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

from vigil.domain.finding_state import EncodedDocument

# SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")

Document = JSON().with_variant(JSONB(), "postgresql")


def stored_document(document: Mapping[str, Any]) -> Any:
    """A document as a ``Document`` column takes it: one that carries its JSON goes as it is
    (``encode_json`` writes that text), any other as a plain dict."""
    return document if isinstance(document, EncodedDocument) else dict(document)


def encode_json(value: Any) -> str:
    """The engines' JSON serializer: json.dumps, except for documents encoded already."""
    if isinstance(value, EncodedDocument):
        return value.json
    return json.dumps(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite keeps no offset, so values are converted to UTC on the way in and marked UTC on the way
    out; a naive datetime is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"not a timestamp: {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
