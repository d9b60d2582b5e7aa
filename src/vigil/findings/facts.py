"""What the advisory data says about one vulnerability, gathered once and shared by its findings.

The service builds these from the advisory store (``vigil.service.vulnerability_facts``); the
findings room only reads them, so building a finding never touches a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from vigil.domain import Severity
from vigil.scoring import CvssScore


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """One advisory record of the vulnerability, as a possible ``source`` of its findings.

    ``source`` is Inspector's style of naming the database (``DEBIAN_CVE``, ``GITHUB``, ``OSV``);
    ``entry_severity`` maps an affected entry's index to the vendor's own word and its Inspector
    severity, where the vendor gives one for that entry (Ubuntu's priorities).
    """

    id: str
    source: str
    source_url: str
    os: bool  # published by a distribution for its own packages
    published: datetime | None = None
    modified: datetime | None = None
    vendor_severity: str | None = None  # the record's own word (GitHub's "HIGH", "MODERATE")
    entry_severity: Mapping[int, tuple[str, Severity]] = field(default_factory=dict, hash=False)
    references: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entry_severity", MappingProxyType(dict(self.entry_severity)))


@dataclass(frozen=True, slots=True)
class NvdFacts:
    """NVD's record of the vulnerability's CVE."""

    url: str
    published: datetime | None
    last_modified: datetime | None
    severity: str | None  # NVD's base severity word of its preferred assessment
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VulnerabilityFacts:
    """Everything a package finding says about its vulnerability besides the packages.

    ``vulnerability_id`` is the CVE where one exists, else the advisory id; ``aliases`` are the
    other ids of the same vulnerability. ``cvss`` holds every assessment, scored from its
    vector, with Inspector-style sources (``NVD``, ``GITHUB``…).
    """

    vulnerability_id: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    records: tuple[RecordFacts, ...] = ()
    nvd: NvdFacts | None = None
    cvss: tuple[CvssScore, ...] = ()
    cwes: tuple[str, ...] = ()
    epss: float | None = None
    kev_date_added: date | None = None

    def record(self, record_id: str) -> RecordFacts | None:
        return next((r for r in self.records if r.id == record_id), None)
