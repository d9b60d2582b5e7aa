"""Input validation and output serialisation against botocore's shapes, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.model import ServiceModel

from vigil.api.errors import ApiError
from vigil.api.inputs import parse_input, parse_timestamp
from vigil.api.models import service_model
from vigil.api.outputs import OutputShapeError, serialize_output
from vigil.api.validation import validate

INSPECTOR = service_model("inspector2")


def fields_of(operation: str, params: dict[str, Any]) -> dict[str, str]:
    shape = INSPECTOR.operation_model(operation).input_shape
    with pytest.raises(ApiError) as raised:
        validate(params, shape)
    assert raised.value.code == "ValidationException"
    assert raised.value.members["reason"] == "FIELD_VALIDATION_FAILED"
    return {f["name"]: f["message"] for f in raised.value.members["fields"]}


def test_valid_input_passes() -> None:
    validate(
        {"service": "EC2", "maxResults": 10},
        INSPECTOR.operation_model("ListAccountPermissions").input_shape,
    )


def test_nested_enums_and_maximums_are_checked() -> None:
    fields = fields_of(
        "ListFindings",
        {
            "maxResults": 101,
            "filterCriteria": {"severity": [{"comparison": "LIKE", "value": "HIGH"}]},
            "sortCriteria": {"field": "SEVERITY", "sortOrder": "UP"},
        },
    )

    assert set(fields) == {
        "maxResults",
        "filterCriteria.severity[0].comparison",
        "sortCriteria.sortOrder",
    }
    assert fields["maxResults"] == "Member must have value less than or equal to 100"


def test_required_members_name_their_path() -> None:
    fields = fields_of("CreateFilter", {"action": "NONE", "filterCriteria": {}})

    assert set(fields) == {"name"}
    assert fields["name"] == 'Missing required parameter in input: "name"'


def test_map_sizes_and_key_lengths() -> None:
    # botocore checks neither a map's size nor the length of its keys.
    def scan(tags: dict[str, list[str]]) -> dict[str, str]:
        return fields_of(
            "CreateCisScanConfiguration",
            {
                "scanName": "weekly",
                "securityLevel": "LEVEL_1",
                "schedule": {"oneTime": {}},
                "targets": {"accountIds": ["123456789012"], "targetResourceTags": tags},
            },
        )

    assert scan({}) == {
        "targets.targetResourceTags": "Member must have length greater than or equal to 1"
    }
    six = {f"k{i}": ["v"] for i in range(6)}
    assert scan(six) == {
        "targets.targetResourceTags": "Member must have length less than or equal to 5"
    }
    fields = fields_of("TagResource", {"resourceArn": "arn", "tags": {"k" * 129: "v"}})
    assert fields == {
        f"tags (key: {'k' * 129})": "Member must have length less than or equal to 128"
    }


def test_booleans_are_not_numbers() -> None:
    fields = fields_of("ListAccountPermissions", {"maxResults": True})

    assert list(fields) == ["maxResults"]


def test_query_and_label_members_are_converted() -> None:
    operation = INSPECTOR.operation_model("UntagResource")
    params = parse_input(
        operation, {"resourceArn": "arn:a"}, [("tagKeys", "a"), ("tagKeys", "b")], {}, b""
    )

    assert params == {"resourceArn": "arn:a", "tagKeys": ["a", "b"]}


def test_a_located_member_in_the_body_is_refused() -> None:
    operation = INSPECTOR.operation_model("TagResource")
    with pytest.raises(ApiError) as raised:
        parse_input(operation, {"resourceArn": "arn:a"}, [], {}, b'{"resourceArn":"x","tags":{}}')

    assert raised.value.members["fields"][0]["name"] == "resourceArn"


def test_bad_timestamps_are_fields() -> None:
    operation = INSPECTOR.operation_model("ListFindings")
    body = b'{"filterCriteria":{"firstObservedAt":[{"startInclusive":"yesterday"}]}}'
    with pytest.raises(ApiError) as raised:
        parse_input(operation, {}, [], {}, body)

    assert raised.value.members["fields"] == [
        {
            "name": "filterCriteria.firstObservedAt[0].startInclusive",
            "message": "Member must be a timestamp",
        }
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (1.5, datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T05:04:05+02:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_timestamps_parse(value: Any, expected: datetime) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value", [True, "soon", float("inf"), None, [1]])
def test_non_timestamps_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match=r"timestamp|Invalid isoformat"):
        parse_timestamp(value)


def output(operation: str, result: dict[str, Any] | None) -> dict[str, Any]:
    status, headers, body = serialize_output(INSPECTOR.operation_model(operation), result)
    assert (status, headers) == (200, {})
    return body


def test_outputs_drop_none_and_write_epoch_seconds() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    body = output(
        "GetMember",
        {
            "member": {
                "accountId": "123456789012",
                "updatedAt": when,
                "delegatedAdminAccountId": None,
            }
        },
    )

    assert body == {"member": {"accountId": "123456789012", "updatedAt": 1767315845}}


def test_iso8601_timestamps_where_the_shape_says_so() -> None:
    shape = INSPECTOR.operation_model("GetOnDemandScanStatus").output_shape
    assert shape.members["startedAt"].serialization["timestampFormat"] == "iso8601"


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"permissions": [], "extra": 1}, "has no member extra"),
        ({"nextToken": "x"}, "requires permissions"),
        ({"permissions": [{"service": "EC2"}]}, "requires operation"),
        ({"permissions": [{"service": 1, "operation": "X"}]}, "expected string"),
        ({"permissions": "all"}, "is a list"),
    ],
)
def test_output_bugs_fail_loudly(result: dict[str, Any], message: str) -> None:
    with pytest.raises(OutputShapeError, match=message):
        output("ListAccountPermissions", result)


def test_an_empty_output_is_an_empty_object() -> None:
    assert output("UntagResource", None) == {}
    assert output("UntagResource", {}) == {}


def test_query_scalars_are_typed() -> None:
    operation = INSPECTOR.operation_model("ListCodeSecurityIntegrations")

    assert parse_input(operation, {}, [("maxResults", "5"), ("nextToken", "t")], {}, b"") == {
        "maxResults": 5,
        "nextToken": "t",
    }
    with pytest.raises(ApiError) as raised:
        parse_input(operation, {}, [("maxResults", "five")], {}, b"")
    assert raised.value.members["fields"] == [
        {"name": "maxResults", "message": "Member must be of type integer"}
    ]


def test_header_members_are_read_and_typed() -> None:
    # Neither Inspector model binds an input to a header yet; botocore's format does.
    model = ServiceModel(
        {
            "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01"},
            "operations": {
                "Probe": {
                    "name": "Probe",
                    "http": {"method": "GET", "requestUri": "/probe"},
                    "input": {"shape": "ProbeInput"},
                }
            },
            "shapes": {
                "ProbeInput": {
                    "type": "structure",
                    "members": {
                        "since": {"shape": "When", "location": "header", "locationName": "X-Since"},
                        "dry": {"shape": "Flag", "location": "header", "locationName": "X-Dry"},
                        "meta": {"shape": "Meta", "location": "headers", "locationName": "x-meta-"},
                    },
                },
                "When": {"type": "timestamp"},
                "Flag": {"type": "boolean"},
                "Meta": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
                "S": {"type": "string"},
            },
        }
    )
    headers = {
        "x-since": "2026-01-02T03:04:05Z",
        "x-dry": "true",
        "x-meta-team": "blue",
        "host": "h",
    }

    params = parse_input(model.operation_model("Probe"), {}, [], headers, b"")

    assert params == {
        "since": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "dry": True,
        "meta": {"team": "blue"},
    }
