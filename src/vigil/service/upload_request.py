"""What an inventory or SBOM upload says about its resource, read from the body or the query.

Two forms reach ``POST /_vigil/v1/inventories``:

- an envelope, a JSON object ``{"accountId"?, "resource": {...}, "document": {...},
  "scannedAt"?}`` where ``document`` is a vigil-json inventory, a CycloneDX or an SPDX JSON SBOM;
- the document itself as the body, with the resource named in the query: ``resourceType``,
  ``resourceId``, ``accountId``, ``region``, ``scannedAt``, ``tag=key=value`` (repeatable) and
  the kind's own members below (``imageTags`` and ``layers`` repeatable).

``resource`` members: ``type`` (``host``, ``image``, ``function`` or Inspector's resource type),
``id`` (a host's instance id or any stable name; images and functions derive theirs, as
Inspector does), ``region`` (default: the request's signing region), ``tags`` (absent: keep the
tags a registered resource has). Images: ``repository``, ``imageHash``, ``imageTags``,
``registry``. Functions: ``functionName``, ``runtime``, ``codeSha256``, ``executionRoleArn``,
``version``, ``layers``. Unknown members are refused, as the Inspector API refuses them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vigil.domain import Inventory, Resource, ResourceType
from vigil.sbom import InvalidSbom, decode_sbom
from vigil.service import resource_shapes as shapes

_ENVELOPE = frozenset({"accountId", "resource", "document", "scannedAt"})
_COMMON = frozenset({"type", "id", "region", "tags"})
_KIND_MEMBERS: Mapping[ResourceType, frozenset[str]] = {
    ResourceType.AWS_EC2_INSTANCE: frozenset(),
    ResourceType.AWS_ECR_CONTAINER_IMAGE: frozenset(
        {"repository", "imageHash", "imageTags", "registry"}
    ),
    ResourceType.AWS_LAMBDA_FUNCTION: frozenset(
        {"functionName", "runtime", "codeSha256", "executionRoleArn", "version", "layers"}
    ),
}
_REPEATED = frozenset({"imageTags", "layers"})
_QUERY_NAMES = {"resourceType": "type", "resourceId": "id"}


class InvalidUpload(ValueError):
    """The upload cannot be used as sent; the message says which member and why."""


@dataclass(frozen=True, slots=True)
class Upload:
    account_id: str | None  # None: the caller's own account
    resource: Mapping[str, Any]  # the resource members, still to be checked against a kind
    inventory: Inventory
    scanned_at: datetime | None


def parse_upload(query: Sequence[tuple[str, str]], body: bytes) -> Upload:
    """The upload in either form: the query naming ``resourceId`` means the body is the document."""
    if any(name in {"resourceId", "resourceType"} for name, _ in query):
        return _from_query(query, body)
    if query:
        raise InvalidUpload("name the resource in the query (resourceId…) or in the body, not both")
    return _from_envelope(body)


def _from_envelope(body: bytes) -> Upload:
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidUpload("the body is not a JSON object") from None
    if not isinstance(envelope, dict):
        raise InvalidUpload("the body is not a JSON object")
    _refuse_unknown(envelope, _ENVELOPE, "")
    resource = envelope.get("resource")
    if not isinstance(resource, dict):
        raise InvalidUpload("resource: an object naming the resource is required")
    document = envelope.get("document")
    if not isinstance(document, dict):
        raise InvalidUpload("document: a vigil-json, CycloneDX or SPDX JSON object is required")
    return Upload(
        _optional_string(envelope, "accountId"),
        resource,
        _inventory(json.dumps(document).encode()),
        _time(envelope.get("scannedAt")),
    )


def _from_query(query: Sequence[tuple[str, str]], body: bytes) -> Upload:
    resource: dict[str, Any] = {}
    tags: dict[str, str] | None = None
    account: str | None = None
    scanned: str | None = None
    for name, value in query:
        if name == "tag":
            key, sep, tag_value = value.partition("=")
            if not sep:
                raise InvalidUpload(f"tag: {value!r} is not key=value")
            tags = {**(tags or {}), key: tag_value}
        elif name == "accountId":
            account = value
        elif name == "scannedAt":
            scanned = value
        elif name in _REPEATED:
            resource.setdefault(name, []).append(value)
        else:
            member = _QUERY_NAMES.get(name, name)
            if member in resource:
                raise InvalidUpload(f"{name} is given twice")
            resource[member] = value
    if tags is not None:
        resource["tags"] = tags
    return Upload(account, resource, _inventory(body), _time(scanned))


def build_resource(
    account_id: str, members: Mapping[str, Any], region: str, tags: Mapping[str, str]
) -> Resource:
    """The resource the members describe, in ``account_id``; ``tags`` unless members carry some."""
    kind_name = members.get("type")
    if not isinstance(kind_name, str):
        raise InvalidUpload("resource.type: host, image or function is required")
    try:
        kind = shapes.kind_of(kind_name)
    except shapes.InvalidResource as exc:
        raise InvalidUpload(f"resource.type: {exc}") from None
    _refuse_unknown(members, _COMMON | _KIND_MEMBERS[kind], "resource.")
    region = _optional_string(members, "region", "resource.") or region
    given = members.get("tags")
    if given is not None and not isinstance(given, dict):
        raise InvalidUpload("resource.tags: an object of strings")
    chosen_tags = given if given is not None else tags
    try:
        if kind is ResourceType.AWS_EC2_INSTANCE:
            return shapes.host(account_id, _string(members, "id"), region=region, tags=chosen_tags)
        if kind is ResourceType.AWS_ECR_CONTAINER_IMAGE:
            return shapes.image(
                account_id,
                region=region,
                repository=_string(members, "repository"),
                image_hash=_string(members, "imageHash"),
                registry=_optional_string(members, "registry", "resource."),
                image_tags=_strings(members, "imageTags"),
                tags=chosen_tags,
            )
        return shapes.function(
            account_id,
            region=region,
            name=_string(members, "functionName"),
            runtime=_string(members, "runtime"),
            code_sha256=_optional_string(members, "codeSha256", "resource.") or "",
            execution_role_arn=_optional_string(members, "executionRoleArn", "resource.") or "",
            version=_optional_string(members, "version", "resource.") or "$LATEST",
            layers=_strings(members, "layers"),
            tags=chosen_tags,
        )
    except shapes.InvalidResource as exc:
        raise InvalidUpload(f"resource: {exc}") from None


def _inventory(data: bytes) -> Inventory:
    try:
        return decode_sbom(data, default_target="upload")
    except InvalidSbom as exc:
        raise InvalidUpload(f"document: {exc}") from None
    except RecursionError:
        raise InvalidUpload("document: nested too deeply") from None


def _refuse_unknown(members: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
    unknown = sorted(set(members) - known)
    if unknown:
        raise InvalidUpload(f"{prefix}{unknown[0]}: not a member Vigil knows here")


def _string(members: Mapping[str, Any], name: str) -> str:
    value = members.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidUpload(f"resource.{name}: a non-empty string is required")
    return value


def _optional_string(members: Mapping[str, Any], name: str, prefix: str = "") -> str | None:
    value = members.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidUpload(f"{prefix}{name}: a string")
    return value


def _strings(members: Mapping[str, Any], name: str) -> list[str]:
    value = members.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidUpload(f"resource.{name}: a list of strings")
    return list(value)


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidUpload("scannedAt: an ISO 8601 time with a zone")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidUpload(f"scannedAt: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidUpload("scannedAt: the time needs a zone (Z or +00:00)")
    return moment
