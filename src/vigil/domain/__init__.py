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
from vigil.domain.inventory import Inventory, ScanWarning
from vigil.domain.package import Location, Package
from vigil.domain.severity import Severity

__all__ = [
    "Advisory",
    "Affected",
    "AffectedPackage",
    "Credit",
    "Ecosystem",
    "EcosystemKind",
    "Event",
    "InvalidAdvisory",
    "Inventory",
    "Location",
    "Package",
    "Range",
    "Reference",
    "ScanWarning",
    "Severity",
    "SeverityScore",
    "UnknownEcosystem",
    "parse_osv",
]
