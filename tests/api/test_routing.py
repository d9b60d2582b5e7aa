"""Every operation of both models is reachable at its own requestUri, and only there."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from vigil.api.models import service_models
from vigil.api.routing import BadLabel, NoRoute, Router

ROUTER = Router(service_models())
OPERATIONS = [(m.service_name, name) for m in service_models() for name in m.operation_names]


def concrete_path(request_uri: str, value: str) -> str:
    path = request_uri.partition("?")[0]
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            path = path.replace(segment, quote(value, safe=""))
    return path


def test_both_models_are_served() -> None:
    assert len([o for o in OPERATIONS if o[0] == "inspector2"]) >= 59
    assert ("inspector-scan", "ScanSbom") in OPERATIONS


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_each_operation_routes_from_its_own_uri(service: str, operation: str) -> None:
    route = ROUTER.route(operation)
    path = concrete_path(route.operation.http["requestUri"], "arn:aws:x/y z")

    found = ROUTER.find(route.method, path)

    assert (found.route.service.service_name, found.route.name) == (service, operation)
    assert all(value == "arn:aws:x/y z" for value in found.labels.values())


def test_scan_sbom_is_signed_as_inspector_scan() -> None:
    found = ROUTER.find("POST", "/scan/sbom")

    assert (found.route.name, found.route.signing_name) == ("ScanSbom", "inspector-scan")
    assert ROUTER.find("POST", "/findings/list").route.signing_name == "inspector2"


def test_an_encoded_slash_stays_in_its_label() -> None:
    found = ROUTER.find("GET", "/tags/a%2Fb")

    assert found.labels == {"resourceArn": "a/b"}
    with pytest.raises(NoRoute):
        ROUTER.find("GET", "/tags/a/b")


def test_a_label_may_not_be_empty_or_bad_utf8() -> None:
    with pytest.raises(NoRoute):
        ROUTER.find("GET", "/tags/")
    with pytest.raises(BadLabel):
        ROUTER.find("GET", "/tags/%ff")


def test_wrong_method_names_the_right_ones() -> None:
    with pytest.raises(NoRoute) as missing:
        ROUTER.find("PUT", "/tags/x")

    assert missing.value.allowed == ("DELETE", "GET", "POST")
