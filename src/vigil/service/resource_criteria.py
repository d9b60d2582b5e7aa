"""Inspector's ``ResourceFilterCriteria`` (CreateSbomExport) over stored resources.

Within one key, EQUALS filters are alternatives (any may match) and NOT_EQUALS filters all
apply; different keys must all hold. Map filters (``ec2InstanceTags``, ``lambdaFunctionTags``)
match a resource carrying the tag key with that value (any value when none is given), and only
resources of their own type. The ``cloud*`` keys select resources of other clouds, which Vigil
does not hold; they are refused rather than silently matching nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigil.service.request_errors import InvalidParameter

Resource = Mapping[str, Any]  # a resources row as a mapping of column name → value

_STRING_KEYS: Mapping[str, Callable[[Resource], Iterable[str]]] = {
    "accountId": lambda r: [r["account_id"]],
    "resourceId": lambda r: [r["resource_id"]],
    "resourceType": lambda r: [r["resource_type"]],
    "ecrRepositoryName": lambda r: [r["ecr_repository_name"]] if r["ecr_repository_name"] else [],
    "lambdaFunctionName": lambda r: (
        [r["lambda_function_name"]] if r["lambda_function_name"] else []
    ),
    "ecrImageTags": lambda r: [str(t) for t in r["ecr_image_tags"] or []],
}
_MAP_KEYS = {
    "ec2InstanceTags": "AWS_EC2_INSTANCE",
    "lambdaFunctionTags": "AWS_LAMBDA_FUNCTION",
}


@dataclass(frozen=True)
class ResourceCriteria:
    strings: Mapping[str, Sequence[tuple[str, str]]]  # key → (comparison, value)
    maps: Mapping[str, Sequence[tuple[str, str | None]]]  # key → (tag key, tag value)

    def matches(self, resource: Resource) -> bool:
        for key, filters in self.strings.items():
            values = set(_STRING_KEYS[key](resource))
            wanted = [v for c, v in filters if c == "EQUALS"]
            if wanted and not values.intersection(wanted):
                return False
            if any(v in values for c, v in filters if c == "NOT_EQUALS"):
                return False
        for key, tag_filters in self.maps.items():
            if resource["resource_type"] != _MAP_KEYS[key]:
                return False
            tags = resource["tags"] or {}
            if not any(
                tag in tags and (value is None or tags[tag] == value) for tag, value in tag_filters
            ):
                return False
        return True


def parse_resource_criteria(wire: Mapping[str, Any] | None) -> ResourceCriteria:
    strings: dict[str, list[tuple[str, str]]] = {}
    maps: dict[str, list[tuple[str, str | None]]] = {}
    for key, filters in (wire or {}).items():
        field = f"resourceFilterCriteria.{key}"
        if key in _STRING_KEYS:
            strings[key] = [(f["comparison"], f["value"]) for f in filters]
        elif key in _MAP_KEYS:
            maps[key] = [(f["key"], f.get("value")) for f in filters]
        else:
            raise InvalidParameter(field, "Vigil holds no resources of other clouds")
    return ResourceCriteria(strings, maps)
