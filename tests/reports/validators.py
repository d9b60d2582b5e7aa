"""The official SARIF 2.1.0 schema and CycloneDX's own validator, for report output."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

SARIF_SCHEMA = Path(__file__).parent.parent / "data" / "schemas" / "sarif-schema-2.1.0.json"


@cache
def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def sarif_errors(data: bytes) -> list[str]:
    document: Any = json.loads(data)
    return [
        f"{list(e.absolute_path)}: {e.message}" for e in _sarif_validator().iter_errors(document)
    ]


def vex_errors(data: bytes) -> list[str]:
    found = JsonStrictValidator(SchemaVersion.V1_6).validate_str(data.decode(), all_errors=True)
    return [str(error) for error in (found or ())]
