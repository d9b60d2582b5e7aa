"""What a handler receives besides its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vigil.service.api_context import ApiServices, Caller


@dataclass(frozen=True)
class RequestContext:
    services: ApiServices
    caller: Caller
    region: str  # from the signature's credential scope: where ARNs the call makes live
    request_id: str
    operation: str


# A handler takes validated parameters (timestamps already datetimes) and returns the output
# members as a dict (None for an empty output), or raises an ApiError.
Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any] | None]
