"""A synthetic findings store for the query benchmark, loaded in bulk.

Shape: ten accounts of 1,000 resources each (half hosts, 30% images, 20% functions), 100
findings per resource drawn from 20,000 vulnerability ids, one or two vulnerable packages per
finding from 2,000 names, 80% ACTIVE / 10% SUPPRESSED / 10% CLOSED, and Inspector-shaped
documents of about half a kilobyte. Ids are assigned here so that packages need no read-back.
SQLite is loaded with executemany in one transaction; PostgreSQL with COPY. Statistics are
gathered right after (ANALYZE; VACUUM ANALYZE on PostgreSQL, as its autovacuum would after such a
load), so the planners see the data they will be asked about.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from vigil.db.tables import finding_packages, findings, resources

ACCOUNTS = tuple(f"{100000000000 + i:012d}" for i in range(10))
SEVERITIES = (
    ("CRITICAL", 4, 0.05),
    ("HIGH", 3, 0.2),
    ("MEDIUM", 2, 0.45),
    ("LOW", 1, 0.25),
    ("INFORMATIONAL", 0, 0.03),
    ("UNTRIAGED", -1, 0.02),
)
STATUSES = (("ACTIVE", 0.8), ("SUPPRESSED", 0.1), ("CLOSED", 0.1))
BASE = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 20_000


def vulnerability_id(n: int) -> str:
    return f"CVE-{2015 + n % 10}-{10000 + n:05d}"


def package_name(n: int) -> str:
    return f"pkg-{n:04d}"


def resource_rows(n_resources: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_resources):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        roll = rng.random()
        row: dict[str, Any] = dict.fromkeys(c.name for c in resources.columns)
        row |= {
            "id": i + 1,
            "account_id": account,
            "region": "us-east-1",
            "partition": "aws",
            "tags": {"env": rng.choice(("prod", "dev")), "team": f"t{i % 20}"},
            "scan_status_code": "ACTIVE",
            "scan_status_reason": "SUCCESSFUL",
            "last_scanned_at": BASE,
            "created_at": BASE,
            "updated_at": BASE,
        }
        if roll < 0.5:
            row.update(
                resource_id=f"i-{i:017x}",
                resource_type="AWS_EC2_INSTANCE",
                ec2_instance_image_id=f"ami-{i % 50:08x}",
                details={
                    "awsEc2Instance": {"imageId": f"ami-{i % 50:08x}", "platform": "DEBIAN_12"}
                },
            )
        elif roll < 0.8:
            repo = f"repo-{i % 300}"
            digest = f"{i:064x}"
            row.update(
                resource_id=f"arn:aws:ecr:us-east-1:{account}:repository/{repo}/sha256:{digest}",
                resource_type="AWS_ECR_CONTAINER_IMAGE",
                ecr_repository_name=repo,
                ecr_image_tags=["latest"],
                details={
                    "awsEcrContainerImage": {
                        "repositoryName": repo,
                        "imageTags": ["latest"],
                        "registry": account,
                        "imageHash": f"sha256:{digest}",
                        "pushedAt": (BASE.timestamp() + i),
                    }
                },
            )
        else:
            name = f"fn-{i}"
            row.update(
                resource_id=f"arn:aws:lambda:us-east-1:{account}:function:{name}",
                resource_type="AWS_LAMBDA_FUNCTION",
                lambda_function_name=name,
                lambda_function_runtime="PYTHON_3_11",
                lambda_function_layers=[],
                details={"awsLambdaFunction": {"functionName": name, "runtime": "PYTHON_3_11"}},
            )
        rows.append(row)
    return rows


def finding_chunks(
    resources_: list[dict[str, Any]], per_resource: int, seed: int
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    rng = random.Random(seed + 1)
    severities = [s for s, _, _ in SEVERITIES]
    weights = [w for _, _, w in SEVERITIES]
    rank = {s: r for s, r, _ in SEVERITIES}
    statuses = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    rows: list[dict[str, Any]] = []
    packages: list[dict[str, Any]] = []
    next_id = 1
    arn_prefix = "arn:aws:inspector2:us-east-1:"
    for res in resources_:
        resource_doc = {
            "type": res["resource_type"],
            "id": res["resource_id"],
            "partition": "aws",
            "region": "us-east-1",
            "details": res["details"],
        }
        for vuln in rng.sample(range(20_000), per_resource):
            severity = rng.choices(severities, weights)[0]
            status = rng.choices(statuses, status_weights)[0]
            vid = vulnerability_id(vuln)
            names = [package_name(rng.randrange(2000)) for _ in range(rng.randrange(1, 3))]
            score = round(rng.uniform(0, 10), 1)
            first = BASE + timedelta(minutes=rng.randrange(0, 300_000))
            doc = {
                "type": "PACKAGE_VULNERABILITY",
                "title": f"{vid} - {names[0]}",
                "description": "A synthetic vulnerability.",
                "severity": severity,
                "remediation": {"recommendation": {"text": "Upgrade the package."}},
                "resources": [resource_doc],
                "inspectorScore": score,
                "fixAvailable": "YES",
                "exploitAvailable": "NO",
                "packageVulnerabilityDetails": {
                    "vulnerabilityId": vid,
                    "source": "NVD",
                    "vulnerablePackages": [
                        {"name": n, "version": "1.0", "epoch": 0, "packageManager": "OS"}
                        for n in names
                    ],
                },
            }
            rows.append(
                {
                    "id": next_id,
                    "finding_arn": f"{arn_prefix}{res['account_id']}:finding/{next_id:032x}",
                    "account_id": res["account_id"],
                    "resource_pk": res["id"],
                    "resource_id": res["resource_id"],
                    "resource_type": res["resource_type"],
                    "type": "PACKAGE_VULNERABILITY",
                    "vulnerability_id": vid,
                    "title": doc["title"],
                    "status": status,
                    "severity": severity,
                    "severity_rank": rank[severity],
                    "inspector_score": score,
                    "epss_score": round(rng.random(), 4),
                    "exploit_available": "NO",
                    "fix_available": "YES",
                    "vendor_severity": None,
                    "first_observed_at": first,
                    "last_observed_at": first + timedelta(days=1),
                    "updated_at": first + timedelta(days=1),
                    "closed_at": first + timedelta(days=2) if status == "CLOSED" else None,
                    "document": doc,
                    "document_hash": "0" * 64,
                }
            )
            packages += [
                {
                    "finding_id": next_id,
                    "position": p,
                    "name": n,
                    "version": "1.0",
                    "epoch": 0,
                    "package_manager": "OS",
                }
                for p, n in enumerate(names)
            ]
            next_id += 1
            if len(rows) >= CHUNK:
                yield rows, packages
                rows, packages = [], []
    if rows:
        yield rows, packages


def load(engine: Engine, n_resources: int, per_resource: int, seed: int = 1) -> int:
    """Fill an empty, migrated store; returns the number of findings."""
    resource_list = resource_rows(n_resources, seed)
    if engine.dialect.name == "postgresql":
        return _load_postgresql(engine, resource_list, per_resource, seed)
    total = 0
    with engine.begin() as connection:
        connection.execute(insert(resources), resource_list)
        for rows, packages in finding_chunks(resource_list, per_resource, seed):
            connection.execute(insert(findings), rows)
            connection.execute(insert(finding_packages), packages)
            total += len(rows)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    checkpoint(engine)
    return total


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the database: one huge transaction leaves a WAL as large as the
    database, and every read would search it. Outside any transaction, hence the raw connection."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _copy(cursor: Any, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    json_columns = {"document", "tags", "details", "ecr_image_tags", "lambda_function_layers"}
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row.get(c))
                    if c in json_columns and row.get(c) is not None
                    else row.get(c)
                    for c in columns
                ]
            )


def _load_postgresql(
    engine: Engine, resource_list: list[dict[str, Any]], per_resource: int, seed: int
) -> int:
    resource_columns = [
        c.name for c in resources.columns if c.name != "target" and c.name != "removed_at"
    ]
    finding_columns = [c.name for c in findings.columns if c.name != "closed_reason"]
    package_columns = ["finding_id", "position", "name", "version", "epoch", "package_manager"]
    total = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _copy(cursor, "resources", resource_columns, resource_list)
        for rows, packages in finding_chunks(resource_list, per_resource, seed):
            _copy(cursor, "findings", finding_columns, rows)
            _copy(cursor, "finding_packages", package_columns, packages)
            total += len(rows)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return total
