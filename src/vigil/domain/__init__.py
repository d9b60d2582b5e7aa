"""Frozen value types shared by every room.

Ecosystems, packages, inventories, advisories and severities.
"""

from vigil.domain.advisory import (
    Advisory,
    Affected,
    AffectedPackage,
    Credit,
    Event,
    InvalidAdvisory,
    Range,
    Reference,
    SeverityScore,
    parse_osv,
)
from vigil.domain.ecosystem import Ecosystem, EcosystemKind, UnknownEcosystem
from vigil.domain.finding_delta import Closure, Delta, NewFinding, Seen, Transition
from vigil.domain.finding_state import (
    FindingStatus,
    Observation,
    StatusReason,
    StoredFinding,
    document_hash,
)
from vigil.domain.inventory import Inventory, ScanWarning
from vigil.domain.package import Location, Package
from vigil.domain.resource import Resource, ResourceType
from vigil.domain.severity import Severity

__all__ = [
    "Advisory",
    "Affected",
    "AffectedPackage",
    "Closure",
    "Credit",
    "Delta",
    "Ecosystem",
    "EcosystemKind",
    "Event",
    "FindingStatus",
    "InvalidAdvisory",
    "Inventory",
    "Location",
    "NewFinding",
    "Observation",
    "Package",
    "Range",
    "Reference",
    "Resource",
    "ResourceType",
    "ScanWarning",
    "Seen",
    "Severity",
    "SeverityScore",
    "StatusReason",
    "StoredFinding",
    "Transition",
    "UnknownEcosystem",
    "document_hash",
    "parse_osv",
]
