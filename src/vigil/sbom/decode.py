"""Read any SBOM Vigil understands into an Inventory, recognising the format from its content."""

from __future__ import annotations

from collections.abc import Mapping

from vigil.domain import Inventory
from vigil.sbom.jsonio import MAX_SBOM_BYTES, InvalidSbom, load_json
from vigil.sbom.registry import READERS, SbomReader


def detect_format(data: bytes | str, *, limit: int = MAX_SBOM_BYTES) -> str:
    """The name of the format ``data`` is in (``cyclonedx-json``, ``spdx-json``, ``vigil-json``)."""
    return _recognise(data, limit)[0].name


def decode_sbom(
    data: bytes | str, *, limit: int = MAX_SBOM_BYTES, default_target: str = "sbom"
) -> Inventory:
    """The inventory an SBOM describes. ``default_target`` names it when the SBOM does not.

    Raises ``InvalidSbom`` for documents that are too large, not JSON, or of no known format;
    elements that cannot be used become warnings on the returned inventory.
    """
    reader, document = _recognise(data, limit)
    return reader.decode(document, default_target)


def _recognise(data: bytes | str, limit: int) -> tuple[SbomReader, Mapping[str, object]]:
    head = (
        data[:512].lstrip()
        if isinstance(data, str)
        else data[:512].lstrip().decode("utf-8", "replace")
    )
    head = head.lstrip("\ufeff")
    if head.startswith("<"):
        raise InvalidSbom("XML SBOMs are not supported; use CycloneDX or SPDX JSON")
    if head.startswith(("SPDXVersion:", "##")):
        raise InvalidSbom("SPDX tag-value is not supported; use SPDX JSON")
    document = load_json(data, limit=limit)
    if not isinstance(document, Mapping):
        raise InvalidSbom("an SBOM must be a JSON object")
    for reader in READERS:
        if reader.recognises(document):
            return reader, document
    raise InvalidSbom("not a CycloneDX, SPDX or vigil-json document")
