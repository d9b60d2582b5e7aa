"""The JSON report: the findings exactly as Inspector's API would list them, in a JSON array.

What ``ListFindings`` returns under ``findings`` (times as ISO 8601 strings), so that scripts
written against Inspector's shape read Vigil's output unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from vigil.reports.context import ReportContext


def render_json(findings: Sequence[Mapping[str, Any]], context: ReportContext) -> bytes:
    # Strict JSON (no NaN) in UTF-8; the context adds nothing Inspector's shape has a place for.
    text = json.dumps([dict(f) for f in findings], indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode()
