"""The resource a package finding is about, as Inspector's ``Resource`` member describes it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Inspector's ``ResourceType`` values for resources that carry package findings.
AWS_EC2_INSTANCE = "AWS_EC2_INSTANCE"
AWS_ECR_CONTAINER_IMAGE = "AWS_ECR_CONTAINER_IMAGE"
AWS_LAMBDA_FUNCTION = "AWS_LAMBDA_FUNCTION"
RESOURCE_TYPES = frozenset({AWS_EC2_INSTANCE, AWS_ECR_CONTAINER_IMAGE, AWS_LAMBDA_FUNCTION})

# A one-shot ``vigil scan`` belongs to no account or region; these placeholders keep the
# finding's shape valid (Inspector's AccountId is twelve digits) without pretending otherwise.
LOCAL_ACCOUNT = "000000000000"
LOCAL_REGION = "local"

_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """One scanned resource. ``details`` already has the shape of Inspector's
    ``ResourceDetails`` (``{"awsEcrContainerImage": {...}}``); datetimes inside it are rendered
    like every other timestamp of the finding."""

    resource_type: str
    resource_id: str
    account_id: str = LOCAL_ACCOUNT
    region: str = LOCAL_REGION
    partition: str = "aws"
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.resource_type not in RESOURCE_TYPES:
            raise ValueError(f"not a resource type of package findings: {self.resource_type!r}")
        if not _ACCOUNT.fullmatch(self.account_id):
            raise ValueError(f"an account id has 12 digits: {self.account_id!r}")
        if not self.resource_id:
            raise ValueError("a resource needs an id")
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


def local_resource(target: str, kind: str) -> ResourceRef:
    """The resource of a local scan: the target spec is its id; ``kind`` is ``image``,
    ``function`` or anything else for a host or file system."""
    resource_type = {"image": AWS_ECR_CONTAINER_IMAGE, "function": AWS_LAMBDA_FUNCTION}.get(
        kind, AWS_EC2_INSTANCE
    )
    return ResourceRef(resource_type, target)
