"""Volatile fields of encoded SBOMs replaced by fixed markers, for golden-file comparison."""

from __future__ import annotations

import json
from typing import Any

REDACTED = "<redacted>"


def redacted(data: bytes) -> str:
    """The document pretty-printed, with times, serial numbers and namespaces redacted."""
    document: Any = json.loads(data)
    if document.get("bomFormat") == "CycloneDX":
        document["serialNumber"] = REDACTED
        document["metadata"]["timestamp"] = REDACTED
    elif "spdxVersion" in document:
        document["documentNamespace"] = REDACTED
        document["creationInfo"]["created"] = REDACTED
        for element in [document, *document.get("packages", [])]:
            for annotation in element.get("annotations", []):
                annotation["annotationDate"] = REDACTED
    else:
        document["created"] = REDACTED
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
