"""Which operations each access-key role may call.

- ``read-only``: operations that only read: ``Get*``, ``List*``, ``BatchGet*``, ``Describe*``,
  ``Search*``.
- ``analyst``: read-only, plus the work of triage: suppression rules (filters), findings reports,
  SBOM exports, tags, and ``ScanSbom``.
- ``agent``: only what a host agent sends (Vigil's own ingest endpoints) and ``ScanSbom``.
- ``admin``: everything.

Anything else is refused with AccessDeniedException (403). Which *data* an allowed call may
touch (its own account, or its members' for a delegated administrator) is decided by the
operation, not here.
"""

from __future__ import annotations

READ_PREFIXES = ("Get", "List", "BatchGet", "Describe", "Search")
ANALYST_OPERATIONS = frozenset(
    {
        "CreateFilter",
        "UpdateFilter",
        "DeleteFilter",
        "CreateFindingsReport",
        "CancelFindingsReport",
        "CreateSbomExport",
        "CancelSbomExport",
        "TagResource",
        "UntagResource",
        "ScanSbom",
    }
)
# Vigil's own ingest endpoints (under /_vigil/v1/) join this set as they are added.
AGENT_OPERATIONS = frozenset({"ScanSbom"})


def is_read_only(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


def allowed(role: str, operation: str) -> bool:
    if role == "admin":
        return True
    if role == "analyst":
        return is_read_only(operation) or operation in ANALYST_OPERATIONS
    if role == "read-only":
        return is_read_only(operation)
    if role == "agent":
        return operation in AGENT_OPERATIONS
    return False
