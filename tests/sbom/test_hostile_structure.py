"""Any JSON value in any place of a real SBOM is read or refused cleanly, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sbom.conftest import CREATED
from tests.sbom.realistic import realistic_inventory
from tests.sbom.test_golden import FILES
from vigil.domain import Inventory
from vigil.sbom import FORMATS, DocumentInfo, InvalidSbom, decode_sbom

SYFT = Path(__file__).parent / "fixtures" / "syft"
_INFO = DocumentInfo("vigil", "0.1.0", CREATED)
DOCUMENTS: list[Any] = [
    json.loads(FORMATS[name].encode(realistic_inventory(), _INFO)) for name in sorted(FILES)
] + [json.loads((SYFT / name).read_text()) for name in ("syft.cdx-1.6.json", "syft.spdx-2.3.json")]

_WEIRD = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += _places(item, (*path, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return copy


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    document = draw(st.sampled_from(DOCUMENTS))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_places(document)))
        document = _replace(document, path, draw(_WEIRD))
    return document


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_documents_decode_or_are_refused(document: Any) -> None:
    try:
        inventory = decode_sbom(json.dumps(document))
    except InvalidSbom:
        return
    assert isinstance(inventory, Inventory)
