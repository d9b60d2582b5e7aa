"""The format registry and the JSON report."""

from __future__ import annotations

import json

import pytest

from tests.reports.findings import findings
from vigil.reports.context import ReportContext
from vigil.reports.registry import DEFAULT_FORMAT, FORMAT_NAMES, RENDERERS, render


def test_every_format_is_listed_explicitly() -> None:
    assert FORMAT_NAMES == ("table", "json", "sarif", "cyclonedx-vex")
    assert DEFAULT_FORMAT == "table"


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_renders_bytes_ending_in_a_newline(name: str, context: ReportContext) -> None:
    data = render(name, findings(), context)
    assert data.endswith(b"\n")
    assert data == RENDERERS[name](findings(), context)


def test_unknown_format(context: ReportContext) -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", findings(), context)


def test_json_is_the_findings_as_given(context: ReportContext) -> None:
    data = render("json", findings(), context)
    assert json.loads(data) == findings()
    assert "—" not in data.decode()  # nothing added for people


def test_json_is_strict_utf8(context: ReportContext) -> None:
    odd = findings()[:1]
    odd[0]["description"] = "ünïcode"
    assert "ünïcode".encode() in render("json", odd, context)
    odd[0]["epss"] = {"score": float("nan")}
    with pytest.raises(ValueError, match="JSON compliant"):
        render("json", odd, context)
