"""What a report says besides the findings: what was scanned, by which tool, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReportContext:
    """``created`` is injected (tests pin it); ``ignored`` counts findings an ignore file hid.

    ``width`` and ``color`` only matter to the terminal table; ``serial_number`` to CycloneDX
    (``urn:uuid:…``; derived from the document's content when not given, so that the same scan
    gives the same document).
    """

    target: str
    tool_version: str
    created: datetime
    ignored: int = 0
    width: int = 80
    color: bool = False
    serial_number: str | None = None
    tool_name: str = "vigil"
