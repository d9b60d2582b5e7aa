"""FilterCriteria: parsed exactly as botocore's model shapes it, evaluated with AWS's semantics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.loaders
import pytest

from vigil.domain.filter_criteria import parse_filter_criteria
from vigil.domain.filter_fields import FIELDS
from vigil.domain.resource import Resource, ResourceType
from vigil.findings.criteria import CriteriaError, Suppressor, matches

MODEL = botocore.loaders.create_loader().load_service_model("inspector2", "service-2")
SHAPES = MODEL["shapes"]

FINDING: dict[str, Any] = {
    "findingArn": "arn:aws:inspector2:us-east-1:111111111111:finding/ab",
    "awsAccountId": "111111111111",
    "type": "PACKAGE_VULNERABILITY",
    "severity": "HIGH",
    "status": "ACTIVE",
    "firstObservedAt": datetime(2025, 1, 1, tzinfo=UTC),
    "inspectorScore": 7.5,
    "resources": [
        {
            "type": "AWS_ECR_CONTAINER_IMAGE",
            "id": "arn:aws:ecr:us-east-1:111111111111:repository/web/sha256:" + "a" * 64,
            "tags": {"env": "prod"},
            "details": {
                "awsEcrContainerImage": {
                    "repositoryName": "web",
                    "imageTags": ["latest", "v1"],
                    "pushedAt": datetime(2025, 1, 2, tzinfo=UTC).timestamp(),
                }
            },
        }
    ],
    "packageVulnerabilityDetails": {
        "vulnerabilityId": "CVE-2024-1",
        "source": "NVD",
        "vulnerablePackages": [
            {"name": "openssl", "version": "3.0.1", "epoch": 0, "arch": "x86_64"},
            {"name": "zlib", "version": "1.2", "epoch": 1},
        ],
    },
}


def s(comparison: str, value: str) -> dict[str, str]:
    return {"comparison": comparison, "value": value}


def ok(wire: dict[str, Any]) -> bool:
    return matches(parse_filter_criteria(wire), FINDING)


def test_keys_and_shapes_are_botocores() -> None:
    members = SHAPES["FilterCriteria"]["members"]
    assert set(FIELDS) == set(members)
    for name, field in FIELDS.items():
        list_shape = SHAPES[members[name]["shape"]]
        assert SHAPES[list_shape["member"]["shape"]] is not None
        assert list_shape["member"]["shape"] == field.kind.value, name


def test_string_comparisons_are_botocores() -> None:
    assert SHAPES["StringComparison"]["enum"] == ["EQUALS", "PREFIX", "NOT_EQUALS"]


def test_values_of_one_key_are_ored_and_keys_anded() -> None:
    assert ok({"severity": [s("EQUALS", "LOW"), s("EQUALS", "HIGH")]})
    assert not ok({"severity": [s("EQUALS", "LOW"), s("EQUALS", "MEDIUM")]})
    assert not ok({"severity": [s("EQUALS", "HIGH")], "findingStatus": [s("EQUALS", "CLOSED")]})


def test_not_equals_all_must_hold() -> None:
    assert ok({"severity": [s("NOT_EQUALS", "LOW"), s("NOT_EQUALS", "MEDIUM")]})
    assert not ok({"severity": [s("NOT_EQUALS", "LOW"), s("NOT_EQUALS", "HIGH")]})
    # Positive and negative together: (any positive) and (every negative).
    assert ok({"severity": [s("PREFIX", "H"), s("NOT_EQUALS", "HIGHER")]})


def test_absent_values_fail_positives_and_pass_not_equals() -> None:
    assert not ok({"vendorSeverity": [s("PREFIX", "h")]})
    assert ok({"vendorSeverity": [s("NOT_EQUALS", "high")]})
    assert not ok({"epssScore": [{}]})


def test_prefix_is_case_sensitive() -> None:
    assert ok({"vulnerabilityId": [s("PREFIX", "CVE-2024")]})
    assert not ok({"vulnerabilityId": [s("PREFIX", "cve-2024")]})


def test_multi_valued_keys_match_any_element() -> None:
    assert ok({"ecrImageTags": [s("EQUALS", "v1")]})
    assert not ok({"ecrImageTags": [s("NOT_EQUALS", "v1")]})
    assert ok({"ecrImageTags": [s("NOT_EQUALS", "v2")]})


def test_ranges_are_inclusive() -> None:
    assert ok({"inspectorScore": [{"lowerInclusive": 7.5, "upperInclusive": 7.5}]})
    assert not ok({"inspectorScore": [{"lowerInclusive": 7.6}]})
    day = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    assert ok({"firstObservedAt": [{"startInclusive": day, "endInclusive": day}]})
    assert not ok({"firstObservedAt": [{"endInclusive": day - 1}]})
    pushed = datetime(2025, 1, 2, tzinfo=UTC).timestamp()
    assert ok({"ecrImagePushedAt": [{"startInclusive": pushed}]})


def test_map_filters_match_key_and_optional_value() -> None:
    tag = {"comparison": "EQUALS", "key": "env"}
    assert ok({"resourceTags": [tag]})
    assert ok({"resourceTags": [{**tag, "value": "prod"}]})
    assert not ok({"resourceTags": [{**tag, "value": "dev"}]})


def test_package_filter_members_hold_for_one_package() -> None:
    assert ok(
        {
            "vulnerablePackages": [
                {"name": s("EQUALS", "openssl"), "architecture": s("EQUALS", "x86_64")}
            ]
        }
    )
    # zlib has epoch 1, openssl has the arch: no single package has both.
    assert not ok(
        {
            "vulnerablePackages": [
                {"name": s("EQUALS", "zlib"), "architecture": s("EQUALS", "x86_64")}
            ]
        }
    )
    assert ok({"vulnerablePackages": [{"epoch": {"lowerInclusive": 1}}]})


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        ({"nope": [s("EQUALS", "x")]}, "filterCriteria.nope"),
        ({"severity": []}, "filterCriteria.severity"),
        ({"severity": [s("EQUALS", "x")] * 11}, "filterCriteria.severity"),
        ({"severity": [s("CONTAINS", "x")]}, "filterCriteria.severity[0].comparison"),
        ({"severity": [s("EQUALS", "")]}, "filterCriteria.severity[0].value"),
        ({"severity": [s("EQUALS", "x" * 1025)]}, "filterCriteria.severity[0].value"),
        (
            {"severity": [{"comparison": "EQUALS", "value": "x", "extra": 1}]},
            "filterCriteria.severity[0]",
        ),
        (
            {"inspectorScore": [{"lowerInclusive": True}]},
            "filterCriteria.inspectorScore[0].lowerInclusive",
        ),
        (
            {"inspectorScore": [{"lowerInclusive": float("nan")}]},
            "filterCriteria.inspectorScore[0].lowerInclusive",
        ),
        (
            {"updatedAt": [{"startInclusive": datetime(2025, 1, 1)}]},
            "filterCriteria.updatedAt[0].startInclusive",
        ),
        ({"updatedAt": [{"startInclusive": 1e300}]}, "filterCriteria.updatedAt[0].startInclusive"),
        ({"portRange": [{"beginInclusive": 65536}]}, "filterCriteria.portRange[0].beginInclusive"),
        (
            {"resourceTags": [{"comparison": "PREFIX", "key": "k"}]},
            "filterCriteria.resourceTags[0].comparison",
        ),
        (
            {"resourceTags": [{"comparison": "EQUALS", "key": "k" * 129}]},
            "filterCriteria.resourceTags[0].key",
        ),
        (
            {"vulnerablePackages": [{"name": s("X", "y")}]},
            "filterCriteria.vulnerablePackages[0].name.comparison",
        ),
        ("severity", "filterCriteria"),
    ],
)
def test_malformed_criteria_name_the_field(wire: Any, field: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_filter_criteria(wire)
    assert caught.value.field == field


def test_wire_round_trip_and_digest() -> None:
    wire = {
        "severity": [s("EQUALS", "HIGH"), s("NOT_EQUALS", "LOW")],
        "updatedAt": [{"startInclusive": 1735689600.0}],
        "resourceTags": [{"comparison": "EQUALS", "key": "env", "value": ""}],
        "vulnerablePackages": [{"name": s("PREFIX", "open"), "epoch": {"upperInclusive": 2}}],
    }
    criteria = parse_filter_criteria(wire)
    assert criteria.to_wire() == wire
    assert parse_filter_criteria(criteria.to_wire()) == criteria
    assert criteria.digest() == parse_filter_criteria(dict(reversed(wire.items()))).digest()
    assert criteria.digest() != parse_filter_criteria({"severity": wire["severity"]}).digest()


def test_suppressor_uses_the_resource_and_sees_new_findings_as_active() -> None:
    resource = Resource(
        account_id="222222222222",
        resource_id="i-0123456789abcdef0",
        resource_type=ResourceType.AWS_EC2_INSTANCE,
        region="us-east-1",
        tags={"env": "dev"},
        details={"awsEc2Instance": {"imageId": "ami-0aaa1111"}},
    )
    document = {
        k: v for k, v in FINDING.items() if k not in {"status", "awsAccountId", "resources"}
    }
    rules = [
        (1, parse_filter_criteria({"ec2InstanceImageId": [s("EQUALS", "ami-0aaa1111")]})),
        (
            2,
            parse_filter_criteria(
                {
                    "awsAccountId": [s("EQUALS", "222222222222")],
                    "findingStatus": [s("EQUALS", "ACTIVE")],
                }
            ),
        ),
        (
            3,
            parse_filter_criteria(
                {"resourceTags": [{"comparison": "EQUALS", "key": "env", "value": "prod"}]}
            ),
        ),
    ]
    assert Suppressor(rules)(document, resource) == frozenset({1, 2})
    assert Suppressor([])(document, resource) == frozenset()
