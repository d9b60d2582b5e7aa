"""A resource that Vigil scans and keeps findings for, named the way Inspector names it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

_ACCOUNT_ID = re.compile(r"\d{12}")


class ResourceType(Enum):
    """Inspector's ``ResourceType`` values for the resources that carry package findings."""

    AWS_EC2_INSTANCE = "AWS_EC2_INSTANCE"
    AWS_ECR_CONTAINER_IMAGE = "AWS_ECR_CONTAINER_IMAGE"
    AWS_ECR_REPOSITORY = "AWS_ECR_REPOSITORY"
    AWS_LAMBDA_FUNCTION = "AWS_LAMBDA_FUNCTION"


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Resource:
    """One scanned thing: a host, a container image or a function package.

    ``resource_id`` is Inspector's resource id (instance id, image ARN, function ARN) or, for a
    Vigil target, a stable id chosen by whoever registered it; it is unique within an account.
    ``details`` has the shape of Inspector's ``ResourceDetails`` (``awsEc2Instance``,
    ``awsEcrContainerImage`` or ``awsLambdaFunction``). ``target`` is the target spec last used to
    scan it, when Vigil scans it itself.
    """

    account_id: str
    resource_id: str
    resource_type: ResourceType
    region: str
    partition: str = "aws"
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    target: str | None = None

    def __post_init__(self) -> None:
        if not _ACCOUNT_ID.fullmatch(self.account_id):
            raise ValueError(f"an account id has 12 digits: {self.account_id!r}")
        if not self.resource_id:
            raise ValueError("a resource needs an id")
        # Read-only views: a frozen value must not change through a shared dict.
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "details", _frozen(self.details))
