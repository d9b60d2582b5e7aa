"""What an encoder needs besides the inventory: the producing tool, the time, stable identifiers.

Nothing here reads a clock or draws randomness. ``created`` is injected; the CycloneDX serial
number and the SPDX namespace are derived from a digest of the document unless given, so encoding
the same inventory at the same instant always yields the same bytes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

# Namespace for name-based (version 5) UUIDs of Vigil documents.
_UUID_NAMESPACE = uuid.UUID("5d0c8f5e-3b1e-5c2a-9a55-7669676c2d31")
PLACEHOLDER = "@@vigil-derived-identifier@@"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """The producing tool, the creation time (timezone-aware) and optional fixed identifiers."""

    tool_name: str
    tool_version: str
    created: datetime
    serial_number: str | None = None  # CycloneDX "urn:uuid:..."
    namespace: str | None = None  # SPDX documentNamespace (an absolute URI without "#")

    def __post_init__(self) -> None:
        if self.created.tzinfo is None:
            raise ValueError("DocumentInfo.created must carry a timezone")

    @property
    def timestamp(self) -> str:
        """``created`` in UTC to the second, as both CycloneDX and SPDX expect it."""
        return self.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_derived_id(data: bytes, render: Callable[[uuid.UUID], str]) -> bytes:
    """Put an identifier derived from ``data`` in place of the first ``PLACEHOLDER`` in it.

    Encoders write ``PLACEHOLDER`` where the identifier goes, ahead of any value taken from the
    inventory, so the first occurrence is always theirs; the UUID is a name-based digest of the
    whole document (time, tool, target, packages, warnings), so any change gives a new one.
    """
    derived = uuid.uuid5(_UUID_NAMESPACE, hashlib.sha256(data).hexdigest())
    return data.replace(PLACEHOLDER.encode(), render(derived).encode(), 1)
