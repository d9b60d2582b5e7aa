"""Opaque keyset pagination tokens: where the last page ended, bound to the query it came from.

A token is base64url of JSON ``{"q": query digest, "k": last sort key, "i": last row id}``. The
digest covers the criteria and the sort, so a token replayed with other criteria is refused rather
than silently skipping or repeating rows. A token carries no data and the query it resumes is still
limited to the caller's accounts, so a forged one can at worst start a page elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime
from typing import Any

MAX_TOKEN_LENGTH = 4096


class InvalidToken(ValueError):
    """A nextToken that this query did not issue."""


def encode(query_digest: str, key: Any, row_id: int) -> str:
    payload = {"q": query_digest[:32], "k": _encode_key(key), "i": row_id}
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str, query_digest: str) -> tuple[Any, int]:
    """The (last sort key, last id) of ``token``; InvalidToken unless issued for this query."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed nextToken")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed nextToken") from exc
    if not isinstance(payload, dict) or set(payload) != {"q", "k", "i"}:
        raise InvalidToken("malformed nextToken")
    if payload["q"] != query_digest[:32]:
        raise InvalidToken("nextToken was issued for a different request")
    row_id = payload["i"]
    if isinstance(row_id, bool) or not isinstance(row_id, int):
        raise InvalidToken("malformed nextToken")
    return _decode_key(payload["k"]), row_id


def _encode_key(key: Any) -> Any:
    if isinstance(key, datetime):
        return {"t": key.isoformat()}
    if key is None or isinstance(key, str | int | float):
        return key
    raise TypeError(f"not a sort key: {key!r}")


def _decode_key(value: Any) -> Any:
    if isinstance(value, dict):
        stamp = value.get("t") if set(value) == {"t"} else None
        if not isinstance(stamp, str):
            raise InvalidToken("malformed nextToken")
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError as exc:
            raise InvalidToken("malformed nextToken") from exc
        if parsed.tzinfo is None:
            raise InvalidToken("malformed nextToken")
        return parsed
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidToken("malformed nextToken")
    if value is None or isinstance(value, str | int | float):
        return value
    raise InvalidToken("malformed nextToken")
