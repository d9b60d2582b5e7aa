"""CVE-keyed enrichment: what NVD, FIRST EPSS and CISA KEV add to an OSV vulnerability.

OSV records say which packages are affected; these say how bad and how likely to be exploited
a CVE is. They are joined to a vulnerability group by its CVE id, never by package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class CvssScore:
    """One CVSS assessment of a CVE, as NVD publishes it (NVD's own or a CNA's)."""

    cve: str
    version: str  # "2.0", "3.0", "3.1", "4.0"
    vector: str
    base_score: float | None
    severity: str | None
    scorer: str  # who assessed it: "nvd@nist.gov", a CNA's address or id
    primary: bool  # NVD marks its own assessment "Primary", a CNA's "Secondary"


@dataclass(frozen=True, slots=True)
class CveRecord:
    """What NVD says about one CVE, without the CPE configurations."""

    id: str
    status: str  # vulnStatus: "Analyzed", "Modified", "Awaiting Analysis", "Rejected"…
    published: datetime | None
    last_modified: datetime
    description: str | None  # the English one
    cwes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    cvss: tuple[CvssScore, ...] = ()

    @property
    def rejected(self) -> bool:
        return self.status == "Rejected"


@dataclass(frozen=True, slots=True)
class EpssScore:
    """FIRST's probability of exploitation in the next 30 days, and its percentile."""

    cve: str
    score: float
    percentile: float
    scored_on: date


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CVE in CISA's Known Exploited Vulnerabilities catalog."""

    cve: str
    vendor: str
    product: str
    name: str
    date_added: date
    due_date: date | None
    required_action: str
    ransomware: str  # "Known" or "Unknown"
    notes: str = ""
    cwes: tuple[str, ...] = ()


EnrichmentItem = CveRecord | EpssScore | KevEntry


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything known about one CVE beyond its OSV records."""

    cve: str
    nvd: CveRecord | None = None
    epss: EpssScore | None = None
    kev: KevEntry | None = None

    @property
    def known_exploited(self) -> bool:
        return self.kev is not None
