"""A varied, deterministic set of resources and findings, stored and kept as in-memory views.

The views are what the reference evaluator sees (document + resource + state); the rows are what
the SQL path reads. Both are built from the same values, so any disagreement is the query's.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from vigil.db.finding_query import Sort, list_findings
from vigil.db.tables import finding_packages, findings, resources
from vigil.domain.filter_criteria import FilterCriteria

ACCOUNTS = ("111111111111", "222222222222", "333333333333")
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNTRIAGED")
RANK = {"UNTRIAGED": -1, "INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
STATUSES = ("ACTIVE", "SUPPRESSED", "CLOSED")
BASE = datetime(2025, 3, 1, tzinfo=UTC)
PACKAGE_NAMES = ("openssl", "openssl-libs", "libc6", "requests", "log4j-core", "zlib")


def _epoch(rng: random.Random) -> float:
    return (BASE + timedelta(days=rng.randrange(0, 40))).timestamp()


@dataclass
class Dataset:
    resources: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)


def _resource(rng: random.Random, n: int) -> dict[str, Any]:
    account = rng.choice(ACCOUNTS)
    kind = rng.choice(("AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER_IMAGE", "AWS_LAMBDA_FUNCTION"))
    region = rng.choice(("us-east-1", "eu-west-1"))
    tags = {}
    if rng.random() < 0.7:
        tags["env"] = rng.choice(("prod", "dev", "", "prod-eu"))
    if rng.random() < 0.5:
        tags["team"] = rng.choice(("a", "b"))
    details: dict[str, Any]
    if kind == "AWS_EC2_INSTANCE":
        rid = f"i-{n:017x}"
        ec2: dict[str, Any] = {"imageId": rng.choice(("ami-0aaa1111", "ami-0bbb2222"))}
        if rng.random() < 0.8:
            ec2["vpcId"] = rng.choice(("vpc-01", "vpc-02"))
        if rng.random() < 0.8:
            ec2["subnetId"] = rng.choice(("subnet-01", "subnet-02"))
        details = {"awsEc2Instance": ec2}
    elif kind == "AWS_ECR_CONTAINER_IMAGE":
        repo = rng.choice(("web", "web-api", "db"))
        digest = hashlib.sha256(str(n).encode()).hexdigest()
        rid = f"arn:aws:ecr:{region}:{account}:repository/{repo}/sha256:{digest}"
        ecr: dict[str, Any] = {
            "repositoryName": repo,
            "imageTags": rng.sample(("latest", "v1", "v1.2", "prod"), rng.randrange(0, 3)),
            "imageHash": f"sha256:{digest}",
            "registry": rng.choice(ACCOUNTS[:2]),
            "architecture": rng.choice(("amd64", "arm64")),
        }
        if rng.random() < 0.8:
            ecr["pushedAt"] = _epoch(rng)
        if rng.random() < 0.5:
            ecr["inUseCount"] = rng.randrange(0, 5)
            ecr["lastInUseAt"] = _epoch(rng)
        details = {"awsEcrContainerImage": ecr}
    else:
        name = rng.choice(("fn-a", "fn-b", "alpha"))
        rid = f"arn:aws:lambda:{region}:{account}:function:{name}-{n}"
        layers = [f"arn:aws:lambda:{region}:{account}:layer:l{i}:1" for i in range(3)]
        details = {
            "awsLambdaFunction": {
                "functionName": f"{name}-{n}",
                "runtime": rng.choice(("PYTHON_3_11", "NODEJS_18_X")),
                "codeSha256": "x",
                "version": "$LATEST",
                "executionRoleArn": rng.choice(("arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b")),
                "layers": rng.sample(layers, rng.randrange(0, 3)),
                "lastModifiedAt": _epoch(rng),
            }
        }
    return {
        "account": account,
        "doc": {
            "type": kind,
            "id": rid,
            "partition": "aws",
            "region": region,
            "tags": tags,
            "details": details,
        },
    }


def _package(rng: random.Random, res: dict[str, Any]) -> dict[str, Any]:
    package: dict[str, Any] = {
        "name": rng.choice(PACKAGE_NAMES),
        "version": rng.choice(("1.0", "1.1.1", "2.0.0")),
        "epoch": rng.choice((0, 0, 1)),
        "packageManager": rng.choice(("OS", "PIP", "JAR")),
    }
    if rng.random() < 0.5:
        package["release"] = rng.choice(("1.el9", "2.el9"))
    if rng.random() < 0.5:
        package["arch"] = rng.choice(("x86_64", "noarch"))
    if rng.random() < 0.4:
        package["filePath"] = rng.choice(("/usr/lib/x", "/opt/app/y"))
    if rng.random() < 0.3:
        package["sourceLayerHash"] = "sha256:" + "a" * 64
    if rng.random() < 0.5:
        package["fixedInVersion"] = "9.9"
    layers = res["doc"]["details"].get("awsLambdaFunction", {}).get("layers")
    if layers and rng.random() < 0.7:
        package["sourceLambdaLayerArn"] = rng.choice(layers)
    return package


def _finding(rng: random.Random, n: int, res: dict[str, Any], vid: str) -> dict[str, Any]:
    severity = rng.choice(SEVERITIES)
    doc: dict[str, Any] = {
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{vid} - {rng.choice(PACKAGE_NAMES)}",
        "description": "d",
        "severity": severity,
        "remediation": {"recommendation": {"text": "upgrade"}},
        "fixAvailable": rng.choice(("YES", "NO", "PARTIAL")),
        "exploitAvailable": rng.choice(("YES", "NO")),
        "resources": [res["doc"]],
    }
    if rng.random() < 0.8:
        doc["inspectorScore"] = rng.choice((0.0, 3.5, 5.0, 7.5, 9.8))
    if rng.random() < 0.7:
        doc["epss"] = {"score": rng.choice((0.0001, 0.05, 0.5, 0.97))}
    pvd: dict[str, Any] = {
        "vulnerabilityId": vid,
        "source": rng.choice(("NVD", "DEBIAN_CVE")),
        "relatedVulnerabilities": rng.sample(("GHSA-1", "DSA-2", "USN-3"), rng.randrange(0, 3)),
        "vulnerablePackages": [_package(rng, res) for _ in range(rng.randrange(1, 4))],
    }
    if rng.random() < 0.6:
        pvd["vendorSeverity"] = rng.choice(("high", "low", "medium"))
    doc["packageVulnerabilityDetails"] = pvd
    if rng.random() < 0.1:
        begin = rng.choice((22, 80, 1000))
        doc["networkReachabilityDetails"] = {
            "openPortRange": {"begin": begin, "end": begin + rng.choice((0, 100))},
            "protocol": rng.choice(("TCP", "UDP")),
            "networkPath": {
                "steps": [
                    {"componentId": f"igw-{n % 3}", "componentType": "AWS::EC2::InternetGateway"},
                    {"componentId": f"sg-{n % 2}", "componentType": "AWS::EC2::SecurityGroup"},
                ]
            },
        }
    first = BASE + timedelta(days=rng.randrange(0, 30), seconds=rng.randrange(0, 3))
    state = {
        "findingArn": f"arn:aws:inspector2:us-east-1:{res['account']}:finding/{n:032x}",
        "awsAccountId": res["account"],
        "status": rng.choice(STATUSES),
        "firstObservedAt": first,
        "lastObservedAt": first + timedelta(days=rng.randrange(0, 5)),
        "updatedAt": first + timedelta(days=rng.randrange(0, 5)),
    }
    return {**doc, **state}


def build(seed: int = 7, n_resources: int = 40, n_findings: int = 300) -> Dataset:
    rng = random.Random(seed)
    data = Dataset(resources=[_resource(rng, i) for i in range(n_resources)])
    used: set[tuple[int, str]] = set()
    while len(data.views) < n_findings:
        index = rng.randrange(n_resources)
        vid = f"CVE-2024-{rng.randrange(1, 60):04d}"
        if (index, vid) in used:
            continue
        used.add((index, vid))
        view = _finding(rng, len(data.views), data.resources[index], vid)
        view["_resource_index"] = index
        data.views.append(view)
    return data


def _resource_row(res: dict[str, Any], now: datetime) -> dict[str, Any]:
    doc = res["doc"]
    ec2 = doc["details"].get("awsEc2Instance", {})
    ecr = doc["details"].get("awsEcrContainerImage", {})
    fn = doc["details"].get("awsLambdaFunction", {})
    return {
        "account_id": res["account"],
        "resource_id": doc["id"],
        "resource_type": doc["type"],
        "region": doc["region"],
        "partition": "aws",
        "tags": doc["tags"],
        "details": doc["details"],
        "ecr_repository_name": ecr.get("repositoryName"),
        "ecr_image_tags": ecr.get("imageTags"),
        "ec2_instance_image_id": ec2.get("imageId"),
        "ec2_instance_vpc_id": ec2.get("vpcId"),
        "ec2_instance_subnet_id": ec2.get("subnetId"),
        "lambda_function_name": fn.get("functionName"),
        "lambda_function_runtime": fn.get("runtime"),
        "lambda_function_layers": fn.get("layers"),
        "lambda_function_execution_role_arn": fn.get("executionRoleArn"),
        "scan_status_code": "ACTIVE",
        "scan_status_reason": "SUCCESSFUL",
        "last_scanned_at": now,
        "created_at": now,
        "updated_at": now,
    }


STATE_KEYS = (
    "findingArn",
    "awsAccountId",
    "status",
    "firstObservedAt",
    "lastObservedAt",
    "updatedAt",
)


def finding_row(view: dict[str, Any], resource_pk: int) -> dict[str, Any]:
    document = {k: v for k, v in view.items() if k not in STATE_KEYS and not k.startswith("_")}
    pvd = document["packageVulnerabilityDetails"]
    return {
        "finding_arn": view["findingArn"],
        "account_id": view["awsAccountId"],
        "resource_pk": resource_pk,
        "resource_id": document["resources"][0]["id"],
        "resource_type": document["resources"][0]["type"],
        "type": document["type"],
        "vulnerability_id": pvd["vulnerabilityId"],
        "title": document["title"],
        "status": view["status"],
        "severity": document["severity"],
        "severity_rank": RANK[document["severity"]],
        "inspector_score": document.get("inspectorScore"),
        "epss_score": document.get("epss", {}).get("score"),
        "exploit_available": document["exploitAvailable"],
        "fix_available": document["fixAvailable"],
        "vendor_severity": pvd.get("vendorSeverity"),
        "first_observed_at": view["firstObservedAt"],
        "last_observed_at": view["lastObservedAt"],
        "updated_at": view["updatedAt"],
        "closed_at": view["updatedAt"] if view["status"] == "CLOSED" else None,
        "document": document,
        "document_hash": "0" * 64,
    }


def package_rows(view: dict[str, Any], finding_id: int) -> list[dict[str, Any]]:
    packages = view["packageVulnerabilityDetails"]["vulnerablePackages"]
    return [
        {
            "finding_id": finding_id,
            "position": i,
            "name": p["name"],
            "version": p["version"],
            "epoch": p["epoch"],
            "release": p.get("release"),
            "arch": p.get("arch"),
            "package_manager": p["packageManager"],
            "file_path": p.get("filePath"),
            "source_layer_hash": p.get("sourceLayerHash"),
            "fixed_in_version": p.get("fixedInVersion"),
        }
        for i, p in enumerate(packages)
    ]


def store(engine: Engine, data: Dataset) -> None:
    now = BASE
    with engine.begin() as connection:
        pks = [_insert_resource(connection, _resource_row(r, now)) for r in data.resources]
        connection.execute(
            insert(findings), [finding_row(v, pks[v["_resource_index"]]) for v in data.views]
        )
        ids = connection.execute(select(findings.c.finding_arn, findings.c.id))
        data.ids = {str(arn): int(pk) for arn, pk in ids}
        rows = [p for v in data.views for p in package_rows(v, data.ids[v["findingArn"]])]
        connection.execute(insert(finding_packages), rows)


def _insert_resource(connection: Connection, row: dict[str, Any]) -> int:
    result = connection.execute(insert(resources).returning(resources.c.id), row)
    return int(result.scalar_one())


def all_pages(
    engine: Engine,
    criteria: FilterCriteria,
    *,
    accounts: tuple[str, ...] = ACCOUNTS,
    sort: Sort | None = None,
    page: int = 100,
) -> list[str]:
    arns: list[str] = []
    token = None
    with engine.connect() as connection:
        for _ in range(10_000):
            result = list_findings(
                connection, accounts, criteria, sort=sort, max_results=page, next_token=token
            )
            arns.extend(r.finding_arn for r in result.rows)
            token = result.next_token
            if token is None:
                return arns
    raise AssertionError("pagination never ended")
