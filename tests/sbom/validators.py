"""The official schemas and validators that encoder output is checked against."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.error import SPDXParsingError
from spdx_tools.spdx.parser.json.json_parser import JsonLikeDictParser
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

FIXTURES = Path(__file__).parent / "fixtures"
_CYCLONEDX = {"1.4": SchemaVersion.V1_4, "1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}


def cyclonedx_errors(data: bytes, spec: str) -> list[str]:
    """Every violation of the CycloneDX ``spec`` JSON schema (strict variant) in ``data``."""
    found = JsonStrictValidator(_CYCLONEDX[spec]).validate_str(data.decode(), all_errors=True)
    return [str(error) for error in (found or ())]


@cache
def _spdx_schema() -> jsonschema.Draft7Validator:
    schema = json.loads((FIXTURES / "schemas" / "spdx-schema-2.3.json").read_text())
    return jsonschema.Draft7Validator(schema)


def spdx_errors(data: bytes) -> list[str]:
    """Violations of the SPDX 2.3 JSON schema, then of spdx-tools' full document validation."""
    document: Any = json.loads(data)
    errors = [error.message for error in _spdx_schema().iter_errors(document)]
    try:
        parsed = JsonLikeDictParser().parse(document)
    except SPDXParsingError as exc:
        return errors + [str(message) for message in exc.get_messages()]
    errors += [message.validation_message for message in validate_full_spdx_document(parsed)]
    return errors
