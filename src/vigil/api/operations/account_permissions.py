"""ListAccountPermissions: what the caller's key may configure, per scan type.

Inspector answers with (service, operation) pairs an account may perform. Vigil derives them from
the caller's role: the ``ENABLE_*`` operations need the role to be allowed ``Enable``, the
``DISABLE_*`` ones ``Disable``; repository-level switches exist for ECR only, as in Inspector.
"""

from __future__ import annotations

from typing import Any

from vigil.api.context import RequestContext
from vigil.api.errors import validation_error
from vigil.api.pagination import decode_offset, encode_offset
from vigil.api.permissions import allowed

# (service, operation, the Inspector operation whose permission it reflects)
_PERMISSIONS = (
    ("EC2", "ENABLE_SCANNING", "Enable"),
    ("EC2", "DISABLE_SCANNING", "Disable"),
    ("ECR", "ENABLE_SCANNING", "Enable"),
    ("ECR", "DISABLE_SCANNING", "Disable"),
    ("ECR", "ENABLE_REPOSITORY", "Enable"),
    ("ECR", "DISABLE_REPOSITORY", "Disable"),
    ("LAMBDA", "ENABLE_SCANNING", "Enable"),
    ("LAMBDA", "DISABLE_SCANNING", "Disable"),
)
_DEFAULT_PAGE = 1024


def list_account_permissions(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    wanted = params.get("service")
    permissions = [
        {"service": service, "operation": operation}
        for service, operation, needs in _PERMISSIONS
        if (wanted is None or service == wanted) and allowed(ctx.caller.role, needs)
    ]
    start = decode_offset(params.get("nextToken"))
    if start > len(permissions):
        raise validation_error("nextToken does not belong to this listing", reason="OTHER")
    end = start + int(params.get("maxResults") or _DEFAULT_PAGE)
    return {
        "permissions": permissions[start:end],
        "nextToken": encode_offset(end) if end < len(permissions) else None,
    }
