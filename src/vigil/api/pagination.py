"""Opaque ``nextToken`` values for listings that page by position."""

from __future__ import annotations

import base64
import binascii
import json

from vigil.api.errors import validation_error

_PREFIX = "o1."


def encode_offset(offset: int) -> str:
    data = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return _PREFIX + base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_offset(token: str | None) -> int:
    """The position a token stands for (0 for no token); a forged token is a ValidationException."""
    if not token:
        return 0
    try:
        if not token.startswith(_PREFIX):
            raise ValueError(token)
        text = token[len(_PREFIX) :]
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        offset = data["offset"]
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(offset)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise validation_error(
            "nextToken is not a token this listing issued",
            fields=[{"name": "nextToken", "message": "Member is not a valid token"}],
        ) from None
    return offset
