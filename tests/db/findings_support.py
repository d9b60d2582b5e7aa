"""Helpers for the finding store tests: realistic documents and one reconcile round trip."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from vigil.db.finding_store import ApplyStats, FindingStore
from vigil.db.resources import ResourceStore
from vigil.domain import Observation, Resource, ResourceType
from vigil.findings.lifecycle import finding_arns
from vigil.findings.reconcile import reconcile

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "111122223333"


def host(n: int = 1) -> Resource:
    return Resource(
        account_id=ACCOUNT,
        resource_id=f"i-{n:017x}",
        resource_type=ResourceType.AWS_EC2_INSTANCE,
        region="eu-west-1",
        details={"awsEc2Instance": {"imageId": "ami-0abcdef1234567890", "platform": "DEBIAN_12"}},
    )


def document(
    vid: str,
    *,
    severity: str = "HIGH",
    packages: Sequence[str] = ("openssl",),
    fixed: str | None = "3.0.15-1~deb12u1",
    score: float = 7.5,
) -> dict[str, Any]:
    return {
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{vid} - {', '.join(packages)}",
        "description": "A flaw in the TLS stack.",
        "severity": severity,
        "inspectorScore": score,
        "epss": {"score": 0.00043},
        "exploitAvailable": "NO",
        "fixAvailable": "YES" if fixed else "NO",
        "remediation": {"recommendation": {"text": "None Provided"}},
        "resources": [{"type": "AWS_EC2_INSTANCE", "id": host().resource_id}],
        "packageVulnerabilityDetails": {
            "vulnerabilityId": vid,
            "source": "DEBIAN_CVE",
            "vendorSeverity": "high",
            "vulnerablePackages": [
                {
                    "name": name,
                    "version": "3.0.11",
                    "epoch": 0,
                    "release": "1~deb12u2",
                    "arch": "X86_64",
                    "packageManager": "OS",
                    **({"fixedInVersion": fixed} if fixed else {}),
                }
                for name in packages
            ],
        },
    }


def observe(vid: str, **options: Any) -> Observation:
    return Observation.of(vid, document(vid, **options))


class Harness:
    """A resource store and a finding store over one database, with deterministic ARNs."""

    def __init__(self, engine: Any, *, random_arns: bool = False) -> None:
        self.resources = ResourceStore(engine, clock=lambda: T0)
        self.findings = FindingStore(engine)
        counter = itertools.count(1)
        self.new_arn = finding_arns(
            "eu-west-1", ACCOUNT, new_id=None if random_arns else lambda: f"{next(counter):032x}"
        )

    def ingest(
        self,
        observed: dict[int, Sequence[Observation]],
        now: datetime,
        *,
        removed: Collection[int] = (),
        rules: Callable[[Observation], Collection[int]] = lambda o: (),
    ) -> ApplyStats:
        with self.findings.transaction() as tx:
            current = tx.load(observed)
            deltas = [
                reconcile(
                    current[pk],
                    obs,
                    resource_pk=pk,
                    now=now,
                    new_arn=self.new_arn,
                    resource_removed=pk in removed,
                    suppressed=rules,
                )
                for pk, obs in observed.items()
            ]
            return tx.apply(deltas)
