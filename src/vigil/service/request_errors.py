"""Why a service call refuses a request, in terms the API turns into Inspector's modeled errors.

The service room knows nothing of HTTP; the API room maps each class to one error shape
(``InvalidParameter`` → ValidationException with a ``fields`` entry, ``BadRequest`` →
BadRequestException where the operation models it, ``NotFound`` → ResourceNotFoundException,
``Denied`` → AccessDeniedException).
"""

from __future__ import annotations


class RequestRefused(Exception):
    """A request the service will not carry out; ``message`` is safe to show the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(RequestRefused):
    """A parameter breaks a rule of the model or of Vigil; ``field`` is its dotted path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message


class BadRequest(RequestRefused):
    """A well-formed request that cannot be honoured as asked (a duplicate filter name…)."""


class NotFound(RequestRefused):
    """The named resource does not exist for this caller (foreign ones look the same)."""


class Denied(RequestRefused):
    """The caller's account may not do this (a member account managing suppression rules)."""
