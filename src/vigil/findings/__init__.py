"""Finding lifecycle: pure reconcile(), filters, suppression, aggregation, the finding store.

Package findings in Inspector's shape: ``build_package_finding`` (one per resource and
vulnerability, from its matches and its ``VulnerabilityFacts``) and ``finding_document``.
"""

from vigil.findings.arn import (
    FindingIdFactory,
    finding_arn,
    random_finding_id,
    stable_finding_id,
)
from vigil.findings.document import EXTENSION, epoch_time, finding_document, iso_time
from vigil.findings.facts import NvdFacts, RecordFacts, VulnerabilityFacts
from vigil.findings.package_finding import (
    NOT_AVAILABLE,
    PackageFinding,
    PackageVulnerabilityDetails,
    VulnerablePackage,
    build_package_finding,
)
from vigil.findings.resource_ref import ResourceRef, local_resource

__all__ = [
    "EXTENSION",
    "NOT_AVAILABLE",
    "FindingIdFactory",
    "NvdFacts",
    "PackageFinding",
    "PackageVulnerabilityDetails",
    "RecordFacts",
    "ResourceRef",
    "VulnerabilityFacts",
    "VulnerablePackage",
    "build_package_finding",
    "epoch_time",
    "finding_arn",
    "finding_document",
    "iso_time",
    "local_resource",
    "random_finding_id",
    "stable_finding_id",
]
