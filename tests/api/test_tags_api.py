"""TagResource, UntagResource and ListTagsForResource on filters, through unmodified boto3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.org_support import A, B, D, Org, live_org

CRITERIA = {"severity": [{"comparison": "EQUALS", "value": "CRITICAL"}]}


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with live_org(tmp_path) as built:
        yield built


def _filter(client: Any, name: str, tags: dict[str, str] | None = None) -> str:
    extra = {"tags": tags} if tags else {}
    arn: str = client.create_filter(name=name, action="NONE", filterCriteria=CRITERIA, **extra)[
        "arn"
    ]
    return arn


def test_tags_of_a_filter_are_added_listed_and_removed(org: Org) -> None:
    b = org.client(B)
    arn = _filter(b, "critical-only", {"team": "web"})
    assert b.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "web"}
    b.tag_resource(resourceArn=arn, tags={"env": "prod", "team": "payments"})
    assert b.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "payments", "env": "prod"}
    # ListFilters shows the same tags: there is one copy.
    assert b.list_filters(arns=[arn])["filters"][0]["tags"] == {"team": "payments", "env": "prod"}
    b.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert b.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}


def test_limits_and_reserved_keys(org: Org) -> None:
    b = org.client(B)
    arn = _filter(b, "limits")
    with pytest.raises(b.exceptions.BadRequestException):
        b.tag_resource(resourceArn=arn, tags={"aws:owner": "x"})
    org.again(B).tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(b.exceptions.BadRequestException):
        b.tag_resource(resourceArn=arn, tags={"one-more": "v"})
    assert len(b.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with pytest.raises(b.exceptions.ValidationException):
        b.untag_resource(resourceArn=arn, tagKeys=["aws:owner"])


def test_foreign_and_unknown_arns_are_not_found(org: Org) -> None:
    a, b, d = org.client(A), org.client(B), org.client(D)
    arn = _filter(a, "members-own", {"owner": "tag-value-of-a"})
    fake = arn.rsplit("/", 1)[0] + "/0000000000000000"
    finding = f"arn:aws:inspector2:us-east-1:{A}:finding/{'0' * 32}"
    for client in (b, d):  # not even the delegated administrator tags a member's filter
        for target in (arn, fake, finding, "not-an-arn"):
            with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
                client.list_tags_for_resource(resourceArn=target)
            assert "tag-value-of-a" not in str(missing.value.response)
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.tag_resource(resourceArn=target, tags={"stolen": "yes"})
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.untag_resource(resourceArn=target, tagKeys=["owner"])
    assert a.list_tags_for_resource(resourceArn=arn)["tags"] == {"owner": "tag-value-of-a"}
