"""Resources as Vigil describes them: hosts, container images and function packages, named as
Inspector names them, with tags and details shaped like Inspector's ``ResourceDetails``.

- a host is an ``AWS_EC2_INSTANCE`` whose id is the instance id (or any stable name);
- an image is an ``AWS_ECR_CONTAINER_IMAGE`` whose id is
  ``arn:{partition}:ecr:{region}:{registry}:repository/{repository}/{imageHash}``;
- a function is an ``AWS_LAMBDA_FUNCTION`` whose id is the function ARN with its version,
  ``arn:{partition}:lambda:{region}:{account}:function:{name}:{version}``.

Timestamps inside details are epoch seconds, as Inspector's JSON carries them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from vigil.domain import Resource, ResourceType

KINDS: Mapping[str, ResourceType] = {
    "host": ResourceType.AWS_EC2_INSTANCE,
    "image": ResourceType.AWS_ECR_CONTAINER_IMAGE,
    "function": ResourceType.AWS_LAMBDA_FUNCTION,
}
MAX_TAGS = 50  # Inspector's TagMap allows fifty tags per resource
_IMAGE_HASH = re.compile(r"sha256:[a-z0-9]{64}")
_VERSION = re.compile(r"\$LATEST|[0-9]+")
_REGION = re.compile(r"[a-z0-9-]{1,32}")
_ARCHITECTURES = frozenset({"X86_64", "ARM64"})
_PACKAGE_TYPES = frozenset({"IMAGE", "ZIP"})


class InvalidResource(ValueError):
    """A resource description Vigil refuses (bad id, tag or detail)."""


def kind_of(name: str) -> ResourceType:
    """``host``, ``image`` or ``function`` (or an Inspector resource type) as a ResourceType."""
    found = KINDS.get(name)
    if found is None:
        try:
            found = ResourceType(name)
        except ValueError:
            raise InvalidResource(f"unknown resource kind {name!r}") from None
        if found not in KINDS.values():
            raise InvalidResource(f"{name} resources carry no package findings")
    return found


def check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags as Inspector bounds them: keys of 1..128 characters, values of at most 256."""
    checked: dict[str, str] = {}
    for key, value in (tags or {}).items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not key.isprintable():
            raise InvalidResource(f"a tag key has 1..128 printable characters: {key!r}")
        if not isinstance(value, str) or len(value) > 256 or not value.isprintable():
            raise InvalidResource(f"tag {key!r}: a value has at most 256 printable characters")
        checked[key] = value
    if len(checked) > MAX_TAGS:
        raise InvalidResource(f"at most {MAX_TAGS} tags per resource")
    return checked


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise InvalidResource("timestamps in resource details must be timezone-aware")
    return moment.timestamp()


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Inspector leaves absent members out; so do we (never null, never an empty list)."""
    return {k: v for k, v in values.items() if v is not None and v != [] and v != ()}


def _region(region: str) -> str:
    if not _REGION.fullmatch(region):
        raise InvalidResource(f"not a region name: {region!r}")
    return region


def host(
    account_id: str,
    instance_id: str,
    *,
    region: str,
    tags: Mapping[str, str] | None = None,
    instance_type: str | None = None,
    image_id: str | None = None,
    platform: str | None = None,
    ipv4_addresses: Sequence[str] = (),
    vpc_id: str | None = None,
    subnet_id: str | None = None,
    launched_at: datetime | None = None,
    target: str | None = None,
) -> Resource:
    """A host: ``awsEc2Instance`` details."""
    details = _compact(
        {
            "type": instance_type,
            "imageId": image_id,
            "ipV4Addresses": list(ipv4_addresses),
            "vpcId": vpc_id,
            "subnetId": subnet_id,
            "launchedAt": _epoch(launched_at),
            "platform": platform,
        }
    )
    return _resource(
        account_id,
        instance_id,
        ResourceType.AWS_EC2_INSTANCE,
        region,
        tags,
        {"awsEc2Instance": details},
        target,
    )


def image(
    account_id: str,
    *,
    region: str,
    repository: str,
    image_hash: str,
    registry: str | None = None,
    image_tags: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
    pushed_at: datetime | None = None,
    architecture: str | None = None,
    platform: str | None = None,
    author: str | None = None,
    partition: str = "aws",
    target: str | None = None,
) -> Resource:
    """A container image: ``awsEcrContainerImage`` details; ``registry`` defaults to the
    account (ECR's registry id is the owning account)."""
    if not _IMAGE_HASH.fullmatch(image_hash):
        raise InvalidResource(f"an image hash is sha256: and 64 hex digits: {image_hash!r}")
    if not repository or len(repository) > 256:
        raise InvalidResource("a repository name has 1..256 characters")
    registry = registry or account_id
    details = _compact(
        {
            "repositoryName": repository,
            "imageTags": list(image_tags),
            "pushedAt": _epoch(pushed_at),
            "author": author,
            "architecture": architecture,
            "imageHash": image_hash,
            "registry": registry,
            "platform": platform,
        }
    )
    resource_id = (
        f"arn:{partition}:ecr:{_region(region)}:{registry}:repository/{repository}/{image_hash}"
    )
    return _resource(
        account_id,
        resource_id,
        ResourceType.AWS_ECR_CONTAINER_IMAGE,
        region,
        tags,
        {"awsEcrContainerImage": details},
        target,
        partition,
    )


def function(
    account_id: str,
    *,
    region: str,
    name: str,
    runtime: str,
    code_sha256: str,
    execution_role_arn: str,
    version: str = "$LATEST",
    layers: Sequence[str] = (),
    package_type: str = "ZIP",
    architecture: str = "X86_64",
    last_modified_at: datetime | None = None,
    tags: Mapping[str, str] | None = None,
    partition: str = "aws",
    target: str | None = None,
) -> Resource:
    """A function package: ``awsLambdaFunction`` details (at most five layers, as Lambda)."""
    if not name or len(name) > 140:
        raise InvalidResource("a function name has 1..140 characters")
    if not _VERSION.fullmatch(version):
        raise InvalidResource(f"a function version is $LATEST or a number: {version!r}")
    if len(layers) > 5:
        raise InvalidResource("a function has at most five layers")
    if package_type not in _PACKAGE_TYPES or architecture not in _ARCHITECTURES:
        raise InvalidResource("package type is IMAGE or ZIP; architecture X86_64 or ARM64")
    details = _compact(
        {
            "functionName": name,
            "runtime": runtime,
            "codeSha256": code_sha256,
            "version": version,
            "executionRoleArn": execution_role_arn,
            "layers": list(layers),
            "packageType": package_type,
            "architectures": [architecture],
            "lastModifiedAt": _epoch(last_modified_at),
        }
    )
    resource_id = f"arn:{partition}:lambda:{_region(region)}:{account_id}:function:{name}:{version}"
    return _resource(
        account_id,
        resource_id,
        ResourceType.AWS_LAMBDA_FUNCTION,
        region,
        tags,
        {"awsLambdaFunction": details},
        target,
        partition,
    )


def _resource(
    account_id: str,
    resource_id: str,
    resource_type: ResourceType,
    region: str,
    tags: Mapping[str, str] | None,
    details: Mapping[str, Any],
    target: str | None,
    partition: str = "aws",
) -> Resource:
    if not resource_id or len(resource_id) > 1024 or not resource_id.isprintable():
        raise InvalidResource("a resource id has 1..1024 printable characters")
    if target is not None and len(target) > 2048:
        raise InvalidResource("a target spec has at most 2048 characters")
    try:
        return Resource(
            account_id=account_id,
            resource_id=resource_id,
            resource_type=resource_type,
            region=_region(region),
            partition=partition,
            tags=check_tags(tags),
            details=details,
            target=target,
        )
    except ValueError as exc:
        raise InvalidResource(str(exc)) from None


def with_tags(resource: Resource, tags: Mapping[str, str]) -> Resource:
    """The same resource with its tags replaced."""
    return _resource(
        resource.account_id,
        resource.resource_id,
        resource.resource_type,
        resource.region,
        tags,
        resource.details,
        resource.target,
        resource.partition,
    )


def resource_ids(resources: Iterable[Resource]) -> list[str]:
    return [r.resource_id for r in resources]
