"""A deterministic fleet: 100 resources of one account with 100 findings each, and a neighbour.

Every value a filter or a sort test asks about is a plain function of (resource index ``r``,
vulnerability index ``v``), so the tests compute what they expect without a second evaluator.
Resources are observed in four rounds a day apart (``ROUND_OF``), which spreads
``firstObservedAt`` over four days.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from tests.api.findings_support import T0, FleetWriter, resource_document
from vigil.domain import Resource, ResourceType

ACCOUNT = "111122223333"
NEIGHBOUR = "444455556666"
RESOURCES = 100
VULNS = 100
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL", "INFORMATIONAL")
PACKAGES = ("openssl", "libssl3", "zlib1g", "requests", "lodash", "log4j-core", "glibc")
ROUNDS = 4


def kind_of(r: int) -> ResourceType:
    return (
        ResourceType.AWS_EC2_INSTANCE,
        ResourceType.AWS_ECR_CONTAINER_IMAGE,
        ResourceType.AWS_LAMBDA_FUNCTION,
    )[r % 3]


def round_of(r: int) -> int:
    return r % ROUNDS


def vid(v: int) -> str:
    return f"CVE-2024-{10000 + v}"


def severity(v: int) -> str:
    return "UNTRIAGED" if v % 25 == 24 else SEVERITIES[v % 5]


def score(v: int) -> float:
    return round((v % 50) / 5, 1)  # 0.0 … 9.8


def epss(v: int) -> float:
    return round(v / 1000, 3)


def package(r: int, v: int) -> tuple[str, str]:
    return PACKAGES[v % 7], f"1.{r % 4}.{v % 3}"


def tags_of(r: int) -> dict[str, str]:
    tags = {"env": "prod" if r % 2 == 0 else "dev"}
    if r % 5 == 0:
        tags["team"] = "payments"
    return tags


def resource(r: int, account: str = ACCOUNT) -> Resource:
    kind = kind_of(r)
    region = "us-east-1" if r % 4 else "eu-west-1"
    details: dict[str, Any]
    if kind is ResourceType.AWS_EC2_INSTANCE:
        rid = f"i-{r:017x}"
        details = {
            "awsEc2Instance": {
                "imageId": f"ami-0{r % 3:07d}",
                "platform": "DEBIAN_12",
                "vpcId": f"vpc-{r % 2:08x}",
                "subnetId": f"subnet-{r % 3:08x}",
            }
        }
    elif kind is ResourceType.AWS_ECR_CONTAINER_IMAGE:
        digest = hashlib.sha256(f"{account}/{r}".encode()).hexdigest()
        repo = ("web", "api", "worker")[r % 3 if r % 2 else (r // 2) % 3]
        rid = f"arn:aws:ecr:{region}:{account}:repository/{repo}/sha256:{digest}"
        details = {
            "awsEcrContainerImage": {
                "repositoryName": repo,
                "imageTags": ["latest", f"v{r}"] if r % 2 else [f"v{r}"],
                "imageHash": f"sha256:{digest}",
                "registry": account,
                "architecture": "arm64" if r % 4 == 1 else "amd64",
                "pushedAt": (T0 - timedelta(days=r)).timestamp(),
            }
        }
    else:
        name = f"fn-{r:03d}"
        rid = f"arn:aws:lambda:{region}:{account}:function:{name}"
        details = {
            "awsLambdaFunction": {
                "functionName": name,
                "runtime": "PYTHON_3_12" if r % 2 else "NODEJS_20_X",
                "codeSha256": "c" * 44,
                "version": "$LATEST",
                "executionRoleArn": f"arn:aws:iam::{account}:role/fn",
                "layers": [layer_arn(r)],
            }
        }
    return Resource(
        account_id=account,
        resource_id=rid,
        resource_type=kind,
        region=region,
        tags=tags_of(r),
        details=details,
    )


def layer_hash(r: int) -> str:
    return "sha256:" + hashlib.sha256(f"layer-{r % 2}".encode()).hexdigest()


def layer_arn(r: int) -> str:
    region = "us-east-1" if r % 4 else "eu-west-1"
    return f"arn:aws:lambda:{region}:{ACCOUNT}:layer:common:{r % 3 + 1}"


def finding_document(res: Resource, r: int, v: int) -> dict[str, Any]:
    name, version = package(r, v)
    sev = severity(v)
    origin: dict[str, str] = {}
    if res.resource_type is ResourceType.AWS_ECR_CONTAINER_IMAGE:
        origin["sourceLayerHash"] = layer_hash(r)
    elif res.resource_type is ResourceType.AWS_LAMBDA_FUNCTION and v % 2 == 0:
        origin["sourceLambdaLayerArn"] = layer_arn(r)
    doc: dict[str, Any] = {
        "awsAccountId": res.account_id,
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{vid(v)} - {name}",
        "description": f"A flaw in {name}.",
        "remediation": {"recommendation": {"text": f"Upgrade {name}."}},
        "severity": sev,
        "resources": [resource_document(res)],
        "packageVulnerabilityDetails": {
            "vulnerabilityId": vid(v),
            "source": "DEBIAN_CVE" if v % 2 else "GITHUB",
            "vendorSeverity": sev.lower(),
            "sourceUrl": f"https://security-tracker.debian.org/tracker/{vid(v)}",
            "referenceUrls": [f"https://example.org/{vid(v)}"],
            "vulnerablePackages": [
                {
                    "name": name,
                    "version": version,
                    "epoch": v % 2,
                    "packageManager": "OS" if v % 2 else "PIP",
                    "fixedInVersion": f"{version}-fix" if v % 3 else "NotAvailable",
                    **origin,
                    "vigil": {"ecosystem": "Debian:12"},
                }
            ],
        },
        "fixAvailable": "YES" if v % 3 else "NO",
        "exploitAvailable": "YES" if v % 10 == 0 else "NO",
        "epss": {"score": epss(v)},
        "vigil": {"cwes": ["CWE-79"]},
    }
    if sev != "UNTRIAGED":
        doc["inspectorScore"] = score(v)
    return doc


def write_fleet(writer: FleetWriter) -> None:
    for round_ in range(ROUNDS):
        batch = []
        for r in range(RESOURCES):
            if round_of(r) != round_:
                continue
            res = resource(r)
            batch.append((res, [finding_document(res, r, v) for v in range(VULNS)]))
        writer.observe(batch, T0 + timedelta(days=round_))
    neighbour = resource(0, NEIGHBOUR)
    writer.observe([(neighbour, [finding_document(neighbour, 0, v) for v in range(5)])], T0)
