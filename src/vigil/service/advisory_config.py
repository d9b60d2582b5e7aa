"""Where the advisory sources are fetched from, and which of them a sync runs by default.

Every location is configurable (``vigil db sync`` options and ``VIGIL_*_URL`` variables), so a
mirror, or a test's loopback server, can stand in for the public services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigil.advisories.sources.epss import EPSS_URL
from vigil.advisories.sources.kev import KEV_URL
from vigil.advisories.sources.nvd import NVD_API_URL
from vigil.advisories.sources.osv_export import DEFAULT_BASE_URL
from vigil.versions.registry import supported_ecosystems

SOURCES = ("osv", "nvd", "epss", "kev")

# The ecosystems whose versions Vigil can compare: syncing others would store records that no
# match can use.
DEFAULT_ECOSYSTEMS: tuple[str, ...] = supported_ecosystems()

__all__ = [
    "DEFAULT_ECOSYSTEMS",
    "DEFAULT_OSV_URL",
    "EPSS_URL",
    "KEV_URL",
    "NVD_API_URL",
    "SOURCES",
    "SourceConfig",
]

DEFAULT_OSV_URL = DEFAULT_BASE_URL


@dataclass(frozen=True, slots=True)
class SourceConfig:
    osv_url: str = DEFAULT_OSV_URL  # the export bucket: {osv_url}/{ecosystem}/all.zip
    nvd_url: str = NVD_API_URL
    epss_url: str = EPSS_URL
    kev_url: str = KEV_URL
    nvd_api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0  # seconds per HTTP request
    attempts: int = 4
