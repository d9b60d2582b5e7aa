"""Reading a request body under a size bound, refusing it as soon as the bound is passed."""

from __future__ import annotations

from starlette.requests import Request

from vigil.api.errors import ApiError


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The whole body, or a 413 naming ``what`` (e.g. "A request body") and ``limit``; a
    declared length over the bound is refused before anything is read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, what)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, what)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, what: str) -> ApiError:
    return ApiError(
        "RequestEntityTooLargeException", f"{what} holds at most {limit} bytes", status=413
    )
