"""An inventory as an SBOM document in one of the formats ``vigil.sbom`` writes.

The creation time is passed in (never read from a clock here) so that documents are reproducible.
"""

from __future__ import annotations

from datetime import datetime

from vigil import __version__
from vigil.domain import Inventory
from vigil.sbom import DEFAULT_FORMAT, FORMATS, DocumentInfo

FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)
TOOL_NAME = "vigil"

__all__ = ["DEFAULT_FORMAT", "FORMAT_NAMES", "render_sbom"]


def render_sbom(inventory: Inventory, format_name: str, *, created: datetime) -> bytes:
    """The document for ``inventory``; ``ValueError`` for a format Vigil does not write."""
    chosen = FORMATS.get(format_name)
    if chosen is None:
        raise ValueError(f"unknown SBOM format {format_name!r}; one of {', '.join(FORMAT_NAMES)}")
    info = DocumentInfo(tool_name=TOOL_NAME, tool_version=__version__, created=created)
    return chosen.encode(inventory, info)
